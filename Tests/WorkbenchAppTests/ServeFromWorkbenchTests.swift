import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import Sessions
import Testing
import WorkbenchUI
@testable import WorkbenchApp

/// `:serve` over a real session: the console's model answers over HTTP on loopback (the same
/// server as `workbench serve`), a port in use is refused with a clear reason, and the server
/// stops on `:serve stop` and when the workbench shuts down.
@Suite struct ServeFromWorkbenchTests {
    static func get(_ url: String, body: Data? = nil) async throws -> (Int, Data) {
        var r = URLRequest(url: URL(string: url)!)
        r.timeoutInterval = 20
        if let body {
            r.httpMethod = "POST"
            r.httpBody = body
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: r)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// A loopback socket listening on a free port (for a port in use); closed by the caller.
    static func occupiedPort() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CocoaError(.fileNoSuchFile) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 1) == 0 else { close(fd); throw CocoaError(.fileWriteUnknown) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func serveAnswersOverHTTPRefusesAPortInUseAndStops() async throws {
        let f = try await RunsBeginWithTrainingTests.launch()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        let s = f.service
        guard case let .done(message) = await s.startServing(port: 0) else { Issue.record("not served"); await s.shutdown(); return }
        let address = try #require(message?.firstMatch(of: /http:\/\/127\.0\.0\.1:\d+/).map { String($0.output) }, "\(message ?? "")")
        #expect(message?.contains("serve.log") == true)
        var (status, body) = try await Self.get(address + "/healthz")
        #expect(status == 200)
        (status, body) = try await Self.get(address + "/v1/classify", body: Data(#"{"texts": ["good", "bad"]}"#.utf8))
        #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")
        let results = ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["results"] as? [Any]
        #expect(results?.count == 2)
        // Its access log went to the file, not the terminal.
        let log = (try? String(contentsOf: f.dir.appendingPathComponent("S/serve.log"), encoding: .utf8)) ?? ""
        #expect(log.contains("POST /v1/classify 200"), "\(log)")
        #expect(await s.startServing(port: 0) == .refused("already serving at \(address): :serve stop first"))

        #expect(await s.stopServing() == .done("stopped serving at \(address)"))
        await #expect(throws: (any Error).self) { _ = try await Self.get(address + "/healthz") }
        #expect(await s.stopServing() == .refused("not serving: :serve [port] starts"))

        // A port in use: refused, naming it; nothing served.
        let occupied = try Self.occupiedPort()
        defer { close(occupied.fd) }
        #expect(await s.startServing(port: occupied.port)
                == .refused(":serve: port \(occupied.port) is in use: give another (:serve PORT, or :serve 0 for any free one)"))

        // Quitting the workbench stops the server.
        guard case let .done(again) = await s.startServing(port: 0),
              let second = again?.firstMatch(of: /http:\/\/127\.0\.0\.1:\d+/).map({ String($0.output) }) else {
            Issue.record("not served again"); await s.shutdown(); return
        }
        (status, _) = try await Self.get(second + "/readyz")
        #expect(status == 200)
        await s.shutdown()
        await #expect(throws: (any Error).self) { _ = try await Self.get(second + "/healthz") }
    }
}
