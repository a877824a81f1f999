import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// The contract inside the tests: the answers of every endpoint, success and every error,
/// checked against the schemas of the /openapi.yaml the server serves.
@Suite struct ServeContractTests {
    /// One request and the route (the document's path) it falls under.
    struct Case: CustomStringConvertible {
        var method: String
        var path: String
        var route: String
        var body: Data?
        var headers: [String: String] = [:]
        var status: Int
        var description: String { "\(method) \(path) → \(status)" }
    }

    static func json(_ object: Any) -> Data { (try? JSONSerialization.data(withJSONObject: object)) ?? Data() }

    func check(_ server: Server, _ contract: OpenAPIContract, _ cases: [Case]) async throws {
        for c in cases {
            let (status, body, headers) = try await server.request(c.method, c.path, body: c.body, headers: c.headers)
            #expect(status == c.status, "\(c): \(String(decoding: body, as: UTF8.self))")
            let type = headers.first { $0.key.caseInsensitiveCompare("Content-Type") == .orderedSame }?.value
            let problems = contract.problems(method: c.method, path: c.route, status: status, contentType: type, headers: headers, body: body)
            #expect(problems.isEmpty, "\(c): \(problems.joined(separator: "\n"))")
        }
    }

    @Test func everyAnswerConformsToTheServedDocument() async throws {
        let dir = try await ServeTests.fixture.value
        let server = try await Server.start(["--model", "svm=m", "--model", "lstm=s", "--sessions-dir", "S",
                                             "--max-texts", "3", "--max-text-length", "20", "--max-body-bytes", "400"], in: dir)
        defer { server.stop() }
        let (_, yaml, _) = try await server.get("/openapi.yaml")
        let contract = try OpenAPIContract(yaml: String(decoding: yaml, as: UTF8.self))
        let classify = "/v1/classify"
        func post(_ body: String, _ status: Int) -> Case {
            Case(method: "POST", path: classify, route: classify, body: Data(body.utf8), status: status)
        }
        try await check(server, contract, [
            Case(method: "POST", path: classify, route: classify, body: Self.json(["texts": ["房间很干净", "太差了"], "top_k": 2, "explain": true]), status: 200),
            Case(method: "POST", path: classify, route: classify, body: Self.json(["texts": ["很好"], "model": "lstm", "explain": true]), status: 200),
            Case(method: "GET", path: "/v1/models", route: "/v1/models", status: 200),
            Case(method: "GET", path: "/v1/models/svm", route: "/v1/models/{name}", status: 200),
            Case(method: "GET", path: "/v1/models/lstm", route: "/v1/models/{name}", status: 200),
            Case(method: "GET", path: "/healthz", route: "/healthz", status: 200),
            Case(method: "GET", path: "/readyz", route: "/readyz", status: 200),
            Case(method: "GET", path: "/metrics", route: "/metrics", status: 200),
            Case(method: "GET", path: "/openapi.yaml", route: "/openapi.yaml", status: 200),
            post("{\"texts\": [", 400),
            post("", 400),
            post("{}", 422),
            post("[1]", 422),
            post("{\"texts\": [1]}", 422),
            post("{\"texts\": []}", 422),
            post("{\"texts\": [\"a\"], \"top_k\": 0}", 422),
            post("{\"texts\": [\"a\",\"b\",\"c\",\"d\"]}", 413),
            post("{\"texts\": [\"\(String(repeating: "x", count: 21))\"]}", 422),
            post("{\"texts\": [\"\(String(repeating: "x", count: 500))\"]}", 413),
            post("{\"texts\": [\"a\"], \"model\": \"nope\"}", 404),
            Case(method: "GET", path: "/v1/models/nope", route: "/v1/models/{name}", status: 404),
            Case(method: "GET", path: classify, route: classify, status: 405),
            Case(method: "DELETE", path: "/v1/models", route: "/v1/models", status: 405),
            Case(method: "PUT", path: "/v1/models/svm", route: "/v1/models/{name}", status: 405),
            Case(method: "POST", path: "/healthz", route: "/healthz", status: 405),
            Case(method: "POST", path: "/readyz", route: "/readyz", status: 405),
            Case(method: "POST", path: "/metrics", route: "/metrics", status: 405),
            Case(method: "POST", path: "/openapi.yaml", route: "/openapi.yaml", status: 405),
        ])

        // 401 without the token, 503 past the request timeout.
        try Data("contract-token\n".utf8).write(to: dir.appendingPathComponent("contract-token"))
        let guarded = try await Server.start(["--model-dir", "m", "--token-file", "contract-token"], in: dir)
        defer { guarded.stop() }
        try await check(guarded, contract, [
            Case(method: "POST", path: classify, route: classify, body: Self.json(["texts": ["好"]]), status: 401),
            Case(method: "GET", path: "/v1/models", route: "/v1/models", status: 401),
            Case(method: "GET", path: "/v1/models/m", route: "/v1/models/{name}", status: 401),
            Case(method: "GET", path: "/v1/models/m", route: "/v1/models/{name}", headers: ["Authorization": "Bearer contract-token"], status: 200),
        ])
        let slow = try await Server.start(["--model-dir", "m", "--batch-window-ms", "1000", "--request-timeout", "0.05"], in: dir)
        defer { slow.stop() }
        try await check(slow, contract, [
            Case(method: "POST", path: classify, route: classify, body: Self.json(["texts": ["好"]]), status: 503),
        ])
    }

