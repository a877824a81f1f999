import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// `workbench serve` left running: the request timeout, the access log, and a newer run that
/// cannot be opened. Over real HTTP on loopback, with `ServeTests`' fixture and `Server`.
@Suite struct ServeOperationsTests {
    @Test func aRequestOverTheTimeoutGets503AndTheServerGoesOn() async throws {
        let dir = try await ServeTests.fixture.value
        // The batch window (1 s) holds every classify request longer than the timeout (50 ms).
        let server = try await Server.start(["--model-dir", "m", "--batch-window-ms", "1000", "--request-timeout", "0.05"], in: dir)
        defer { server.stop() }
        let (status, body, headers) = try await server.post("/v1/classify", ["texts": ["很好"]])
        #expect(status == 503, "\(String(decoding: body, as: UTF8.self))")
        #expect(headers["Content-Type"]?.hasPrefix("application/problem+json") == true, "\(headers)")
        #expect(headers["Retry-After"] == "1", "\(headers)")
        let problem = try server.object(body)
        #expect(problem["status"] as? Int == 503)
        #expect((problem["detail"] as? String ?? "").contains("--request-timeout"), "\(problem)")
        // Still healthy: the other endpoints answer at once.
        var (s, _, _) = try await server.get("/healthz")
        #expect(s == 200)
        (s, _, _) = try await server.get("/v1/models")
        #expect(s == 200)
        let (_, metrics, _) = try await server.get("/metrics")
        let text = String(decoding: metrics, as: UTF8.self)
        #expect(ServeTests.sample(text, #"workbench_http_timeouts_total{endpoint="/v1/classify"}"#) == 1, "\(text)")
        #expect(text.contains(#"status="503""#), "\(text)")
        let refused = try await ServeTests.cli(["serve", "--model-dir", "m", "--port", "0", "--request-timeout", "0"], in: dir)
        #expect(refused.status != 0 && refused.err.contains("--request-timeout"), "\(refused.err)")
    }

