import Engine
import Foundation
import Learners
import Testing
import TextData
@testable import Sessions

/// Autotune's search mechanics on small synthetic data: halving, limits, failures, the
/// winner as the current run, and a search started again after a stop.
@Suite struct TunerTests {
    /// A session on `count` synthetic examples (20% held out), for `body`.
    func withSession<T: Sendable>(count: Int = 300, validation: SessionSetup.Validation = .split(0.2),
                                  _ body: (SessionManager, SessionHandle) async throws -> T) async throws -> T {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        try Synthetic.write(to: data, count: count)
        let store = SessionStore(root: tmp.file("S"))
        return try await withManager(store) { m in
            var setup = Synthetic.setup(data: data, epochs: 1)
            setup.validation = validation
            let handle = try await m.create("t", setup: setup)
            let r = try await body(m, handle)
            _ = tmp
            return r
        }
    }

    func recipes(_ specs: [String]) throws -> [LearnerRecipe] {
        try specs.map { try #require(try LearnerRecipe.parse($0)) }
    }

    /// Weak stumps and one linear SVM, which the words decide for: 9 candidates, eta 3.
    var nine: [String] {
        (1...8).map { "tree:depth=1:leaf=\($0 * 5)" }.inserted("svm:c=1", at: 5)
    }

    @Test func halvingPromotesTheBestThirdOfEachRungAndKeepsTheBest() async throws {
        let candidates = try recipes(nine)
        let outcome = try await withSession { _, handle in
            try await Tuner(handle: handle, space: TuneSearchSpace(families: [.learners], seed: 1),
                            options: TuneOptions(candidates: 9, minimumExamples: 20)).run(candidates: candidates)
        }
        let rungs = Dictionary(grouping: outcome.trials, by: \.rung)
        #expect(rungs[0]?.count == 9 && rungs[1]?.count == 3 && rungs[2]?.count == 1, "\(outcome.trials.map { ($0.rung, $0.recipe.spec) })")
        #expect(rungs[0]?.allSatisfy { !$0.isFull && $0.trainingExamples < 240 } == true)
        #expect(rungs[2]?.allSatisfy { $0.isFull && $0.run != nil } == true)
        // Each rung's survivors are the previous rung's best third (ties: the earlier candidate).
        for r in 0..<2 {
            let previous = rungs[r] ?? []
            let ranked = previous.indices.sorted { a, b in
                let (x, y) = (previous[a].score ?? -1, previous[b].score ?? -1)
                return x != y ? x > y : a < b
            }
            let expected = Set(ranked.prefix(previous.count / 3).map { previous[$0].recipe.spec })
            #expect(Set((rungs[r + 1] ?? []).map(\.recipe.spec)) == expected)
        }
        #expect(outcome.winner?.recipe.spec == "svm:c=1", "\(outcome.trials.map { ($0.recipe.spec, $0.score ?? -1) })")
        #expect((outcome.winner?.score ?? 0) > 0.9)
        #expect(outcome.ended == "exhausted")
    }

    @Test func theSameSeedAndTrialCountRepeatExactly() async throws {
        func search() async throws -> [String] {
            try await withSession { _, handle in
                let outcome = try await Tuner(handle: handle, space: TuneSearchSpace(families: [.learners, .fasttext], seed: 5),
                                              options: TuneOptions(candidates: 7, bracketSize: 4, minimumExamples: 20)).run()
                return outcome.trials.map { "\($0.rung) \($0.trainingExamples) \($0.recipe.spec) \($0.score ?? -1) \($0.run ?? 0)" }
            }
        }
        let first = try await search()
        #expect(try await search() == first)
        // 3 starting points and 4 sampled candidates: at most 7 distinct candidates.
        #expect(Set(first.map { $0.split(separator: " ")[2] }).count == 7, "\(first)")
        #expect(first.count == 3 + 4 + 1, "starting points, a bracket of 4 (rung 0), its best on all examples: \(first)")
    }

    @Test func theSearchStopsBetweenTrialsWhenAskedAndKeepsTheBestSoFar() async throws {
        let counter = Counter()
        let (outcome, current) = try await withSession { _, handle in
            let outcome = try await Tuner(handle: handle, space: TuneSearchSpace(families: [.learners], seed: 3),
                                          options: TuneOptions(candidates: 100, minimumExamples: 20))
                .run(shouldStop: { counter.value >= 4 }, progress: { _ in counter.increment() })
            return (outcome, await handle.record.currentRun.id)
        }
        #expect(outcome.trials.count == 4)
        #expect(outcome.ended == "stopped")
        #expect(outcome.winner != nil, "the starting points ran on all examples")
        #expect(outcome.winner?.run == current)
    }

    @Test func aBudgetAlreadySpentStartsNoTrial() async throws {
        let outcome = try await withSession { _, handle in
            try await Tuner(handle: handle, space: TuneSearchSpace(families: [.learners], seed: 3),
                            options: TuneOptions(budget: 1e-9)).run()
        }
        #expect(outcome.trials.isEmpty && outcome.ended == "budget" && outcome.winner == nil)
    }

    @Test func aFailingTrialIsRecordedAndSkipped() async throws {
        let candidates = try recipes(["svm:mindf=100000", "nb", "svm:c=1"])
        let (outcome, runs) = try await withSession { _, handle in
            let o = try await Tuner(handle: handle, space: TuneSearchSpace(families: [.learners], seed: 1),
                                    options: TuneOptions(candidates: 3, minimumExamples: 1000)).run(candidates: candidates)
            return (o, await handle.record.runs.count)
        }
        let failed = try #require(outcome.trials.first { $0.recipe.spec == "svm:mindf=100000" })
        #expect(failed.score == nil)
        #expect(failed.failure?.contains("minDF") == true, "\(failed.failure ?? "")")
        #expect(outcome.trials.filter { $0.score != nil }.count == 2)
        #expect(outcome.winner != nil && outcome.winner?.recipe.spec != "svm:mindf=100000")
        #expect(runs >= 4, "the first run, and one per trial (the failed one included)")
    }

    @Test func theWinnerIsTheSessionsCurrentRun() async throws {
        // The best (the SVM) is trained first, a weaker one last: the winner is trained again.
        let candidates = try recipes(["svm:c=1", "tree:depth=1"])
        let (outcome, record) = try await withSession { _, handle in
            let o = try await Tuner(handle: handle, space: TuneSearchSpace(families: [.learners], seed: 1),
                                    options: TuneOptions(candidates: 2, bracketSize: 2, minimumExamples: 1000)).run(candidates: candidates)
            return (o, await handle.record)
        }
        let winner = try #require(outcome.winner)
        #expect(winner.recipe.spec == "svm:c=1")
        #expect(record.currentRun.id == winner.run)
        #expect(outcome.retrainedWinner, "the tree was trained last: the SVM is trained again")
        guard case let .learner(l) = record.currentRun.kind else { Issue.record("the current run is not a learner run"); return }
        #expect(l.recipe == winner.recipe)
    }

    @Test func aSearchStartedAgainReusesTheRunsItTrained() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        try Synthetic.write(to: data, count: 300)
        let store = SessionStore(root: tmp.file("S"))
        let options = TuneOptions(candidates: 6, bracketSize: 3, minimumExamples: 20)
        let space = TuneSearchSpace(families: [.learners], seed: 9)
        let counter = Counter()
        let first = try await withManager(store) { m in
            let handle = try await m.create("t", setup: Synthetic.setup(data: data, epochs: 1))
            return try await Tuner(handle: handle, space: space, options: options)
                .run(shouldStop: { counter.value >= 2 }, progress: { _ in counter.increment() })
        }
        #expect(first.ended == "stopped" && first.trials.count == 2)
        let (second, runs) = try await withManager(store) { m in
            let handle = try await m.open("t")
            let o = try await Tuner(handle: handle, space: space, options: options).run()
            return (o, await handle.record.runs)
        }
        // The two starting points trained before the stop are kept, not trained again.
        #expect(second.trials.prefix(2).allSatisfy { $0.reused }, "\(second.trials.map { ($0.recipe.spec, $0.reused) })")
        #expect(second.trials.prefix(2).map(\.score) == first.trials.map(\.score))
        #expect(second.trials.dropFirst(2).allSatisfy { !$0.reused })
        #expect(runs.count > 3)
    }