    /// The validator is not vacuous: it finds what is wrong.
    @Test func theValidatorRefusesWhatTheSchemasDoNotAllow() throws {
        let contract = try OpenAPIContract(yaml: OpenAPIDocumentCopy.problemAndModelsOnly)
        func problems(_ status: Int, _ type: String, _ body: String, headers: [String: String] = [:]) -> [String] {
            contract.problems(method: "GET", path: "/v1/models", status: status, contentType: type, headers: headers, body: Data(body.utf8))
        }
        #expect(problems(200, "application/json", #"{"models": [{"name": "a", "run": null}]}"#).isEmpty)
        #expect(!problems(200, "application/json", #"{"models": [{"name": 1, "run": null}]}"#).isEmpty)
        #expect(!problems(200, "application/json", #"{"models": [{"name": "a", "run": 1.5}]}"#).isEmpty)
        #expect(!problems(200, "application/json", #"{"models": [{"run": 2}]}"#).isEmpty)
        #expect(!problems(200, "application/json", #"{"models": {}}"#).isEmpty)
        #expect(!problems(200, "text/plain", #"{"models": []}"#).isEmpty)
        #expect(!problems(418, "application/json", "{}").isEmpty)
        #expect(!problems(404, "application/problem+json", #"{"title": "x", "status": 404, "detail": "d"}"#).isEmpty)
        #expect(!problems(404, "application/problem+json", #"{"type": "t", "title": "x", "status": "404", "detail": "d"}"#).isEmpty)
        #expect(problems(503, "application/problem+json", #"{"type": "t", "title": "x", "status": 503, "detail": "d"}"#, headers: ["retry-after": "1"]).isEmpty)
        #expect(!problems(503, "application/problem+json", #"{"type": "t", "title": "x", "status": 503, "detail": "d"}"#).isEmpty)
        #expect(!problems(200, "application/json", #"{"models": [{"name": "a", "run": null, "kind": "other"}]}"#).isEmpty)
        #expect(throws: ContractError.self) { try OpenAPIContract(yaml: "a: {b: c\n") }
    }
}

/// A small document in the same YAML and schema subset as the served one.
enum OpenAPIDocumentCopy {
    static let problemAndModelsOnly = #"""
openapi: 3.1.0
info:
  title: test
  description: |
    Two lines
    of text.
security:
  - {}
  - bearer: []
paths:
  /v1/models:
    get:
      parameters:
        - name: name
          in: path
      responses:
        '200':
          description: >
            The models,
            folded.
          content:
            application/json:
              schema:
                type: object
                required: [models]
                properties:
                  models:
                    type: array
                    items:
                      type: object
                      required: [name, run]
                      properties:
                        name: {type: string}
                        run: {type: [integer, 'null'], minimum: 1}
                        kind: {enum: [neural, learner]}
        '404': {$ref: '#/components/responses/Problem'}
        '503': {$ref: '#/components/responses/Timeout'}
components:
  responses:
    Problem:
      description: x
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
    Timeout:
      description: x
      headers:
        Retry-After:
          schema: {type: integer}
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
  schemas:
    Problem:
      type: object
      required: [type, title, status, detail]
      properties:
        type: {type: string}
        status: {type: integer}
"""#
}
