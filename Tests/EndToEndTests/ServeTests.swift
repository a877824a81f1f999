import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// `workbench serve` over real HTTP on loopback: the built binary on a free port (port 0),
/// driven with URLSession.
@Suite struct ServeTests {
    // MARK: - Fixtures

    /// A folder with a small data set, an SVM model folder `m`, a neural session `s` and a
    /// learner session `l`; made once for the suite.
    static let fixture = Task<URL, any Error> {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let lines = try String(contentsOf: TestPaths.dataFile("zh-reviews", "train.tsv"), encoding: .utf8).split(separator: "\n")
        try (lines.prefix(400).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("train.tsv"), atomically: true, encoding: .utf8)
        let tiny = #"{"layers": [{"type": "embedding", "dim": 8}, {"type": "global_average_pooling1d"}, {"type": "dense", "units": 1, "activation": "sigmoid"}]}"#
        try Data(tiny.utf8).write(to: dir.appendingPathComponent("tiny.json"))
        async let folder = cli(["train", "--data", "train.tsv", "--model", "svm", "--save", "m"], in: dir)
        async let neural = cli(["train", "--session", "s", "--sessions-dir", "S", "--data", "train.tsv", "--model", "tiny.json",
                                "--epochs", "1", "--batch-size", "16", "--max-length", "16", "--vocab-size", "300", "--seed", "1"], in: dir)
        async let learner = cli(["train", "--session", "l", "--sessions-dir", "S", "--data", "train.tsv", "--model", "svm"], in: dir)
        for r in try await [folder, neural, learner] where r.status != 0 { throw TestSupportError("training the fixture failed: \(r.err)") }
        return dir
    }

    static func cli(_ args: [String], in dir: URL, stdin: String? = nil) async throws -> ChildOutput {
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        return try await ChildProcess.run(try TestPaths.workbenchExecutable(), args, in: dir, environment: env, stdin: stdin)
    }

    static let texts = ["房间很干净，服务很好", "太差了，再也不来了", "一般般", "早餐不错"]

    // MARK: - Tests

    @Test func everyEndpointAnswers() async throws {
        let dir = try await Self.fixture.value
        let server = try await Server.start(["--model", "svm=m", "--model", "lstm=s", "--sessions-dir", "S"], in: dir)
        defer { server.stop() }
        var (status, body, _) = try await server.get("/healthz")
        #expect(status == 200 && server.parsed(body)["status"] as? String == "ok")
        (status, body, _) = try await server.get("/readyz")
        #expect(status == 200 && server.parsed(body)["models"] as? [String] == ["svm", "lstm"])
        (status, body, _) = try await server.get("/v1/models")
        let models = server.parsed(body)["models"] as? [[String: Any]] ?? []
        #expect(status == 200 && models.map { $0["name"] as? String } == ["svm", "lstm"])
        (status, body, _) = try await server.get("/v1/models/lstm")
        let lstm = try server.object(body)
        #expect(status == 200)
        #expect(lstm["kind"] as? String == "neural" && lstm["source"] as? String == "session" && lstm["run"] as? Int == 1)
        #expect(Set(lstm["labels"] as? [String] ?? []) == ["neg", "pos"])
        #expect((lstm["data_hash"] as? String ?? "").count > 8 && (lstm["summary"] as? String ?? "").contains("Embedding"))
        #expect((lstm["validation"] as? [String: Any])?["accuracy"] is Double, "\(lstm)")
        #expect(lstm["saved"] is String && lstm["run_started"] is String)
        (status, body, _) = try await server.get("/v1/models/svm")
        let svm = try server.object(body)
        #expect(status == 200 && svm["kind"] as? String == "learner" && svm["source"] as? String == "folder" && svm["run"] is NSNull)
        (status, body, _) = try await server.post("/v1/classify", ["texts": ["很好"], "model": "lstm"])
        #expect(status == 200 && server.parsed(body)["run"] as? Int == 1)
        (status, body, _) = try await server.get("/openapi.yaml")
        let yaml = String(decoding: body, as: UTF8.self)
        #expect(status == 200 && yaml.hasPrefix("openapi: 3.1.0") && yaml.contains("/v1/classify:"))
        (status, body, _) = try await server.get("/metrics")
        let metrics = String(decoding: body, as: UTF8.self)
        #expect(status == 200)
        for series in ["workbench_http_requests_total", "workbench_http_request_duration_seconds_bucket", "workbench_batch_texts_bucket",
                       "workbench_model_reloads_total", "workbench_http_requests_in_flight"] {
            #expect(metrics.contains(series), "\(series) missing from\n\(metrics)")
        }
    }

