import Basics
import Engine
import Foundation
import Learners
import TextData

/// How autotune searches, and when it stops.
public struct TuneOptions: Sendable {
    public var metric: TuneMetric
    /// K-fold cross-validation on the training examples instead of the session's validation
    /// examples (small data sets: the choice is then less a matter of noise).
    public var folds: Int?
    /// Stop starting trials once this much time has gone (a trial under way finishes first).
    public var budget: TimeInterval?
    /// Search at most this many candidates (the starting points count); with the same seed, an
    /// exact repeat.
    public var candidates: Int?
    /// Successive halving keeps the best 1/`eta` of each rung for the next, `eta` times larger.
    public var eta: Int
    /// Candidates per halving bracket.
    public var bracketSize: Int
    /// The smallest training subset a rung fits on.
    public var minimumExamples: Int

    public init(metric: TuneMetric = .accuracy, folds: Int? = nil, budget: TimeInterval? = nil, candidates: Int? = nil,
                eta: Int = 3, bracketSize: Int = 27, minimumExamples: Int = 60) {
        self.metric = metric; self.folds = folds; self.budget = budget; self.candidates = candidates
        self.eta = eta; self.bracketSize = bracketSize; self.minimumExamples = minimumExamples
    }

    func validate() throws {
        func bad(_ field: String, _ why: String) -> SessionError { .invalidSetting(field: field, reason: why) }
        if let k = folds, k < 2 || k > 20 { throw bad("folds", "must be in 2...20, got \(k)") }
        if let b = budget, !(b > 0 && b.isFinite) { throw bad("budget", "must be a positive time, got \(b) s") }
        if let n = candidates, n < 1 { throw bad("trials", "must be at least 1, got \(n)") }
        if budget == nil && candidates == nil { throw bad("budget", "give a time budget or a number of trials") }
        guard eta >= 2 else { throw bad("eta", "must be at least 2, got \(eta)") }
        guard bracketSize >= 1 else { throw bad("bracket", "must be at least 1, got \(bracketSize)") }
    }
}

/// One trial: a candidate fitted on a share of the training examples and scored.
public struct TuneTrial: Sendable, Equatable {
    public var number: Int
    public var recipe: LearnerRecipe
    /// The halving rung (0: the smallest subset); `isFull` when it fits all training examples.
    public var rung: Int
    public var trainingExamples: Int
    public var isFull: Bool
    /// The metric on validation (or the folds' mean); nil when the trial failed.
    public var score: Double?
    /// Why it failed.
    public var failure: String?
    /// The session run that holds the model (trials on all training examples).
    public var run: Int?
    /// Whether the run was already in the session (a search resumed after a stop).
    public var reused: Bool
    public var seconds: Double
}

/// Where a search stands, after each trial.
public struct TuneProgress: Sendable {
    public var trial: TuneTrial
    public var trialsDone: Int
    public var best: TuneTrial?
    /// Time left of the budget (nil without one).
    public var secondsLeft: Double?
}

/// The outcome of a search.
public struct TuneOutcome: Sendable {
    public var trials: [TuneTrial]
    /// The best trial on all training examples: its run is the session's current run.
    public var winner: TuneTrial?
    /// Why the search ended: "budget", "trials", "stopped" or "exhausted".
    public var ended: String
    /// Whether the winner was trained once more at the end, to be the last (current) run.
    public var retrainedWinner: Bool
    public var seconds: Double
}

/// Autotune: successive halving over training-set size across the learner families, with the
/// session's runs as the trials on all training examples (so the leaderboard fills as it goes
/// and every finalist can be inspected, used, exported and served).
///
/// - Bracket 0 tries the search space's starting points on all training examples. Then come
///   brackets of `bracketSize` sampled candidates: rung 0 fits each on a seeded subset of the
///   training examples `eta^R` times smaller than the whole, and each rung keeps the best
///   1/`eta` (ties: the earlier candidate) for the next, `eta` times larger, up to all of them.
/// - Scores: the metric on the session's validation examples; with `folds`, the mean over K
///   seeded folds of the training examples (each fit on the subset's share of the others).
///   The search never sees test data.
/// - Trials on all training examples are session runs (`trainLearner`); one whose recipe the
///   session already trained is reused, so a search stopped and started again with the same
///   seed picks up where it was. Smaller rungs are quick fits of the tuner's own, not runs.
/// - A trial that fails is recorded with its reason and skipped.
/// - The clock is checked between trials: a learner trains in one go, so the budget can be
///   passed by the trial under way. No trial starts once what is left of the budget would not
///   train the best so far again (see below). `shouldStop` is checked between trials too.
/// - At the end, the winner is trained once more as the last run when it is not already, so
///   it is the session's current run (the same recipe and seed give the same model).
public struct Tuner: Sendable {
    public let handle: SessionHandle
    public let space: TuneSearchSpace
    public let options: TuneOptions

    public init(handle: SessionHandle, space: TuneSearchSpace, options: TuneOptions) {
        self.handle = handle
        self.space = space
        self.options = options
    }

