// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Workbench",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "workbench", targets: ["workbench"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "TextData", targets: ["TextData"]),
        .library(name: "Sessions", targets: ["Sessions"]),
        .library(name: "Learners", targets: ["Learners"]),
        .library(name: "Export", targets: ["Export"]),
        .library(name: "Charts", targets: ["Charts"]),
        .library(name: "TerminalUI", targets: ["TerminalUI"]),
        .library(name: "WorkbenchUI", targets: ["WorkbenchUI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        // `workbench serve` only. Hummingbird without its swift-configuration trait (not used;
        // one package less to build).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // ONNX export: the message types of Sources/Export/onnx.pb.swift (generated once and
        // committed, so no build runs the protoc plugin).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // System libraries: a module map and a shim header each, nothing else.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        // ncursesw: no pkg-config name on purpose (SwiftPM drops its -D_XOPEN_SOURCE flags);
        // the link is declared in the module map.
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        // HDF5 (Debian's serial libhdf5) for the weights file of `export --format keras`.
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),

        // The few pure building blocks more than one base module needs (seeded random numbers,
        // digit grouping, file kinds), so Engine and TextData need not depend on each other.
        .target(name: "Basics"),
        .target(name: "Engine", dependencies: ["Basics", "COpenBLAS"]),
        .target(name: "TextData", dependencies: ["Basics", .product(name: "CSV", package: "CSV.swift")]),
        .target(name: "Sessions", dependencies: ["Basics", "Engine", "TextData", "Learners"]),
        .target(name: "Learners", dependencies: ["Basics", "Engine", "TextData"]),
        .target(name: "Charts"),
        // Export to other runtimes (ONNX, Keras, safetensors): a model folder's classifier as an
        // ONNX graph or a .keras archive, with its tokenizer and labels.
        .target(name: "Export", dependencies: ["Engine", "TextData", "Sessions", "Learners", "CHDF5",
                                               .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        // Theme and key files are read by its own TOML parser (TOML.swift), not a C++ one.
        .target(name: "TerminalUI", dependencies: ["CNcursesw"]),
        // The panes and the UI loop; talks to sessions only through its WorkbenchService protocol.
        .target(name: "WorkbenchUI", dependencies: ["Basics", "TerminalUI", "Charts"]),
        .target(name: "WorkbenchApp", dependencies: ["Basics", "Engine", "TextData", "Sessions", "Learners", "Export", "TerminalUI", "WorkbenchUI", "Serving",
                                                     .product(name: "Logging", package: "swift-log")]),
        // `workbench serve`: the HTTP API over sessions and model folders (Hummingbird 2).
        .target(
            name: "Serving",
            dependencies: [
                "Basics", "Engine", "TextData", "Sessions", "Learners",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "workbench",
            dependencies: [
                "Basics", "Engine", "TextData", "Sessions", "Learners", "TerminalUI", "WorkbenchUI", "WorkbenchApp", "Serving", "Export",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Finds the repository's fixtures, data sets, themes and the built binary for every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "TestSupport"]),
        .testTarget(name: "TextDataTests", dependencies: ["Basics", "TextData", "TestSupport"]),
        .testTarget(name: "LearnersTests", dependencies: ["Basics", "Learners", "Engine", "TextData"]),
        .testTarget(name: "PipelineTests", dependencies: ["Engine", "TextData", "Sessions", "TestSupport"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Engine", "TextData", "Sessions", "Learners", "CHDF5",
                                                        .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "TestSupport"]),
        // The scripted service and models the UI tests drive the workbench with (never shipped).
        .target(name: "WorkbenchUITestSupport", dependencies: ["WorkbenchUI", "TerminalUI"], path: "Tests/WorkbenchUITestSupport"),
        .testTarget(name: "WorkbenchUITests", dependencies: ["Basics", "WorkbenchUI", "TerminalUI", "Charts", "WorkbenchUITestSupport"]),
        // The crash-safety and CLI tests run the built `workbench` executable as a child process.
        .testTarget(name: "SessionsTests", dependencies: ["Sessions", "Engine", "TextData", "Learners", "TestSupport"]),
        // The workbench's service over a real session manager (no terminal).
        .testTarget(name: "WorkbenchAppTests", dependencies: ["WorkbenchApp", "WorkbenchUI", "Sessions", "Engine", "TextData"]),
        // Runs the built `workbench` binary in tmux and reads the screen.
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