    @Test func classifyEqualsPredictJSONToTheLastDigit() async throws {
        let dir = try await Self.fixture.value
        for (args, predictArgs) in [(["--model-dir", "m"], ["--model-dir", "m"]),
                                    (["--session", "s", "--sessions-dir", "S"], ["--session", "s", "--sessions-dir", "S"]),
                                    (["--session", "l", "--sessions-dir", "S"], ["--session", "l", "--sessions-dir", "S"])] {
            let predict = try await Self.cli(["predict", "--json"] + predictArgs, in: dir, stdin: Self.texts.joined(separator: "\n") + "\n")
            #expect(predict.status == 0, "\(predict.err)")
            let server = try await Server.start(args, in: dir)
            defer { server.stop() }
            let (status, body, _) = try await server.post("/v1/classify", ["texts": Self.texts, "top_k": 1])
            #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")
            let results = server.parsed(body)["results"] as? [[String: Any]] ?? []
            let core = results.map { r -> [String: Any] in
                ["text": r["text"] ?? "", "label": r["label"] ?? "", "probabilities": r["probabilities"] ?? [:]]
            }
            let printed = predict.out.split(separator: "\n").map { Self.parsed(String($0)) }
            #expect(printed.count == Self.texts.count)
            #expect(NSArray(array: core).isEqual(to: printed), "\(args): \(core) vs \(predict.out)")
            for r in results {
                let top = r["top"] as? [[String: Any]] ?? []
                #expect(top.count == 1 && top.first?["label"] as? String == r["label"] as? String)
            }
        }
    }

    @Test func explainScoresEveryToken() async throws {
        let dir = try await Self.fixture.value
        for args in [["--session", "s", "--sessions-dir", "S"], ["--model-dir", "m"]] {
            let server = try await Server.start(args, in: dir)
            defer { server.stop() }
            let (status, body, _) = try await server.post("/v1/classify", ["texts": ["房间很干净", "太差了"], "explain": true])
            #expect(status == 200)
            let results = server.parsed(body)["results"] as? [[String: Any]] ?? []
            #expect(results.count == 2)
            for r in results {
                let tokens = r["tokens"] as? [[String: Any]] ?? []
                #expect(!tokens.isEmpty, "\(r)")
                #expect(tokens.allSatisfy { $0["text"] is String && $0["score"] is Double && $0["known"] is Bool }, "\(tokens)")
            }
            // `predict --explain --json` prints the same objects, digit for digit.
            let predict = try await Self.cli(["predict", "--json", "--explain"] + args + ["房间很干净", "太差了"], in: dir)
            #expect(predict.status == 0, "\(predict.err)")
            // Compared as parsed numbers: the same digits parse to the same Double (re-printing
            // them could change only the notation, 1e-05 or 0.00001).
            let printed = predict.out.split(separator: "\n").map { Self.parsed(String($0)) }
            #expect(NSArray(array: results).isEqual(to: printed), "\(args): \(results) vs \(predict.out)")
        }
    }

