import Testing
import TerminalUI
@testable import WorkbenchUI

/// `:serve [port]` and `:serve stop` go to the service; the status line shows where the
/// console's model is served and how many requests a second it answers, until it stops.
@Suite struct ServeCommandTests {
    @Test func serveCommandsGoToTheService() async {
        var s = await loadedState(size: Size(width: 120, height: 30))
        func command(_ text: String) -> [ServiceCall] { calls(press(&s, [.character(":")] + typed(text) + [.enter])) }
        #expect(command("serve") == [.serve(port: nil)])
        #expect(command("serve 9000") == [.serve(port: 9000)])
        #expect(command("serve 0") == [.serve(port: 0)])
        #expect(command("serve stop") == [.stopServing])
        #expect(command("serve 70000").isEmpty)
        #expect(s.render().grid.text().contains(":serve takes a port (0 to 65535; 0: any free one) or stop"))
        #expect(command("serve eighty").isEmpty)
    }

    @Test func theStatusLineShowsTheAddressAndTheRequestRateUntilServingStops() {
        var s = GoldenScreenTests.state(Size(width: 100, height: 22))
        _ = s.update(.reply(.command(.serve(port: 8080), .done("serving reviews at http://127.0.0.1:8080"))))
        _ = s.update(.service(.serving(ServingSnapshot(address: "http://127.0.0.1:8080"))))
        _ = s.update(.service(.serving(ServingSnapshot(address: "http://127.0.0.1:8080", requestsPerSecond: 1_234))))
        expectScreen(rows(s.render().grid, 20..<21), """
             reviews │ idle │ serving http://127.0.0.1:8080 · 1,234 req/s │ serving reviews at http://127.0.0.…
            """)
        _ = s.update(.service(.serving(ServingSnapshot(address: "http://127.0.0.1:8080", requestsPerSecond: 2.5))))
        #expect(s.statusParts.last == "serving http://127.0.0.1:8080 · 2.5 req/s")
        _ = s.update(.reply(.command(.stopServing, .done("stopped serving at http://127.0.0.1:8080"))))
        _ = s.update(.service(.serving(nil)))
        expectScreen(rows(s.render().grid, 20..<21), """
             reviews │ idle │ stopped serving at http://127.0.0.1:8080
            """)
        // A port in use is a refusal in the warning colour, not a crash.
        _ = s.update(.reply(.command(.serve(port: 8080), .refused(":serve: port 8080 is in use: give another (:serve PORT, or :serve 0 for any free one)"))))
        #expect(s.status.messageIsWarning)
        #expect(s.statusParts.allSatisfy { !$0.hasPrefix("serving") })
    }
}
