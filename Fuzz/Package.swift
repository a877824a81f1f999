// swift-tools-version: 6.0
// libFuzzer harnesses for the parsers of untrusted files. A package of its own, outside the
// main one, so `swift test` there never builds with sanitizers; `Fuzz/run` builds these with
// `-sanitize=fuzzer,address` and runs each for a while on the seed corpus in Corpus/<harness>/.
import PackageDescription

// A path dependency's identity is its folder's name (the checkout may be called anything).
let workbench = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "Workbench"

/// One executable per harness: Sources/<name>/<name>.swift defines LLVMFuzzerTestOneInput.
func harness(_ name: String, _ products: [String]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: workbench) },
                      path: "Sources/\(name)")
}

let package = Package(
    name: "WorkbenchFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
        harness("fuzz-tsv", ["TextData"]),
        harness("fuzz-csv", ["TextData"]),
        harness("fuzz-jsonl", ["TextData"]),
        harness("fuzz-safetensors", ["Engine"]),
        harness("fuzz-session-json", ["Sessions"]),
        harness("fuzz-learner-archive", ["Learners"]),
        harness("fuzz-theme-toml", ["TerminalUI"]),
        harness("fuzz-keymap-toml", ["TerminalUI"]),
        // Writes Corpus/ once (run without sanitizers: `swift run make-seeds`); not a harness.
        .executableTarget(name: "make-seeds", dependencies: ["Engine", "Learners", "Sessions", "TextData", "TerminalUI"].map {
            .product(name: $0, package: workbench)
        }),
    ],
    swiftLanguageModes: [.v6]
)
