import Engine
import Foundation
import Testing
import TestSupport
import TextData
@testable import Sessions

/// A temporary folder, removed when the value goes away.
final class TempDir: @unchecked Sendable {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("wb-sessions-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

enum Synthetic {
    static let good = ["great", "good", "nice", "love", "fine", "happy", "superb", "best"]
    static let bad = ["awful", "bad", "poor", "hate", "sad", "worst", "broken", "ugly"]
    static let filler = ["the", "a", "it", "was", "this", "movie", "food", "room", "very", "really", "quite"]

    /// `count` label<TAB>text lines, alternating pos / neg; the label's words decide it.
    static func write(to url: URL, count: Int, seed: UInt64 = 1) throws {
        var g = SeededGenerator(seed: seed)
        var lines: [String] = []
        for i in 0..<count {
            let pos = i % 2 == 0
            var words = (0..<(2 + Int(g.next() % 4))).map { _ in filler[Int(g.next() % UInt64(filler.count))] }
            let cue = pos ? good : bad
            words += (0..<(1 + Int(g.next() % 2))).map { _ in cue[Int(g.next() % UInt64(cue.count))] }
            words.shuffle(using: &g)
            lines.append((pos ? "pos" : "neg") + "\t" + words.joined(separator: " "))
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    /// A tiny recurrent model with dropout (so resuming must restore the dropout generator).
    static let recurrent: [LayerSpec] = [.embedding(dim: 8), .dropout(rate: 0.25), .lstm(units: 6), .dense(units: 1, activation: .sigmoid)]
    /// A tinier one for long-running jobs.
    static let pooled: [LayerSpec] = [.embedding(dim: 8), .globalAveragePooling1D, .dense(units: 1, activation: .sigmoid)]

    static func setup(data: URL, epochs: Int, layers: [LayerSpec] = recurrent, batchSize: Int = 16,
                      autosaveEvery: Int = 4, optimizer: OptimizerSpec = .adam(learningRate: 0.01)) -> SessionSetup {
        SessionSetup(data: data.path, validation: .split(0.2), tokenizer: .script(ScriptTokenizer(numWords: 60)),
                     maxLength: 8, model: .layers(layers, loss: nil), optimizer: optimizer,
                     fit: FitConfig(epochs: epochs, batchSize: batchSize, seed: 7), autosaveEvery: autosaveEvery)
    }
}

/// Runs `body` with a manager on its own engine, shutting both down afterwards.
func withManager<T: Sendable>(_ store: SessionStore, engine: TrainingEngine = TrainingEngine(),
                              _ body: (SessionManager) async throws -> T) async throws -> T {
    let manager = SessionManager(store: store, engine: engine)
    do {
        let r = try await body(manager)
        await manager.shutdown()
        await engine.shutdown()
        return r
    } catch {
        await manager.shutdown()
        await engine.shutdown()
        throw error
    }
}

/// Collects a manager's events.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [SessionEvent] = []
    private var task: Task<Void, Never>?

    init(_ stream: AsyncStream<SessionEvent>) {
        task = Task { [weak self] in
            for await e in stream { self?.append(e) }
        }
    }
    private func append(_ e: SessionEvent) { lock.lock(); items.append(e); lock.unlock() }
    var events: [SessionEvent] { lock.lock(); defer { lock.unlock() }; return items }

    /// Waits (polling) until `predicate` holds for some event; false after `timeout` seconds.
    func wait(timeout: Double = 30, _ predicate: (SessionEvent) -> Bool) async -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if events.contains(where: predicate) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}

/// Polls `condition` until it holds; false after `timeout` seconds.
func waitUntil(timeout: Double = 30, _ condition: () -> Bool) async -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return false
}

/// The tensors of a safetensors file.
func tensors(_ url: URL) throws -> [String: Tensor] {
    let data = try #require(FileManager.default.contents(atPath: url.path), "cannot read \(url.path)")
    return try SafeTensors.decode(data, path: url.path).tensors
}

func withoutTiming(_ e: EpochSummary) -> EpochSummary {
    var e = e
    e.seconds = 0
    e.samplesPerSecond = 0
    return e
}

/// Two session folders hold the same training: weights and optimiser state bit for bit,
/// the same history (clock fields aside) and the same cursor.
func expectSameTraining(_ a: URL, _ b: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let wa = try tensors(a.appendingPathComponent(SessionStore.weightsFile))
    let wb = try tensors(b.appendingPathComponent(SessionStore.weightsFile))
    #expect(!wa.isEmpty, sourceLocation: sourceLocation)
    #expect(wa == wb, "weights differ", sourceLocation: sourceLocation)
    let oa = try tensors(a.appendingPathComponent(SessionStore.optimizerFile))
    let ob = try tensors(b.appendingPathComponent(SessionStore.optimizerFile))
    #expect(!oa.isEmpty, sourceLocation: sourceLocation)
    #expect(oa == ob, "optimiser state differs", sourceLocation: sourceLocation)
    let ra = try SessionStore.readRecord(dir: a, name: a.lastPathComponent)
    let rb = try SessionStore.readRecord(dir: b, name: b.lastPathComponent)
    let ca = ra.engineRun.cursor, cb = rb.engineRun.cursor
    #expect(ca.epochsCompleted == cb.epochsCompleted && ca.batchInEpoch == cb.batchInEpoch && ca.step == cb.step, sourceLocation: sourceLocation)
    #expect(ca.shuffleGenerator == cb.shuffleGenerator, sourceLocation: sourceLocation)
    #expect(ca.layerGenerators == cb.layerGenerators, sourceLocation: sourceLocation)
    #expect(ca.history.map(withoutTiming) == cb.history.map(withoutTiming), "epoch summaries differ", sourceLocation: sourceLocation)
    let ha = try SessionStore.readHistory(dir: a).records.map(\.withoutTiming)
    let hb = try SessionStore.readHistory(dir: b).records.map(\.withoutTiming)
    #expect(!ha.isEmpty, sourceLocation: sourceLocation)
    #expect(ha == hb, "history differs (\(ha.count) vs \(hb.count) records)", sourceLocation: sourceLocation)
}

/// The built `workbench` executable (TestSupport finds it beside the test bundle).
func workbenchExecutable() throws -> URL {
    do { return try TestPaths.workbenchExecutable() } catch {
        Issue.record("\(error)")
        throw CancellationError()
    }
}

struct ChildResult {
    var status: Int32
    var out: String
    var err: String
}

/// Starts `workbench args…` with stdout and stderr going to files.
func startWorkbench(_ args: [String], in dir: URL, environment extra: [String: String] = [:], tag: String = UUID().uuidString) throws -> (Process, URL, URL) {
    let p = Process()
    p.executableURL = try workbenchExecutable()
    p.arguments = args
    p.currentDirectoryURL = dir
    var env = ProcessInfo.processInfo.environment
    env["OPENBLAS_NUM_THREADS"] = "1"
    env.removeValue(forKey: SessionStore.environmentVariable)
    env.merge(extra) { $1 }
    p.environment = env
    let out = dir.appendingPathComponent(".out-\(tag)"), err = dir.appendingPathComponent(".err-\(tag)")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    p.standardOutput = try FileHandle(forWritingTo: out)
    p.standardError = try FileHandle(forWritingTo: err)
    p.standardInput = FileHandle.nullDevice
    try p.run()
    return (p, out, err)
}

/// Runs `workbench args…` to the end.
func runWorkbench(_ args: [String], in dir: URL, environment: [String: String] = [:]) async throws -> ChildResult {
    let (p, out, err) = try startWorkbench(args, in: dir, environment: environment)
    while p.isRunning { try await Task.sleep(for: .milliseconds(10)) }
    p.waitUntilExit()
    return ChildResult(status: p.terminationStatus,
                       out: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                       err: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}