    @Test func theAccessLogHasALinePerRequestInItsFileOrOnStandardError() async throws {
        let dir = try await ServeTests.fixture.value
        let log = dir.appendingPathComponent("access-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let server = try await Server.start(["--model-dir", "m", "--access-log", log.lastPathComponent], in: dir)
        defer { server.stop() }
        _ = try await server.post("/v1/classify", ["texts": ["很好", "太差了", "一般"]])
        _ = try await server.get("/v1/models")
        _ = try await server.get("/nowhere")
        var lines: [Substring] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            lines = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
            if lines.count >= 3 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(lines.count == 3, "\(lines)")
        guard lines.count == 3 else { return }
        // Time (ISO 8601), method, path, status, milliseconds, and for classify the texts.
        let time = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z /#
        #expect(lines.allSatisfy { $0.prefixMatch(of: time) != nil }, "\(lines)")
        #expect(lines[0].wholeMatch(of: #/\S+ POST /v1/classify 200 \d+\.\d\d ms 3 texts/#) != nil, "\(lines[0])")
        #expect(lines[1].wholeMatch(of: #/\S+ GET /v1/models 200 \d+\.\d\d ms/#) != nil, "\(lines[1])")
        #expect(lines[2].wholeMatch(of: #/\S+ GET /nowhere 404 \d+\.\d\d ms/#) != nil, "\(lines[2])")
        #expect(!server.errors.contains("/v1/classify 200"), "the access log also went to standard error: \(server.errors)")

        // Without --access-log: standard error.
        let plain = try await Server.start(["--model-dir", "m"], in: dir)
        defer { plain.stop() }
        _ = try await plain.get("/healthz")
        while ContinuousClock.now < deadline && !plain.errors.contains("GET /healthz 200") { try await Task.sleep(for: .milliseconds(10)) }
        #expect(plain.errors.contains("GET /healthz 200"), "\(plain.errors)")

        // A file that cannot be written: refused before listening, naming it.
        let refused = try await ServeTests.cli(["serve", "--model-dir", "m", "--port", "0", "--access-log", "no/such/folder/a.log"], in: dir)
        #expect(refused.status != 0 && refused.err.contains("no/such/folder/a.log"), "\(refused.err)")
    }

    @Test func aNewerRunThatCannotBeOpenedLeavesTheOlderServingUntilTheNextChange() async throws {
        let dir = try await ServeTests.fixture.value
        let fm = FileManager.default
        // Served: a copy of the learner session. Trained: another copy, whose files are then
        // brought over as another process's training would write them.
        let served = "F-\(UUID().uuidString)", trained = "T-\(UUID().uuidString)"
        for sessions in [served, trained] {
            try fm.createDirectory(at: dir.appendingPathComponent(sessions), withIntermediateDirectories: true)
            try fm.copyItem(at: dir.appendingPathComponent("S/l"), to: dir.appendingPathComponent("\(sessions)/l"))
        }
        defer { for s in [served, trained] { try? fm.removeItem(at: dir.appendingPathComponent(s)) } }
        let servedDir = dir.appendingPathComponent("\(served)/l"), trainedDir = dir.appendingPathComponent("\(trained)/l")
        let server = try await Server.start(["--session", "l", "--sessions-dir", served], in: dir)
        defer { server.stop() }
        let (_, before, _) = try await server.get("/v1/models/l")
        let first = try #require(server.parsed(before)["run"] as? Int)
        let (_, answerBefore, _) = try await server.post("/v1/classify", ["texts": ServeTests.texts])
        let expected = server.parsed(answerBefore)["results"] as? [[String: Any]] ?? []
        #expect(expected.count == ServeTests.texts.count)

        func bringOver(run: Int, damaged: Bool) throws {
            let runs = servedDir.appendingPathComponent("runs")
            try fm.createDirectory(at: runs, withIntermediateDirectories: true)
            let model = "runs/run-\(run).learner.safetensors"
            // Half-written: the model file's first bytes only.
            let data = try Data(contentsOf: trainedDir.appendingPathComponent(model))
            try (damaged ? data.prefix(data.count / 3) : data).write(to: servedDir.appendingPathComponent(model))
            for file in ["history.jsonl", "session.json"] {
                let temporary = servedDir.appendingPathComponent(".\(file).new")
                try? fm.removeItem(at: temporary)
                try fm.copyItem(at: trainedDir.appendingPathComponent(file), to: temporary)
                // Renamed over the old one, as the session's own writes do (never half a file).
                guard rename(temporary.path, servedDir.appendingPathComponent(file).path) == 0 else {
                    throw TestSupportError("cannot rename \(temporary.path): errno \(errno)")
                }
            }
        }
        func metric(_ name: String) async throws -> Double {
            let (_, body, _) = try await server.get("/metrics")
            return ServeTests.sample(String(decoding: body, as: UTF8.self), name)
        }
        let failures = #"workbench_model_reload_failures_total{model="l"}"#, reloads = #"workbench_model_reloads_total{model="l"}"#

        var train = try await ServeTests.cli(["train", "--session", "l", "--sessions-dir", trained, "--model", "logreg"], in: dir)
        #expect(train.status == 0, "\(train.err)")
        try bringOver(run: first + 1, damaged: true)
        let deadline = ContinuousClock.now + .seconds(30)
        while try await metric(failures) < 1 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await metric(failures) == 1)
        #expect(server.errors.contains("could not switch to run \(first + 1)"), "\(server.errors)")
        // The older model answers as before.
        let (status, answer, _) = try await server.post("/v1/classify", ["texts": ServeTests.texts])
        #expect(status == 200, "\(String(decoding: answer, as: UTF8.self))")
        #expect(NSArray(array: server.parsed(answer)["results"] as? [[String: Any]] ?? []).isEqual(to: expected))
        let (_, still, _) = try await server.get("/v1/models/l")
        #expect(server.parsed(still)["run"] as? Int == first)

        // The next change (a third run, whole) is picked up; the damaged one was tried once.
        train = try await ServeTests.cli(["train", "--session", "l", "--sessions-dir", trained, "--model", "logreg"], in: dir)
        #expect(train.status == 0, "\(train.err)")
        try bringOver(run: first + 2, damaged: false)
        var run: Int?
        while ContinuousClock.now < deadline {
            let (_, body, _) = try await server.get("/v1/models/l")
            run = server.parsed(body)["run"] as? Int
            if run == first + 2 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(run == first + 2)
        #expect(try await metric(reloads) == 1)
        #expect(try await metric(failures) == 1)
        let (after, _, _) = try await server.post("/v1/classify", ["texts": ServeTests.texts])
        #expect(after == 200)
    }
}
