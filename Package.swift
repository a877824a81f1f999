// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Workbench",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "workbench", targets: ["workbench"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "TextData", targets: ["TextData"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: a module map and a shim header each, nothing else.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        // ncursesw: no pkg-config name on purpose (SwiftPM drops its -D_XOPEN_SOURCE flags);
        // the link is declared in the module map. Used by the terminal UI (issue 5).
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),

        .target(name: "Engine", dependencies: ["COpenBLAS"]),
        .target(name: "TextData"),
        .target(name: "Charts"),
        .executableTarget(
            name: "workbench",
            dependencies: [
                "Engine", "TextData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "EngineTests", dependencies: ["Engine"]),
        .testTarget(name: "TextDataTests", dependencies: ["TextData"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"]),
    ],
    swiftLanguageModes: [.v6]
)
