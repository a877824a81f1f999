import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// The `o` list deletes (after a question) and exports (to a folder typed in the prompt).
@Suite struct SessionsOverlayTests {
    static let sessions = [SessionSummary(name: "news", detail: "CNN · 2 runs"),
                           SessionSummary(name: "reviews", detail: "LSTM(32) · 1 run")]

    static func listed() -> WorkbenchState {
        var s = GoldenScreenTests.state()
        press(&s, .character("o"))
        _ = s.update(.reply(.sessions(sessions)))
        return s
    }

    @Test func deleteAsksFirstThenDeletesAndListsAgain() {
        var s = Self.listed()
        press(&s, .up)
        #expect(calls(press(&s, .character("d"))).isEmpty)
        #expect(s.overlay == .confirm(.deleteSession("news"), message: "Delete session news with all its runs? This cannot be undone."))
        // Too wide for the screen: the question wraps instead of losing its (y/n).
        expectScreen(rows(s.render().grid, 8..<13), """
            ┃┏━ Confirm ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓│
            ┗┃ Delete session news with all its runs? This cannot be undone.      ┃│
            ┌┃ (y/n)                                                              ┃│
            │┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛┘
            │▸ Embedding(64)      64,000│┌─ 4 Console ─────────────────────────────┐
            """)
        // Ctrl-C does not say yes to a deletion.
        #expect(calls(press(&s, .control("c"))) == [.listSessions])
        #expect(s.overlay.map { if case .picker = $0 { true } else { false } } == true)
        _ = s.update(.reply(.sessions(Self.sessions)))
        press(&s, .up, .character("d"))
        #expect(calls(press(&s, .character("y"))) == [.deleteSession("news")])
        #expect(s.overlay == nil)
        #expect(calls(s.update(.reply(.command(.deleteSession("news"), .done("deleted session news"))))) == [.listSessions])
        #expect(s.status.lastMessage == "deleted session news")
    }

    @Test func theOpenSessionIsNotDeleted() {
        var s = Self.listed()
        #expect(s.overlay.flatMap { if case let .picker(p) = $0 { p.selected?.value } else { nil } } == "reviews")
        #expect(calls(press(&s, .character("d"))).isEmpty)
        #expect(s.status.lastMessage == "reviews is open: open another session before deleting it")
    }

    @Test func exportAsksForAFolder() {
        var s = Self.listed()
        press(&s, .up, .character("e"))
        #expect(s.bottom == .prompt(.exportSession("news")))
        #expect(s.promptEditor.text == "news-model")
        expectScreen(rows(s.render().grid, 21..<22), """
            Export news's model to folder: news-model
            """)
        press(&s, [Key](repeating: .backspace, count: 5))
        #expect(calls(press(&s, typed("export") + [.enter])) == [.exportSession("news", to: "news-export")])
        #expect(s.status.lastMessage == "exporting news to news-export…")
    }

    @Test func theFakeServiceDeletesAndExports() async {
        let fake = FakeWorkbenchService(configuration: .init(batchInterval: nil))
        _ = await fake.newSession(named: "other")
        _ = await fake.openSession(named: "demo")
        #expect(await fake.listSessions().map(\.name).contains("other"))
        #expect(await fake.deleteSession(named: "demo") == .refused("demo is open: open another session before deleting it"))
        #expect(await fake.exportSession(named: "other", to: "out") == .done("exported other's model to out"))
        #expect(await fake.deleteSession(named: "other") == .done("deleted session other"))
        #expect(await !fake.listSessions().map(\.name).contains("other"))
        #expect(await fake.listSessions().map(\.name).contains("demo"))
    }
}