    @Test func foldsScoreOnTheTrainingExamplesOnly() async throws {
        let candidates = try recipes(["svm:c=1", "tree:depth=1"])
        let outcome = try await withSession(count: 120, validation: .none) { _, handle in
            try await Tuner(handle: handle, space: TuneSearchSpace(families: [.learners], seed: 1),
                            options: TuneOptions(folds: 4, candidates: 2, minimumExamples: 20)).run(candidates: candidates)
        }
        #expect(outcome.trials.allSatisfy { $0.score != nil })
        #expect(outcome.winner?.recipe.spec == "svm:c=1")
        // Without folds, a session without validation examples is refused with the reason.
        await #expect(throws: SessionError.self) {
            try await withSession(count: 60, validation: .none) { _, handle in
                try await Tuner(handle: handle, space: TuneSearchSpace(families: [.learners], seed: 1),
                                options: TuneOptions(candidates: 1)).run()
            }
        }
    }

    @Test func candidatesDependOnlyOnTheSeedAndTheirNumberAndParse() throws {
        let a = TuneSearchSpace(families: [.learners, .fasttext], seed: 11)
        let b = TuneSearchSpace(families: [.learners, .fasttext], seed: 11)
        let specsA = (0..<40).compactMap { a.candidate($0)?.spec }
        #expect(specsA.count == 40)
        #expect(specsA == (0..<40).compactMap { b.candidate($0)?.spec })
        #expect(Set(specsA).count > 30, "varied")
        #expect(specsA.contains { $0.hasPrefix("fasttext") } && specsA.contains { $0.contains("analyzer=chars") })
        for s in specsA { #expect(try LearnerRecipe.parse(s)?.spec == s) }
        let onlyFastText = TuneSearchSpace(families: [.fasttext], seed: 11)
        #expect((0..<10).allSatisfy { onlyFastText.candidate($0)?.kind == .fasttext })
        #expect(TuneSearchSpace(families: [.neural], seed: 1).candidate(0) == nil)
        #expect(throws: SessionError.self) { try TuneFamily.parseList("learners,trees") }
    }
}

/// A counter shared with the tuner's callbacks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

extension Array {
    fileprivate func inserted(_ e: Element, at i: Int) -> [Element] {
        var copy = self
        copy.insert(e, at: i)
        return copy
    }
}
