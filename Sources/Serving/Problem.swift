import Foundation
import Hummingbird

/// An error answered as RFC 9457 `application/problem+json`: the status, a short title and a
/// detail that says what was wrong with the request.
struct Problem: Error, Sendable {
    var status: HTTPResponse.Status
    var detail: String
    /// Extra headers (`Allow` for 405, `WWW-Authenticate` for 401).
    var headers: HTTPFields = [:]

    static let contentType = "application/problem+json"

    var response: Response {
        let object: [String: Any] = ["type": "about:blank", "title": status.reasonPhrase, "status": status.code, "detail": detail]
        let body = (try? ServeJSON.data(object)) ?? Data()
        var fields = headers
        fields[.contentType] = Self.contentType
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func badRequest(_ detail: String) -> Problem { Problem(status: .badRequest, detail: detail) }
    static func unprocessable(_ detail: String) -> Problem { Problem(status: .unprocessableContent, detail: detail) }
    static func tooLarge(_ detail: String) -> Problem { Problem(status: .contentTooLarge, detail: detail) }
    static func notFound(_ detail: String) -> Problem { Problem(status: .notFound, detail: detail) }
}
