import Foundation
import Testing
import TestSupport

/// The binary as a user installs it: copied away from the package, run from another folder.
@Suite struct InstalledBinaryTests {
    func run(_ exe: URL, _ args: [String], in dir: URL, environment extra: [String: String] = [:]) async throws -> ChildOutput {
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        for key in ["WORKBENCH_HOME", "WORKBENCH_BLAS_AUTO", "OPENBLAS_CORETYPE"] { env.removeValue(forKey: key) }
        env.merge(extra) { $1 }
        return try await ChildProcess.run(exe, args, in: dir, environment: env)
    }

    /// <tmp>/prefix/bin/workbench and, unless `withData` is false, <tmp>/prefix/share/workbench/{Data,Themes}
    /// (two small sets); an empty <tmp>/elsewhere to run from.
    func install(withData: Bool = true) throws -> (root: URL, exe: URL, elsewhere: URL) {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("wb-install-\(UUID().uuidString)")
        let bin = root.appendingPathComponent("prefix/bin"), elsewhere = root.appendingPathComponent("elsewhere")
        try fm.createDirectory(at: bin, withIntermediateDirectories: true)
        try fm.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let exe = bin.appendingPathComponent("workbench")
        try fm.copyItem(at: try TestPaths.workbenchExecutable(), to: exe)
        if withData {
            let share = root.appendingPathComponent("prefix/share/workbench")
            for set in ["zh-reviews", "en-tweets"] {
                try fm.createDirectory(at: share.appendingPathComponent("Data/\(set)"), withIntermediateDirectories: true)
                for file in ["train.tsv", "test.tsv", "README.md"] {
                    try fm.copyItem(at: TestPaths.dataFile(set, file), to: share.appendingPathComponent("Data/\(set)/\(file)"))
                }
            }
            try fm.copyItem(at: TestPaths.themes, to: share.appendingPathComponent("Themes"))
        }
        return (root, exe, elsewhere)
    }

    @Test func findsTheBundledDataFromAnywhere() async throws {
        let (root, exe, elsewhere) = try install()
        defer { try? FileManager.default.removeItem(at: root) }
        let list = try await run(exe, ["data", "list"], in: elsewhere)
        #expect(list.status == 0, "\(list.err)")
        #expect(list.out.contains(root.appendingPathComponent("prefix/share/workbench/Data").path))
        #expect(list.out.contains("en-tweets") && list.out.contains("2746 train, 343 test"))
        // By name, by NAME/test, and by path.
        let byName = try await run(exe, ["data", "inspect", "en-tweets"], in: elsewhere)
        #expect(byName.status == 0, "\(byName.err)")
        #expect(byName.out.contains("2,746") || byName.out.contains("2746"), "\(byName.out)")
        let test = try await run(exe, ["data", "inspect", "en-tweets/test"], in: elsewhere)
        #expect(test.status == 0 && (test.out.contains("343")), "\(test.out)\(test.err)")
        let byPath = try await run(exe, ["data", "inspect", root.appendingPathComponent("prefix/share/workbench/Data/en-tweets/test.tsv").path],
                             in: elsewhere)
        #expect(byPath.status == 0 && byPath.out.contains("343"), "\(byPath.err)")
        // A name that is neither a file nor a bundled set is reported as a missing file.
        let missing = try await run(exe, ["data", "inspect", "no-such-set"], in: elsewhere)
        #expect(missing.status != 0 && missing.err.contains("no-such-set"))
    }

    /// A mistake on the command line comes with the usage text (exit 64); an error while the
    /// command runs prints its reason alone (exit 1).
    @Test func runtimeErrorsPrintTheirReasonWithoutUsage() async throws {
        let (root, exe, elsewhere) = try install()
        defer { try? FileManager.default.removeItem(at: root) }
        let parse = try await run(exe, ["train", "--bogus"], in: elsewhere)
        #expect(parse.status == 64 && parse.err.contains("Usage:"), "\(parse.err)")
        let runtime = try await run(exe, ["train", "--data", "en-tweets", "--max-length", "0"], in: elsewhere)
        #expect(runtime.status == 1, "\(runtime.err)")
        #expect(runtime.err.contains("--max-length") && !runtime.err.contains("Usage:"), "\(runtime.err)")
    }

    @Test func saysWhereItLookedWhenTheDataIsMissing() async throws {
        let (root, exe, elsewhere) = try install(withData: false)
        defer { try? FileManager.default.removeItem(at: root) }
        let r = try await run(exe, ["data", "list"], in: elsewhere)
        #expect(r.status != 0)
        #expect(r.err.contains("bundled data sets were not found") && r.err.contains("WORKBENCH_HOME"), "\(r.err)")
        // WORKBENCH_HOME points at the package's own folders.
        let withHome = try await run(exe, ["data", "list"], in: elsewhere, environment: ["WORKBENCH_HOME": TestPaths.packageRoot.path])
        #expect(withHome.status == 0 && withHome.out.contains("zh-news-titles"), "\(withHome.err)")
    }

    @Test func versionNamesTheBLASKernel() async throws {
        let (root, exe, elsewhere) = try install(withData: false)
        defer { try? FileManager.default.removeItem(at: root) }
        let r = try await run(exe, ["--version"], in: elsewhere)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.hasPrefix("workbench "))
        #expect(r.out.contains("OpenBLAS kernel ") && r.out.contains("self-check passed"), "\(r.out)")
        let user = try await run(exe, ["--version"], in: elsewhere, environment: ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(user.out.contains("OpenBLAS kernel Prescott (set by OPENBLAS_CORETYPE)"), "\(user.out)")
    }

    /// The whole re-execution path, for real: the process starts on the generic Prescott kernel
    /// as if OpenBLAS had fallen back to it, and comes back on the best kernel this CPU runs.
    @Test func replacesAGenericFallbackKernel() async throws {
        let (root, exe, elsewhere) = try install(withData: false)
        defer { try? FileManager.default.removeItem(at: root) }
        let r = try await run(exe, ["--version"], in: elsewhere,
                        environment: ["OPENBLAS_CORETYPE": "Prescott", "WORKBENCH_BLAS_AUTO": "simulate-fallback"])
        #expect(r.status == 0, "\(r.err)")
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? []
        if flags.contains("avx2") && flags.contains("fma") {
            #expect(r.out.contains("chosen by workbench; OpenBLAS had fallen back to Prescott"), "\(r.out)")
            #expect(!r.out.contains("OpenBLAS kernel Prescott"), "\(r.out)")
        } else {
            #expect(r.out.contains("OpenBLAS kernel Prescott"), "\(r.out)")
        }
        #expect(r.out.contains("self-check passed"), "\(r.out)")
    }
}
