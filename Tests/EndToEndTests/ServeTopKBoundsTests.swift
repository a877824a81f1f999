import Foundation
import Testing
import TestSupport

/// What schemathesis (Benchmarks/serve/fuzz.py) found: a top_k the contract allows (a whole
/// number ≥ 1, no maximum) past Int's range was refused as "the body is not valid JSON" (400),
/// and so was a fractional top_k, which is a wrong-typed field (422).
@Suite struct ServeTopKBoundsTests {
    @Test func aWholeTopKPastIntsRangeListsEveryClass() async throws {
        let dir = try await ServeTests.fixture.value
        let server = try await Server.start(["--model-dir", "m"], in: dir)
        defer { server.stop() }
        for k in ["9223372036854775808", "11514647662775035181924352", "1e30"] {
            let body = Data(#"{"texts": ["很好", "太差"], "top_k": \#(k)}"#.utf8)
            let (status, data, _) = try await server.request("POST", "/v1/classify", body: body)
            #expect(status == 200, "top_k \(k): \(String(decoding: data, as: UTF8.self))")
            let results = server.parsed(data)["results"] as? [[String: Any]] ?? []
            #expect(results.count == 2 && results.allSatisfy { ($0["top"] as? [[String: Any]])?.count == 2 }, "top_k \(k): \(results)")
        }
    }

    @Test func aFractionalOrHugeNegativeTopKIsAFieldError() async throws {
        let dir = try await ServeTests.fixture.value
        let server = try await Server.start(["--model-dir", "m"], in: dir)
        defer { server.stop() }
        for k in ["2.5", "-11514647662775035181924352"] {
            let body = Data(#"{"texts": ["很好"], "top_k": \#(k)}"#.utf8)
            let (status, data, headers) = try await server.request("POST", "/v1/classify", body: body)
            let problem = server.parsed(data)
            #expect(status == 422, "top_k \(k): \(String(decoding: data, as: UTF8.self))")
            #expect(headers.first { $0.key.lowercased() == "content-type" }?.value.hasPrefix("application/problem+json") == true)
            #expect((problem["detail"] as? String ?? "").contains("top_k"), "top_k \(k): \(problem)")
        }
    }
}