    @Test func everyErrorIsAProblemWithItsStatus() async throws {
        let dir = try await Self.fixture.value
        let server = try await Server.start(["--model-dir", "m", "--max-texts", "3", "--max-text-length", "20", "--max-body-bytes", "400"], in: dir)
        defer { server.stop() }
        let cases: [(String, String, Data?, Int, String)] = [
            ("POST", "/v1/classify", Data("{\"texts\": [".utf8), 400, "not valid JSON"),
            ("POST", "/v1/classify", Data(), 400, "empty"),
            ("POST", "/v1/classify", Data("{}".utf8), 422, "texts"),
            ("POST", "/v1/classify", Data("[1]".utf8), 422, "JSON object"),
            ("POST", "/v1/classify", Data("{\"texts\": \"hi\"}".utf8), 422, "texts"),
            ("POST", "/v1/classify", Data("{\"texts\": [1]}".utf8), 422, "texts"),
            ("POST", "/v1/classify", Data("{\"texts\": []}".utf8), 422, "at least one"),
            ("POST", "/v1/classify", Data("{\"texts\": [\"a\"], \"top_k\": \"2\"}".utf8), 422, "top_k"),
            ("POST", "/v1/classify", Data("{\"texts\": [\"a\"], \"top_k\": 0}".utf8), 422, "top_k"),
            ("POST", "/v1/classify", Data("{\"texts\": [\"a\"], \"explain\": 1}".utf8), 422, "explain"),
            ("POST", "/v1/classify", Data("{\"texts\": [\"a\",\"b\",\"c\",\"d\"]}".utf8), 413, "--max-texts"),
            ("POST", "/v1/classify", Data("{\"texts\": [\"\(String(repeating: "x", count: 21))\"]}".utf8), 422, "--max-text-length"),
            ("POST", "/v1/classify", Data("{\"texts\": [\"\(String(repeating: "x", count: 500))\"]}".utf8), 413, "--max-body-bytes"),
            ("POST", "/v1/classify", Data("{\"texts\": [\"a\"], \"model\": \"nope\"}".utf8), 404, "nope"),
            ("GET", "/v1/models/nope", nil, 404, "nope"),
            ("GET", "/nowhere", nil, 404, "no endpoint"),
            ("GET", "/v1/classify", nil, 405, "POST"),
            ("DELETE", "/v1/models", nil, 405, "GET"),
            ("POST", "/healthz", nil, 405, "GET"),
        ]
        for (method, path, body, expected, detail) in cases {
            let (status, data, headers) = try await server.request(method, path, body: body)
            #expect(status == expected, "\(method) \(path) \(body.map { String(decoding: $0, as: UTF8.self) } ?? ""): \(String(decoding: data, as: UTF8.self))")
            #expect(headers["Content-Type"]?.hasPrefix("application/problem+json") == true, "\(method) \(path): \(headers)")
            let problem = try server.object(data)
            #expect(problem["status"] as? Int == expected)
            #expect((problem["detail"] as? String ?? "").contains(detail), "\(method) \(path): \(problem)")
            if expected == 405 { #expect(headers["Allow"] != nil, "\(headers)") }
        }
        // The server still answers after every error.
        let (status, _, _) = try await server.post("/v1/classify", ["texts": ["很好"]])
        #expect(status == 200)
    }

    @Test func concurrentRequestsAreBatchedAndAnswerAsOneByOne() async throws {
        let dir = try await Self.fixture.value
        let texts = (0..<24).map { Self.texts[$0 % Self.texts.count] + String(repeating: "好", count: $0 % 5) }
        // A long window so that the requests sent together meet; batches go at 4 texts.
        let server = try await Server.start(["--model-dir", "m", "--batch-window-ms", "500", "--max-batch", "4"], in: dir)
        defer { server.stop() }
        var alone: [String: [String: Double]] = [:]
        let one = try await Server.start(["--model-dir", "m", "--batch-window-ms", "0"], in: dir)
        defer { one.stop() }
        for text in texts {
            let (_, body, _) = try await one.post("/v1/classify", ["texts": [text]])
            alone[text] = ((try one.object(body))["results"] as? [[String: Any]])?.first?["probabilities"] as? [String: Double]
        }
        let together = try await withThrowingTaskGroup(of: (String, [String: Double]?).self) { group in
            for text in texts {
                group.addTask {
                    let (status, body, _) = try await server.post("/v1/classify", ["texts": [text]])
                    #expect(status == 200)
                    return (text, (server.parsed(body)["results"] as? [[String: Any]])?.first?["probabilities"] as? [String: Double])
                }
            }
            var found: [String: [String: Double]] = [:]
            for try await (text, p) in group { found[text] = p }
            return found
        }
        #expect(together == alone)
        let (_, body, _) = try await server.get("/metrics")
        let metrics = String(decoding: body, as: UTF8.self)
        let count = Self.sample(metrics, "workbench_batch_texts_count"), sum = Self.sample(metrics, "workbench_batch_texts_sum")
        #expect(sum == Double(texts.count), "\(metrics)")
        #expect(count < Double(texts.count), "every request went alone: \(metrics)")
    }

    @Test func aNewerRunIsPickedUpUnderAStreamOfRequestsWithoutAFailure() async throws {
        let dir = try await Self.fixture.value
        // A copy of the learner session, so the other tests keep theirs.
        let sessions = "R-\(UUID().uuidString)"
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(sessions), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: dir.appendingPathComponent("S/l"), to: dir.appendingPathComponent("\(sessions)/l"))
        let server = try await Server.start(["--session", "l", "--sessions-dir", sessions], in: dir)
        defer { server.stop() }
        let pinned = try await Server.start(["--session", "l", "--sessions-dir", sessions, "--pin-run"], in: dir)
        defer { pinned.stop() }
        actor Tally {
            var answered = 0, failed: [String] = [], stop = false
            func add(_ status: Int, _ body: String) { if status == 200 { answered += 1 } else { failed.append("\(status) \(body)") } }
            func halt() { stop = true }
        }
        let (_, before, _) = try await server.get("/v1/models/l")
        let first = try #require(server.parsed(before)["run"] as? Int)
        let tally = Tally()
        let stream = Task {
            while await !tally.stop {
                do {
                    let (status, body, _) = try await server.post("/v1/classify", ["texts": ["房间很干净", "太差了"]])
                    await tally.add(status, String(decoding: body, as: UTF8.self))
                } catch { await tally.add(0, "\(error)") }
            }
        }
        let train = try await Self.cli(["train", "--session", "l", "--sessions-dir", sessions, "--model", "logreg"], in: dir)
        #expect(train.status == 0, "\(train.err)")
        var run: Int?
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let (_, body, _) = try await server.get("/v1/models/l")
            run = server.parsed(body)["run"] as? Int
            if run != first { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        // A few more requests on the new run, then the stream stops.
        let answeredAtSwitch = await tally.answered
        while await tally.answered < answeredAtSwitch + 3 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        await tally.halt()
        await stream.value
        #expect(run == first + 1)
        #expect(await tally.failed == [])
        #expect(await tally.answered > 3)
        let (_, body, _) = try await server.get("/v1/models/l")
        #expect((server.parsed(body)["summary"] as? String ?? "").contains("logreg"), "\(server.parsed(body))")
        let (_, metrics, _) = try await server.get("/metrics")
        #expect(String(decoding: metrics, as: UTF8.self).contains(#"workbench_model_reloads_total{model="l"} 1"#))
        #expect(server.errors.contains("switched from run \(first)"), "\(server.errors)")
        let (_, pinnedBody, _) = try await pinned.get("/v1/models/l")
        #expect(pinned.parsed(pinnedBody)["run"] as? Int == first)
    }

    static func parsed(_ line: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }

    static func sample(_ metrics: String, _ name: String) -> Double {
        metrics.split(separator: "\n").first { $0.hasPrefix(name) }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? -1
    }

    @Test func beyondLoopbackNeedsATokenWhichEveryV1RequestCarries() async throws {
        let dir = try await Self.fixture.value
        let refused = try await Self.cli(["serve", "--model-dir", "m", "--host", "0.0.0.0", "--port", "0"], in: dir)
        #expect(refused.status != 0 && refused.err.contains("--token-file"), "\(refused.err)")
        try Data("s3cret-token\n".utf8).write(to: dir.appendingPathComponent("token"))
        let server = try await Server.start(["--model-dir", "m", "--token-file", "token"], in: dir)
        defer { server.stop() }
        var (status, body, headers) = try await server.post("/v1/classify", ["texts": ["好"]])
        #expect(status == 401 && headers["Www-Authenticate"] ?? headers["WWW-Authenticate"] == "Bearer", "\(headers)")
        #expect(server.parsed(body)["detail"] as? String != nil)
        (status, _, _) = try await server.request("GET", "/v1/models", headers: ["Authorization": "Bearer wrong"])
        #expect(status == 401)
        (status, _, _) = try await server.post("/v1/classify", ["texts": ["好"]], headers: ["Authorization": "Bearer s3cret-token"])
        #expect(status == 200)
        (status, _, _) = try await server.get("/healthz")
        #expect(status == 200)
    }

    @Test func sigtermLetsTheRequestInFlightFinish() async throws {
        let dir = try await Self.fixture.value
        // The window holds the request in the server long enough to signal it meanwhile.
        let server = try await Server.start(["--model-dir", "m", "--batch-window-ms", "1000"], in: dir)
        defer { server.stop() }
        async let inFlight = server.post("/v1/classify", ["texts": ["房间很干净"]])
        // Wait until the server is answering it (itself and the metrics request: 2).
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let (_, body, _) = try await server.get("/metrics")
            if Self.sample(String(decoding: body, as: UTF8.self), "workbench_http_requests_in_flight") >= 2 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        server.signal(SIGTERM)
        let (status, body, _) = try await inFlight
        #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")
        let exit = try await server.waitForExit()
        #expect(exit == 0, "\(server.errors)")
    }
}

/// A `workbench serve` child process on a free loopback port.
final class Server: @unchecked Sendable {
    let process: Process
    let port: Int
    let errFile: URL
    let outFile: URL

