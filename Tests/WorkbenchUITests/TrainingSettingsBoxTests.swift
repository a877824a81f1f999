import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// The model pane's optimiser box opens with `O` as a list of the training settings, each with
/// its value; Enter puts its `:` command on the line, and the value typed goes to the service
/// for the next run.
@Suite struct TrainingSettingsBoxTests {
    static func state() -> WorkbenchState {
        var snapshot = GoldenScreenTests.snapshot()
        snapshot.model?.fit = [NamedValue("epochs", "3"), NamedValue("batch size", "32")]
        var s = WorkbenchState(size: Size(width: 72, height: 22))
        _ = s.update(.reply(.snapshot(snapshot)))
        press(&s, .character("2"))
        return s
    }

    @Test func theBoxListsTheSettingsAndEditsOne() {
        var s = Self.state()
        #expect(calls(press(&s, .character("O"))).isEmpty)
        expectScreen(s.render().grid, """
            ┌─ 1 Dataset · reviews.tsv ─┐┌─ 3 Chart · 1 run ───────────────────────┐
            │reviews.tsv  220 examples …││smooth 0.60 · x step · batch · braille ·…│
            │pos   █████████ 120  55%   ││                  loss                   │
            │… 2 more labels            ││0.6 ┤⠉⠒⠲⠶⢦⣤⣤⣤⣄⣀       ⣀⣀⡀                │
            │token┏━ Training settings (Enter: change, for the next run) ━━━┓⣤⠤⠤⢄⣀⣀│
            │─ exa┃ ▸ Optimizer             Adam                            ┃⣀⠉⠉⠉⠒⠒│
            │pos g┃   Learning rate         0.001                           ┃⠉⠛⠛⠶⠶⣤│
            │neg c┃   Schedule              constant                        ┃─────┬│
            │pos l┃   Batch size            32                              ┃    20│
            └─────┃   Epochs                3                               ┃063   │
            ┏━ 2 M┃   Early stopping        EarlyStopping(val_loss, patienc…┃      │
            ┃Input┃   Reduce LR on plateau  off                             ┃──────┘
            ┃▸ Emb┃   Class weights         pos=2, neg=1                    ┃──────┐
            ┃  ↓  ┃   Checkpoint            best or last                    ┃      │
            ┃  LST┃ Enter choose · Esc cancel                               ┃      │
            ┃  ↓  ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛      │
            ┃  Dense(1, sigmoid)      33┃│                                         │
            ┃                           ┃│                                         │
            ┃76,449 params · Adam · bin…┃│                                         │
            ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━┛└─────────────────────────────────────────┘
             reviews │ idle
             ↑↓ move  Enter choose  Esc cancel
            """)
        // Learning rate: the command line takes the value.
        press(&s, .down, .enter)
        #expect(s.bottom == .command)
        #expect(s.commandEditor.text == "lr ")
        #expect(calls(press(&s, typed("0.01") + [.enter])) == [.changeSettings(.learningRate(0.01))])
        // Optimiser and epochs the same way.
        press(&s, .character("O"), .enter)
        #expect(calls(press(&s, typed("sgd:momentum=0.9") + [.enter])) == [.changeSettings(.optimizer("sgd:momentum=0.9"))])
        press(&s, [.character("O"), .down, .down, .down, .down, .enter])
        #expect(s.commandEditor.text == "epochs ")
        #expect(calls(press(&s, typed("5") + [.enter])) == [.changeSettings(.epochs(5))])
    }

    @Test func aLearnerHasNoSettingsToList() {
        var s = Self.state()
        var learner = GoldenScreenTests.model
        learner.fit = []
        _ = s.update(.service(.modelChanged(learner)))
        press(&s, .character("O"))
        guard case let .picker(p)? = s.overlay else { Issue.record("no list"); return }
        #expect(p.items.isEmpty && p.emptyText.hasPrefix("a learner trains in one go"))
    }
}