    public func run(candidates explicit: [LearnerRecipe]? = nil,
                    shouldStop: @Sendable () -> Bool = { false },
                    progress: @Sendable (TuneProgress) -> Void = { _ in }) async throws -> TuneOutcome {
        try options.validate()
        let started = Date()
        let deadline = options.budget.map { started.addingTimeInterval($0) }
        let (train, heldOut) = try await handle.examples()
        let record = await handle.record
        let seed = record.engineRun.fit.seed
        let classes = record.labels.classes
        if options.folds == nil && heldOut.isEmpty {
            throw SessionError.invalidSetting(field: "validation", reason: "session '\(await handle.name)' has no validation examples: give --folds K (or --split / --validation when creating it)")
        }
        let folds = try options.folds.map { try Self.foldAssignment(train, k: $0, seed: seed) }
        let order = Self.subsetOrder(train.count, seed: seed)

        var trials: [TuneTrial] = []
        var best: TuneTrial?
        var ended = "exhausted"

        func timeLeft() -> Double? { deadline.map { $0.timeIntervalSinceNow } }
        /// Out of time when what is left would not train the best so far again (which the end
        /// may have to do, so that it is the current run).
        func outOfTime() -> Bool {
            guard let left = timeLeft() else { return false }
            return left <= (best?.seconds ?? 0)
        }

        /// One trial; records it and says whether it scored.
        func trial(_ recipe: LearnerRecipe, rung: Int, fraction: Double) async -> TuneTrial {
            let trialStarted = Date()
            let isFull = fraction >= 1
            let n = isFull ? train.count : max(min(options.minimumExamples, train.count), Int((Double(train.count) * fraction).rounded()))
            var t = TuneTrial(number: trials.count + 1, recipe: recipe, rung: rung, trainingExamples: n, isFull: isFull,
                              score: nil, failure: nil, run: nil, reused: false, seconds: 0)
            do {
                if isFull {
                    let (run, reused) = try await fullRun(recipe, record: await handle.record)
                    t.run = run
                    t.reused = reused
                    if let folds {
                        t.score = try await Self.crossValidate(recipe, train: train, folds: folds, order: order, count: n,
                                                               classes: classes, metric: options.metric, seed: seed)
                    } else {
                        t.score = options.metric.value(of: try await handle.evaluate(examples: heldOut, run: run))
                    }
                } else if let folds {
                    t.score = try await Self.crossValidate(recipe, train: train, folds: folds, order: order, count: n,
                                                           classes: classes, metric: options.metric, seed: seed)
                } else {
                    let subset = Self.subset(train, order: order, count: n, where: { _ in true })
                    t.score = try await SessionHandle.detached {
                        try Self.fitAndScore(recipe, train: subset, test: heldOut, classes: classes, metric: options.metric, seed: seed)
                    }
                }
            } catch {
                t.failure = (error as? LearnerError)?.description ?? "\(error)"
            }
            t.seconds = Date().timeIntervalSince(trialStarted)
            trials.append(t)
            if t.isFull, let s = t.score, s > (best?.score ?? -1) { best = t }
            progress(TuneProgress(trial: t, trialsDone: trials.count, best: best, secondsLeft: timeLeft()))
            return t
        }

        var searched = 0
        let limit = options.candidates ?? Int.max
        func mayStart() -> Bool {
            if shouldStop() { ended = "stopped"; return false }
            if outOfTime() { ended = "budget"; return false }
            return true
        }

        search: do {
            // Bracket 0: the starting points on all training examples.
            if explicit == nil {
                for recipe in space.startingPoints {
                    guard searched < limit else { ended = "trials"; break search }
                    guard mayStart() else { break search }
                    searched += 1
                    _ = await trial(recipe, rung: 0, fraction: 1)
                }
            }
            var nextIndex = 0
            while true {
                // The bracket's candidates.
                var bracket: [LearnerRecipe] = []
                if let explicit {
                    if nextIndex > 0 { break }
                    bracket = Array(explicit.prefix(limit))
                    nextIndex = 1
                } else {
                    while bracket.count < options.bracketSize && searched + bracket.count < limit,
                          let c = space.candidate(nextIndex) {
                        nextIndex += 1
                        bracket.append(c)
                    }
                }
                if bracket.isEmpty { ended = searched >= limit ? "trials" : "exhausted"; break }
                searched += bracket.count
                // Rungs: the largest R with eta^R candidates at most the bracket and a subset of
                // at least the minimum size.
                var rungs = 0
                while Self.power(options.eta, rungs + 1) <= bracket.count,
                      Double(train.count) / Double(Self.power(options.eta, rungs + 1)) >= Double(options.minimumExamples) {
                    rungs += 1
                }
                var alive = bracket
                for rung in 0...rungs {
                    let fraction = 1 / Double(Self.power(options.eta, rungs - rung))
                    var scored: [(Int, Double)] = []
                    for (i, recipe) in alive.enumerated() {
                        guard mayStart() else { break search }
                        let t = await trial(recipe, rung: rung, fraction: fraction)
                        if let s = t.score { scored.append((i, s)) }
                    }
                    if rung == rungs { break }
                    let keep = max(1, alive.count / options.eta)
                    let kept = scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(keep).map(\.0).sorted()
                    alive = kept.map { alive[$0] }
                    if alive.isEmpty { break }
                }
                if explicit != nil { ended = "exhausted"; break }
                if searched >= limit { ended = "trials"; break }
            }
        }

        // The winner becomes the current run: trained once more as the last run if needed.
        var retrained = false
        if let winner = best, let run = winner.run {
            let current = await handle.record.currentRun.id
            if current != run {
                let again = try await handle.trainLearner(recipe: winner.recipe)
                best?.run = again
                retrained = true
            }
        }
        return TuneOutcome(trials: trials, winner: best, ended: ended, retrainedWinner: retrained,
                           seconds: Date().timeIntervalSince(started))
    }