    var errors: String { (try? String(contentsOf: errFile, encoding: .utf8)) ?? "" }

    static func start(_ args: [String], in dir: URL) async throws -> Server {
        let tag = UUID().uuidString
        let outFile = dir.appendingPathComponent(".serve-out-\(tag)"), errFile = dir.appendingPathComponent(".serve-err-\(tag)")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let p = Process()
        p.executableURL = try TestPaths.workbenchExecutable()
        p.arguments = ["serve", "--port", "0"] + args
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        p.environment = env
        p.standardOutput = try FileHandle(forWritingTo: outFile)
        p.standardError = try FileHandle(forWritingTo: errFile)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let out = (try? String(contentsOf: outFile, encoding: .utf8)) ?? ""
            if let line = out.split(separator: "\n").first(where: { $0.hasPrefix("listening on http://") }),
               let port = Int(line.split(separator: ":").last ?? "") {
                return Server(process: p, port: port, outFile: outFile, errFile: errFile)
            }
            if !p.isRunning {
                let err = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
                throw TestSupportError("serve \(args) exited with \(p.terminationStatus): \(err)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        p.terminate()
        throw TestSupportError("serve \(args) did not say where it listens within 60 s")
    }

    private init(process: Process, port: Int, outFile: URL, errFile: URL) {
        self.process = process
        self.port = port
        self.outFile = outFile
        self.errFile = errFile
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Ends the server if it still runs (SIGKILL: a test that failed must not leave it).
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: outFile)
        try? FileManager.default.removeItem(at: errFile)
    }

    func waitForExit() async throws -> Int32 {
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        guard !process.isRunning else { throw TestSupportError("the server did not exit within 20 s of the signal") }
        return process.terminationStatus
    }

    func request(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]) async throws -> (Int, Data, [String: String]) {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        r.httpMethod = method
        r.httpBody = body
        r.timeoutInterval = 30
        if body != nil { r.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: r)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (k, v) in http?.allHeaderFields ?? [:] { if let k = k as? String, let v = v as? String { fields[k] = v } }
        return (http?.statusCode ?? 0, data, fields)
    }

    func get(_ path: String) async throws -> (Int, Data, [String: String]) { try await request("GET", path) }

    func post(_ path: String, _ object: [String: Any], headers: [String: String] = [:]) async throws -> (Int, Data, [String: String]) {
        try await request("POST", path, body: try JSONSerialization.data(withJSONObject: object), headers: headers)
    }

    /// The body as a JSON object, empty when it is not one (the expectations then fail).
    func parsed(_ data: Data) -> [String: Any] { (try? object(data)) ?? [:] }

    func object(_ data: Data) throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestSupportError("not a JSON object: \(String(decoding: data, as: UTF8.self))")
        }
        return o
    }
}
