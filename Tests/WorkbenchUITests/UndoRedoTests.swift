import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// `u` and Ctrl-R in the model pane: they go to the service as edits (one at a time, like
/// every edit), and the model pane shows the model they bring back.
@Suite struct UndoRedoTests {
    /// Runs `effects`' calls on `fake` and feeds the answers back, until nothing is left.
    static func drive(_ s: inout WorkbenchState, _ fake: FakeWorkbenchService, _ effects: [Effect]) async {
        var queue = calls(effects)
        while !queue.isEmpty {
            let reply = await ServiceCaller.send(queue.removeFirst(), to: fake)
            queue += calls(s.update(.reply(reply)))
        }
    }

    @Test func keysSendUndoAndRedoInTurn() async {
        var s = await loadedState()
        press(&s, .character("2"))
        #expect(calls(press(&s, .character("u"))) == [.edit(.undo)])
        // Ctrl-R waits for the undo's answer, as edits do.
        #expect(calls(press(&s, .control("r"))).isEmpty)
        let next = s.update(.reply(.edit(.undo, .refused("nothing to undo"))))
        #expect(s.status.lastMessage == "refused: nothing to undo")
        #expect(calls(next) == [.edit(.redo)])
        // The command line has them too.
        _ = s.update(.reply(.edit(.redo, .refused("nothing to redo"))))
        #expect(calls(press(&s, [.character(":")] + typed("undo") + [.enter])) == [.edit(.undo)])
    }

    @Test func undoBringsBackTheModelAndRedoTheEdit() async {
        let fake = FakeWorkbenchService(configuration: .init(batchInterval: nil))
        var s = WorkbenchState(size: Size(width: 72, height: 22))
        _ = s.update(.reply(.snapshot(await fake.snapshot())))
        let before = s.model.model
        press(&s, .character("2"))
        await Self.drive(&s, fake, press(&s, [.down, .character(":")] + typed("units 32") + [.enter]))
        let deleted = s.model.model
        #expect(deleted != before)
        await Self.drive(&s, fake, press(&s, .character("u")))
        #expect(s.model.model == before)
        #expect(s.status.lastMessage == "model: undo")
        let undone = s.render().grid
        await Self.drive(&s, fake, press(&s, .control("r")))
        #expect(s.model.model == deleted)
        await Self.drive(&s, fake, press(&s, .character("u")))
        #expect(s.render().grid.text() == undone.text(), "undo after redo draws the same screen")
        expectScreen(rows(s.render().grid, 10..<22), """
            ┏━ 2 Model · 45,441 params ━┓│                                         │
            ┃Input (None, 100)          ┃└─────────────────────────────────────────┘
            ┃  Embedding(64)      12,352┃┌─ 4 Console ─────────────────────────────┐
            ┃  ↓                        ┃│  press 4 and type to classify           │
            ┃▸ LSTM(64)           33,024┃│                                         │
            ┃  ↓                        ┃│                                         │
            ┃  Dense(1, sigmoid)      65┃│                                         │
            ┃                           ┃│                                         │
            ┃45,441 params · Adam · bin…┃│                                         │
            ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━┛└─────────────────────────────────────────┘
             demo │ idle │ model: undo
             a add  d delete  e edit  K move up  J move down  P preset  z zoom
            """)
    }
}
