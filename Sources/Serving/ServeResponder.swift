import Foundation
import Hummingbird
import Logging
import Sessions
import TextData

/// One name served and its batcher.
struct ServedEntry: Sendable {
    var name: String
    var batcher: ModelBatcher
}

/// Answers every request: routing by path and method (405 with `Allow` for a known path asked
/// with another method), the bearer token on /v1, the body cap, the request timeout, the
/// access log and the metrics. Errors are `application/problem+json`.
struct ServeResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let models: [ServedEntry]
    let configuration: ServeConfiguration
    let metrics: ServeMetrics
    /// The server's own messages (errors, timeouts).
    let logger: Logger
    /// One line per request.
    let accessLog: Logger
    let activity: ServeActivity

    /// The routes and the methods each answers; `{name}` stands for one path segment.
    static let routes: [(pattern: String, methods: [HTTPRequest.Method])] = [
        ("/v1/classify", [.post]), ("/v1/models", [.get]), ("/v1/models/{name}", [.get]),
        ("/healthz", [.get]), ("/readyz", [.get]), ("/metrics", [.get]), ("/openapi.yaml", [.get]),
    ]

    /// The route `path` falls under, with the `{name}` segment if any.
    static func route(of path: String) -> (pattern: String, name: String?)? {
        if let r = routes.first(where: { $0.pattern == path }) { return (r.pattern, nil) }
        let prefix = "/v1/models/"
        if path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            if !rest.isEmpty && !rest.contains("/") {
                return ("/v1/models/{name}", String(rest).removingPercentEncoding ?? String(rest))
            }
        }
        return nil
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        metrics.inFlight(1)
        defer { metrics.inFlight(-1) }
        let path = request.uri.path
        let route = Self.route(of: path)
        let endpoint = route?.pattern ?? "unmatched"
        let note = RequestNote()
        let response: Response
        do {
            response = try await withRequestTimeout(configuration.requestTimeout) { [self] in
                do {
                    return try await answer(request, route: route, note: note)
                } catch let problem as Problem {
                    return problem.response
                }
            }
        } catch is RequestTimedOut {
            metrics.timeout(endpoint: endpoint)
            logger.warning("\(request.method) \(Quoted.terminalSafe(path)): no answer within the request timeout (--request-timeout)")
            response = Problem(status: .serviceUnavailable,
                               detail: "no answer within \(Self.seconds(configuration.requestTimeout)) s (--request-timeout); the server is busy, try again",
                               headers: [.retryAfter: "1"]).response
        } catch {
            logger.error("\(request.method) \(Quoted.terminalSafe(path)): \(Quoted.terminalSafe("\(error)"))")
            response = Problem(status: .internalServerError, detail: "the model could not answer: \(error)").response
        }
        let elapsed = ContinuousClock.now - start
        metrics.request(endpoint: endpoint, method: request.method.rawValue, status: response.status.code, duration: elapsed)
        activity.count()
        let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        let texts = note.texts.map { " \($0) texts" } ?? ""
        accessLog.info("\(request.method) \(Quoted.terminalSafe(path)) \(response.status.code) \(String(format: "%.2f", ms)) ms\(texts)")
        return response
    }

    /// A duration in seconds as the options take it (`0.05`, `30`).
    static func seconds(_ d: Duration) -> String {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return s == s.rounded() ? String(Int(s)) : String(format: "%g", s)
    }

    private func answer(_ request: Request, route: (pattern: String, name: String?)?, note: RequestNote) async throws -> Response {
        guard let route, let methods = Self.routes.first(where: { $0.pattern == route.pattern })?.methods else {
            throw Problem.notFound("no endpoint at \(Quoted.terminalSafe(request.uri.path)); see /openapi.yaml")
        }
        guard methods.contains(request.method) else {
            let allowed = methods.map(\.rawValue).joined(separator: ", ")
            throw Problem(status: .methodNotAllowed, detail: "\(route.pattern) answers \(allowed), not \(request.method.rawValue)",
                          headers: [.allow: allowed])
        }
        if route.pattern.hasPrefix("/v1/") { try authorize(request) }
        switch route.pattern {
        case "/healthz":
            return try json(["status": "ok"])
        case "/readyz":
            return try json(["status": "ready", "models": models.map(\.name)])
        case "/metrics":
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.text)))
        case "/openapi.yaml":
            return Response(status: .ok, headers: [.contentType: "application/yaml"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        case "/v1/models":
            var list: [[String: Any]] = []
            for m in models { list.append(try await m.batcher.source.describe(name: m.name).json) }
            return try json(["models": list])
        case "/v1/models/{name}":
            let name = route.name ?? ""
            guard let m = models.first(where: { $0.name == name }) else { throw unknownModel(name) }
            return try json(try await m.batcher.source.describe(name: m.name).json)
        default:
            return try await classify(request, note: note)
        }
    }

    private func unknownModel(_ name: String) -> Problem {
        Problem.notFound("no model named '\(Quoted.escaped(name))' is served (served: \(models.map(\.name).joined(separator: ", ")))")
    }

    /// 401 unless the request carries the bearer token (when one is set).
    private func authorize(_ request: Request) throws {
        guard let token = configuration.token else { return }
        let given = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        let ok = given.count > prefix.count && given.prefix(prefix.count).lowercased() == prefix.lowercased()
            && Self.constantTimeEqual(Array(given.dropFirst(prefix.count).utf8), Array(token.utf8))
        guard ok else {
            throw Problem(status: .unauthorized,
                          detail: given.isEmpty ? "this server asks for a bearer token: send 'Authorization: Bearer TOKEN'" : "the bearer token is not the one this server was given",
                          headers: [.wwwAuthenticate: "Bearer"])
        }
    }

    /// Compares without stopping at the first difference (no timing hint of the token).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) { diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0) }
        return diff == 0
    }

    /// The request's body, refused with 413 beyond `maxBodyBytes` (before reading it all).
    private func body(_ request: Request) async throws -> Data {
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw Problem.tooLarge("the body is \(length) bytes; this server takes at most \(limit) (--max-body-bytes)")
        }
        var bytes = Data()
        for try await chunk in request.body {
            guard bytes.count + chunk.readableBytes <= limit else {
                throw Problem.tooLarge("the body is over \(limit) bytes, the most this server takes (--max-body-bytes)")
            }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }

    private struct ClassifyRequest: Decodable {
        var texts: [String]
        var top_k: Int?
        var explain: Bool?
        var model: String?

        private enum CodingKeys: String, CodingKey { case texts, top_k, explain, model }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            texts = try c.decode([String].self, forKey: .texts)
            explain = try c.decodeIfPresent(Bool.self, forKey: .explain)
            model = try c.decodeIfPresent(String.self, forKey: .model)
            // The contract sets no maximum on top_k, and JSONDecoder reports a whole number past
            // Int's range, or a fraction, as corrupt data with no field: read as a Double, a whole
            // number past Int's range lists every class (k ≥ the classes), and a fraction is the
            // field's type error (422), not malformed JSON (400).
            if try !c.contains(.top_k) || c.decodeNil(forKey: .top_k) {
                top_k = nil
            } else if let k = try? c.decode(Int.self, forKey: .top_k) {
                top_k = k
            } else if let d = try? c.decode(Double.self, forKey: .top_k), d.isFinite, d == d.rounded() {
                top_k = d > 0 ? Int.max : Int.min
            } else {
                throw DecodingError.typeMismatch(Int.self, .init(codingPath: c.codingPath + [CodingKeys.top_k],
                                                                 debugDescription: "top_k must be a whole number"))
            }
        }
    }

    private func classify(_ request: Request, note: RequestNote) async throws -> Response {
        let data = try await body(request)
        let asked: ClassifyRequest
        do {
            asked = try JSONDecoder().decode(ClassifyRequest.self, from: data)
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw Problem.badRequest(data.isEmpty ? "the body is empty: send a JSON object {\"texts\": [...]}" : "the body is not valid JSON")
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            throw Problem.unprocessable("the body must be a JSON object {\"texts\": [...]}")
        } catch {
            throw Problem.unprocessable(ModelDirectory.describe(error))
        }
        let name = asked.model ?? models[0].name
        guard let entry = models.first(where: { $0.name == name }) else { throw unknownModel(name) }
        let texts = asked.texts
        note.texts = texts.count
        guard !texts.isEmpty else { throw Problem.unprocessable("field 'texts': give at least one text") }
        guard texts.count <= configuration.maxTexts else {
            throw Problem.tooLarge("field 'texts': \(texts.count) texts; this server takes at most \(configuration.maxTexts) per request (--max-texts)")
        }
        if let i = texts.firstIndex(where: { $0.count > configuration.maxTextLength }) {
            throw Problem.unprocessable("field 'texts[\(i)]': \(texts[i].count) characters; this server takes at most \(configuration.maxTextLength) per text (--max-text-length)")
        }
        if let k = asked.top_k, k < 1 { throw Problem.unprocessable("field 'top_k': must be at least 1, not \(k)") }
        let probabilities = try await entry.batcher.probabilities(texts)
        guard probabilities.count == texts.count else {
            throw Problem(status: .internalServerError, detail: "the model answered \(probabilities.count) of \(texts.count) texts")
        }
        let description = try await entry.batcher.source.describe(name: entry.name)
        let classes = description.labels
        var results: [[String: Any]] = []
        for (text, p) in zip(texts, probabilities) {
            var object = ServeJSON.prediction(text: text, label: ServeJSON.label(classes: classes, probabilities: p),
                                              classes: classes, probabilities: p)
            if let k = asked.top_k {
                let order = p.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
                object["top"] = order.prefix(k).map { ["label": classes[$0], "probability": Double(p[$0])] as [String: Any] }
            }
            if asked.explain == true {
                object["tokens"] = ServeJSON.tokens(try await entry.batcher.explain(text))
            }
            results.append(object)
        }
        return try json(["model": entry.name, "run": description.run.map { $0 as Any } ?? NSNull(), "results": results])
    }

    private func json(_ object: Any) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: try ServeJSON.data(object))))
    }
}
