import Engine
import Foundation
import Testing
@testable import Sessions

/// A disk that fills up: a save that fails is an error that names the reason and the last
/// good checkpoint, and nothing half-written is left where a reader would take it for a
/// result. Write failures are injected (`WriteFaults`, scoped to the test's folder).
@Suite struct FullDiskTests {
    /// Runs `body` with writes to files under `dir` named like `name` failing after `after`.
    static func withFault<T>(under dir: URL, name: String, after: Int = 0, _ body: () async throws -> T) async rethrows -> T {
        let token = WriteFaults.install(.init(directory: dir, name: name, after: after))
        defer { WriteFaults.remove(token) }
        return try await body()
    }

    /// The final checkpoint of a run fails to write: the job fails with the reason and the
    /// last good checkpoint, instead of reporting the run finished; the folder keeps that
    /// checkpoint, opens and predicts, and carries on once the disk has room.
    @Test func failedFinalCheckpointFailsTheJobAndKeepsTheLastGoodOne() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let store = SessionStore(root: tmp.file("S"))
        _ = try await withManager(store) { m in
            try await m.create("f", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1, autosaveEvery: 1000))
        }
        let status = try await Self.withFault(under: tmp.file("S"), name: SessionFiles.weightsNext) {
            try await withManager(store) { m in
                try await m.open("f").train()
                return try await m.open("f", readOnly: true).waitUntilSettled()
            }
        }
        guard case let .failed(reason) = status else {
            Issue.record("the run reported \(status) although its checkpoint could not be written")
            return
        }
        #expect(reason.contains("no space left") && reason.contains(SessionFiles.weightsNext), "\(reason)")
        #expect(reason.contains("last good checkpoint") && reason.contains("checkpoint 0"), "\(reason)")

        // On disk: checkpoint 0 (the one creation wrote), nothing half-written.
        let record = try store.record("f")
        #expect(record.checkpoint == 0 && record.engineRun.cursor.step == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.file("S/f").path)
            .filter { $0.contains(".tmp-") || $0.contains(".next.") }
        #expect(leftovers.isEmpty, "\(leftovers)")

        // With room again, the session opens, predicts and trains to the end.
        try await withManager(store) { m in
            let info = try await m.open("f").info
            #expect(info.epochsCompleted == 0)
            #expect(try await m.open("f", readOnly: true).predict(texts: ["great"]).count == 1)
            try await m.open("f").train()
            #expect(try await m.open("f", readOnly: true).waitUntilSettled() == .finished)
        }
        #expect(try store.record("f").engineRun.cursor.epochsCompleted == 1)
    }

    /// An export that fails half way leaves no folder (and no temporary one) behind; one
    /// that replaces an earlier export fails without touching it.
    @Test func failedExportLeavesNoFolder() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let store = SessionStore(root: tmp.file("S"))
        let out = tmp.file("out/model")
        try await withManager(store) { m in
            try await m.create("e", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
            await #expect(throws: SessionError.self) {
                try await Self.withFault(under: tmp.file("out"), name: ModelDirectory.configFile) {
                    try await m.open("e", readOnly: true).export(to: out)
                }
            }
            #expect(!FileManager.default.fileExists(atPath: out.path), "a half-written export was left behind")
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.file("out").path).isEmpty)

            // A good export, then a failing one over it: the first stays whole.
            try await m.open("e", readOnly: true).export(to: out)
            let before = try Data(contentsOf: out.appendingPathComponent(ModelDirectory.weightsFile))
            try await m.open("e").train()
            #expect(try await m.open("e", readOnly: true).waitUntilSettled() == .finished)
            await #expect(throws: SessionError.self) {
                try await Self.withFault(under: tmp.file("out"), name: ModelDirectory.configFile) {
                    try await m.open("e", readOnly: true).export(to: out)
                }
            }
            #expect(try Data(contentsOf: out.appendingPathComponent(ModelDirectory.weightsFile)) == before)
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(ModelDirectory.configFile).path))
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.file("out").path) == ["model"])
            // And a good one replaces it.
            try await m.open("e", readOnly: true).export(to: out)
            #expect(try Data(contentsOf: out.appendingPathComponent(ModelDirectory.weightsFile)) != before)
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.file("out").path) == ["model"])
        }
    }

    /// Through the CLI: a failed final checkpoint exits non-zero naming the reason and the
    /// last good checkpoint; `--save` and `sessions export` that fail leave no folder.
    @Test func cliReportsAFailedSave() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        func wb(_ args: [String], fault: String? = nil) async throws -> ChildResult {
            try await runWorkbench(args, in: tmp.url, environment: fault.map { [WriteFaults.environmentVariable: $0] } ?? [:])
        }
        let create = ["train", "--session", "big", "--sessions-dir", "S", "--data", "data.tsv", "--model", "tiny.json",
                      "--epochs", "1", "--batch-size", "8", "--max-length", "8", "--vocab-size", "50"]
        var r = try await wb(create, fault: "\(SessionFiles.weightsNext)@0")
        #expect(r.status != 0, "a failed save exited 0: \(r.out)")
        #expect(r.err.contains("no space left") && r.err.contains("last good checkpoint"), "\(r.err)")
        r = try await wb(["sessions", "show", "big", "--sessions-dir", "S"])
        #expect(r.status == 0 && r.out.contains("0 epochs done"), "\(r.out)\(r.err)")
        r = try await wb(["train", "--session", "big", "--sessions-dir", "S"], fault: "\(SessionFiles.weightsNext)@0")
        #expect(r.status != 0 && r.err.contains("last good checkpoint"), "resuming: \(r.out)\(r.err)")

        r = try await wb(["sessions", "export", "big", "exported", "--sessions-dir", "S"], fault: "\(ModelDirectory.configFile)@0")
        #expect(r.status != 0 && r.err.contains("no space left"), "\(r.out)\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: tmp.file("exported").path))
        r = try await wb(["train", "--data", "data.tsv", "--model", "tiny.json", "--epochs", "1", "--batch-size", "8",
                          "--max-length", "8", "--vocab-size", "50", "--save", "saved"], fault: "\(ModelDirectory.configFile)@0")
        #expect(r.status != 0 && r.err.contains("no space left"), "\(r.out)\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: tmp.file("saved").path))
        r = try await wb(["train", "--data", "data.tsv", "--model", "nb", "--save", "saved"], fault: "\(ModelDirectory.learnerFile)@0")
        #expect(r.status != 0 && r.err.contains("no space left"), "\(r.out)\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: tmp.file("saved").path))
        let hidden = try FileManager.default.contentsOfDirectory(atPath: tmp.url.path).filter { $0.hasPrefix(".") && !$0.hasPrefix(".out-") && !$0.hasPrefix(".err-") }
        #expect(hidden.isEmpty, "temporary folders left: \(hidden)")
    }

    /// A real full disk: a 2 MiB tmpfs (needs root and `mount`; skipped where not permitted).
    @Test func cliOnAFullTmpfs() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 200)
        let mountPoint = tmp.file("small-disk")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint.path]) == 0 else {
            try Test.cancel("mounting a tmpfs is not permitted here (needs root and mount)")
        }
        defer { _ = Self.run("/bin/umount", [mountPoint.path]) }
        let sessions = mountPoint.appendingPathComponent("S").path
        var r = try await runWorkbench(["train", "--sessions-dir", sessions, "--session", "big", "--data", "data.tsv", "--epochs", "1", "--model", "lstm"], in: tmp.url)
        #expect(r.status != 0, "training on a full disk exited 0: \(r.out)\(r.err)")
        #expect(r.err.contains("last good checkpoint"), "\(r.err)")
        r = try await runWorkbench(["sessions", "show", "big", "--sessions-dir", sessions], in: tmp.url)
        #expect(r.status == 0 && r.out.contains("0 epochs done"), "\(r.out)\(r.err)")
        r = try await runWorkbench(["sessions", "export", "big", mountPoint.appendingPathComponent("exported").path, "--sessions-dir", sessions], in: tmp.url)
        #expect(r.status != 0, "an export on a full disk exited 0")
        #expect(!FileManager.default.fileExists(atPath: mountPoint.appendingPathComponent("exported").path))
    }

    /// Runs a program to the end; its exit status, or -1 when it cannot start.
    static func run(_ path: String, _ args: [String]) -> Int32 {
        guard FileManager.default.isExecutableFile(atPath: path) else { return -1 }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