    /// The session run of `recipe` on all training examples: one the session already has
    /// (same recipe, finished), else a new one.
    private func fullRun(_ recipe: LearnerRecipe, record: SessionRecord) async throws -> (Int, Bool) {
        if let r = record.runs.last(where: { run in
            if case let .learner(l) = run.kind { return l.recipe == recipe && l.result != nil }
            return false
        }) { return (r.id, true) }
        return (try await handle.trainLearner(recipe: recipe), false)
    }

    // MARK: - Scoring

    static func power(_ base: Int, _ e: Int) -> Int {
        var p = 1
        for _ in 0..<e { p = p.multipliedReportingOverflow(by: base).overflow ? Int.max : p * base }
        return p
    }

    /// A seeded order of the training examples: a rung's subset is its first `count`
    /// (so a larger rung holds every example of a smaller one).
    static func subsetOrder(_ count: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        var g = SplitMix64(seed: SplitMix64.mix(seed ^ 0x7475_6E65))   // "tune"
        g.shuffle(&order)
        return order
    }

    /// The first `count` examples in `order` that `keep` admits.
    static func subset(_ examples: [LabelledText], order: [Int], count: Int, where keep: (Int) -> Bool) -> [LabelledText] {
        var out: [LabelledText] = []
        out.reserveCapacity(min(count, examples.count))
        for i in order where keep(i) {
            if out.count >= count { break }
            out.append(examples[i])
        }
        return out
    }

    /// The fold of each training example: stratified (each label's examples dealt round the
    /// folds in a seeded order).
    static func foldAssignment(_ examples: [LabelledText], k: Int, seed: UInt64) throws -> [Int] {
        guard examples.count >= k else {
            throw SessionError.invalidSetting(field: "folds", reason: "\(k) folds need at least \(k) training examples, the session has \(examples.count)")
        }
        var fold = [Int](repeating: 0, count: examples.count)
        var byLabel: [String: [Int]] = [:]
        for (i, e) in examples.enumerated() { byLabel[e.label, default: []].append(i) }
        var g = SplitMix64(seed: SplitMix64.mix(seed ^ 0x666F_6C64))   // "fold"
        var next = 0
        for label in byLabel.keys.sorted() {
            var members = byLabel[label] ?? []
            g.shuffle(&members)
            for i in members {
                fold[i] = next % k
                next += 1
            }
        }
        return fold
    }

    /// The mean metric over the folds, each fold scored by a model fitted on the first
    /// `count · (k-1)/k` examples of the other folds.
    static func crossValidate(_ recipe: LearnerRecipe, train: [LabelledText], folds: [Int], order: [Int], count: Int,
                              classes: [String], metric: TuneMetric, seed: UInt64) async throws -> Double {
        let k = (folds.max() ?? 0) + 1
        var total = 0.0
        for f in 0..<k {
            let share = max(1, count * (k - 1) / k)
            let fitOn = subset(train, order: order, count: share, where: { folds[$0] != f })
            let test = train.indices.filter { folds[$0] == f }.map { train[$0] }
            total += try await SessionHandle.detached {
                try fitAndScore(recipe, train: fitOn, test: test, classes: classes, metric: metric, seed: seed)
            }
        }
        return total / Double(k)
    }

    /// Fits `recipe` on `train` and scores it on `test`. A test label the subset did not
    /// contain counts as a miss (the model cannot predict it) rather than an error.
    static func fitAndScore(_ recipe: LearnerRecipe, train: [LabelledText], test: [LabelledText], classes: [String],
                            metric: TuneMetric, seed: UInt64) throws -> Double {
        let learner = try recipe.fit(train, seed: seed).learner
        var index: [String: Int] = [:]
        for (i, c) in classes.enumerated() { index[c] = i }
        var truth: [Int] = [], predicted: [Int] = []
        truth.reserveCapacity(test.count)
        predicted.reserveCapacity(test.count)
        for e in test {
            truth.append(index[e.label] ?? -1)
            let p = learner.predict(e.text)
            predicted.append(index[learner.labels.classes[p]] ?? -1)
        }
        return metric.value(of: ClassificationReport(truth: truth, predicted: predicted, classCount: classes.count))
    }
}
