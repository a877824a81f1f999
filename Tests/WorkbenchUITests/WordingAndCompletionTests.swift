import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// Issue 16's "Help and wording" list: what the help says the keys do, what the status line
/// says after `t` and `x`, Tab listing its candidates, and the search that stayed behind.
@Suite struct WordingAndCompletionTests {
    static func state(_ size: Size = Size(width: 72, height: 22)) -> WorkbenchState { GoldenScreenTests.state(size) }

    @Test func helpDescribesTheCyclesAsTheyGo() {
        let help = Self.state().helpLines
        #expect(help.contains { $0.contains("Cycle the x axis: step → relative time → wall clock") })
        #expect(help.contains { $0.contains("braille → block → half block → ASCII") })
        #expect(help.contains { $0.contains("Undo the last model edit") })
        // The order the help gives is the order the keys go in.
        #expect(XAxisMode.allCases == [.step, .relative, .wall])
    }

    @Test func aRunNamedRunIsNotRunRun() {
        var s = Self.state()
        _ = s.update(.service(.runStarted(RunInfo(id: "2", name: "run 2"))))
        #expect(s.status.lastMessage == "run 2 started")
        _ = s.update(.service(.runStarted(RunInfo(id: "3"))))
        #expect(s.status.lastMessage == "run 3 started")
    }

    @Test func trainWhileTrainingAndStopWhileIdleSayWhatHappened() {
        var s = Self.state()
        // Idle: x stops nothing and says so, without asking the service.
        #expect(calls(press(&s, .character("x"))).isEmpty)
        #expect(s.status.lastMessage == "nothing to stop: no run is training (t trains)")
        #expect(s.status.messageIsWarning)
        #expect(calls(press(&s, .character(":")) + press(&s, typed("stop") + [.enter])).isEmpty)
        // Training: t starts nothing.
        _ = s.update(.service(.stateChanged(.training)))
        #expect(calls(press(&s, .character("t"))).isEmpty)
        #expect(s.status.lastMessage == "already training: space pauses, x stops")
        #expect(calls(press(&s, .character("x"))) == [.stopTraining])
        // Paused: t resumes (and is answered as such).
        _ = s.update(.service(.stateChanged(.paused)))
        #expect(calls(press(&s, .character("t"))) == [.resumeTraining])
    }

    @Test func trainTakesANumberOfEpochs() {
        var s = Self.state()
        func command(_ text: String) -> [ServiceCall] { calls(press(&s, [.character(":")] + typed(text) + [.enter])) }
        #expect(command("train 1") == [.trainEpochs(1)])
        _ = s.update(.reply(.command(.trainEpochs(1), .done(nil))))
        #expect(s.status.lastMessage == "training 1 epoch")
        #expect(command("train") == [.startTraining])
        #expect(command("train zero").isEmpty)
        #expect(s.status.lastMessage == ":train takes a whole number of epochs ≥ 1, e.g. :train 3")
        #expect(command("train 0").isEmpty)
    }

    @Test func optimizerCommandCarriesItsTextToTheService() {
        var s = Self.state()
        func command(_ text: String) -> [ServiceCall] { calls(press(&s, [.character(":")] + typed(text) + [.enter])) }
        #expect(command("optimizer sgd:momentum=0.9:nesterov") == [.changeSettings(.optimizer("sgd:momentum=0.9:nesterov"))])
        #expect(command("optimizer").isEmpty)
        #expect(s.status.lastMessage.hasPrefix(":optimizer needs sgd, adam, adamw or rmsprop"))
    }

    // MARK: Tab

    @Test func tabCompletesAUniqueNameAndListsSeveral() {
        #expect(Commands.complete("optim") == Commands.Completion(text: "optimizer ", candidates: ["optimizer"]))
        let t = Commands.complete("t")
        #expect(t.text == "t")
        #expect(t.candidates.starts(with: ["train", "theme", "themes"]))
        #expect(t.candidates.allSatisfy { $0.hasPrefix("t") })
        #expect(Commands.complete("them") == Commands.Completion(text: "theme", candidates: ["theme", "themes"]))
        #expect(Commands.complete("zz").candidates.isEmpty)
        // Arguments: the words of the usage, or what the caller knows.
        #expect(Commands.complete("xaxis r") == Commands.Completion(text: "xaxis relative ", candidates: ["relative"]))
        #expect(Commands.complete("render b").candidates == ["braille", "block"])
        #expect(Commands.complete("preset fa", arguments: { _ in ["lstm", "fasttext", "fasttext:ngrams=2"] })
                == Commands.Completion(text: "preset fasttext", candidates: ["fasttext", "fasttext:ngrams=2"]))
        #expect(Commands.complete("lr 0.0").candidates.isEmpty)
    }

    @Test func tabOnTheLineShowsTheCandidates() {
        var s = Self.state()
        press(&s, [.character(":"), .character("t"), .tab])
        #expect(s.commandEditor.text == "t")
        let grid = rows(s.render().grid, 20..<22)
        expectScreen(grid, """
             reviews │ idle │ 6 candidates: train  theme  themes  top  training_se…
            :t
            """)
        press(&s, [.character("h"), .character("e"), .character("m"), .character("e"), .character("s"), .tab])
        #expect(s.commandEditor.text == "themes ")
        press(&s, [.escape, .character(":")] + typed("preset ") + [.tab])
        #expect(s.status.lastMessage == "3 candidates: lstm  cnn  svm")
        press(&s, [.character("c"), .tab])
        #expect(s.commandEditor.text == "preset cnn ")
    }

    // MARK: Messages and the search

    @Test func aLongMessageEndsWithAnEllipsisAndPushesTheRateOut() {
        var s = Self.state(Size(width: 72, height: 22))
        _ = s.update(.service(.stateChanged(.training)))
        _ = s.update(.service(.batch(BatchProgress(run: "1", epoch: 2, epochs: 3, batch: 5, batchesPerEpoch: 10, step: 15,
                                                    loss: 0.4, accuracy: 0.8, samplesPerSecond: 1_150, eta: 95,
                                                    relativeTime: 7.5, wallTime: 1_700_000_007.5))))
        _ = s.update(.service(.warning("the loss became NaN or infinite at epoch 2, batch 5: training paused. Lower the learning rate")))
        // The rate and the ETA make room; the message ends with … where it is cut.
        expectScreen(rows(s.render().grid, 20..<21), """
             reviews │ training │ epoch 2/3 · batch 5/10 │ the loss became NaN or …
            """)
    }

    @Test func theSearchStaysWithItsSession() {
        var s = Self.state(Size(width: 120, height: 30))
        press(&s, [.character("/")] + typed("soup") + [.enter])
        #expect(s.dataset.query == "soup")
        #expect(s.render().grid.text().contains("/soup: 1 match"))
        var other = GoldenScreenTests.snapshot()
        other.sessionName = "topics"
        _ = s.update(.reply(.session(.loaded(other))))
        #expect(s.dataset.query.isEmpty)
        #expect(s.dataset.matchCount == 0)
        #expect(!s.render().grid.text().contains("/soup"))
    }
}
