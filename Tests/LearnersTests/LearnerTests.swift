import Basics
import Foundation
import Learners
import Testing
import TextData

/// A separable synthetic set: each class has its own words; every text mixes 3–5 of them
/// with 2 shared filler words.
func separableSet(classes: Int, perClass: Int = 30, seed: UInt64 = 7) -> [LabelledText] {
    let vocab = (0..<classes).map { c in (0..<6).map { "w\(c)x\($0)" } }
    let filler = ["the", "and", "of", "a", "to", "it"]
    var rng = SplitMix64(seed: seed)
    var out: [LabelledText] = []
    for i in 0..<perClass {
        for c in 0..<classes {
            var words = (0..<(3 + rng.index(below: 3))).map { _ in vocab[c][rng.index(below: 6)] }
            words.append(filler[rng.index(below: 6)])
            words.insert(filler[rng.index(below: 6)], at: rng.index(below: words.count))
            out.append(LabelledText(label: "class\(c)", text: words.joined(separator: " ") + (i % 2 == 0 ? "." : "!")))
        }
    }
    return out
}

/// Small settings so the whole suite stays fast in a debug build.
func quickSettings() -> LearnerSettings {
    var s = LearnerSettings()
    s.forest.trees = 12
    s.fastText.epochs = 30
    s.fastText.dim = 16
    s.fastText.bucket = 10_000
    return s
}

func accuracy(_ learner: any Learner, _ examples: [LabelledText]) throws -> Double {
    try learner.report(examples).accuracy
}

@Suite struct LearnersTraining {
    @Test(arguments: LearnerKind.allCases, [2, 3])
    func learnsASeparableSetPerfectly(kind: LearnerKind, classes: Int) throws {
        let train = separableSet(classes: classes)
        let test = separableSet(classes: classes, perClass: 10, seed: 99)
        let trained = try kind.fit(train, settings: quickSettings(), seed: 1)
        #expect(trained.warnings.isEmpty, "\(trained.warnings)")
        let learner = trained.learner
        #expect(learner.kind == kind)
        #expect(learner.labels.classes == (0..<classes).map { "class\($0)" })
        #expect(try accuracy(learner, train) == 1, "\(kind) on its training set")
        // A single tree keys on few words, so fresh texts may miss them.
        #expect(try accuracy(learner, test) >= (kind == .tree ? 0.8 : 1), "\(kind) on fresh texts of the same classes")
        for e in test.prefix(5) {
            let p = learner.predictProbabilities(e.text)
            #expect(p.count == classes && p.allSatisfy { $0.isFinite && $0 >= 0 })
            #expect(abs(p.reduce(0, +) - 1) < 1e-4)
            // The token-list entry point (for occlusion) agrees with the text one.
            #expect(learner.predictProbabilities(tokens: learner.tokens(in: e.text)) == p)
        }
    }

    @Test func sameSeedGivesIdenticalModelBytes() throws {
        let train = separableSet(classes: 3)
        for kind in LearnerKind.allCases {
            let a = try LearnerIO.encode(kind.fit(train, settings: quickSettings(), seed: 5).learner)
            let b = try LearnerIO.encode(kind.fit(train, settings: quickSettings(), seed: 5).learner)
            #expect(a == b, "\(kind): two trainings with one seed differ")
        }
    }

    @Test func forestBuiltInParallelIsDeterministicAndSeedDependent() throws {
        // Noisy data so trees really differ from one another.
        var train = separableSet(classes: 2, perClass: 40)
        for i in stride(from: 0, to: train.count, by: 7) { train[i].label = train[i].label == "class0" ? "class1" : "class0" }
        var s = quickSettings()
        s.forest.trees = 24
        let runs = try (0..<3).map { _ in try LearnerIO.encode(LearnerKind.forest.fit(train, settings: s, seed: 11).learner) }
        #expect(runs[0] == runs[1] && runs[1] == runs[2])
        let other = try LearnerIO.encode(LearnerKind.forest.fit(train, settings: s, seed: 12).learner)
        #expect(other != runs[0])
        let forest = try #require((try LearnerKind.forest.fit(train, settings: s, seed: 11).learner as? TfidfLearner)?.model as? RandomForest)
        #expect(forest.trees.count == 24)
        #expect(Set(forest.trees.map(\.feature)).count > 1, "bootstrap and feature sampling should vary the trees")
    }

    @Test func saveAndLoadGiveIdenticalPredictions() throws {
        let train = separableSet(classes: 3)
        let probes = separableSet(classes: 3, perClass: 4, seed: 3).map(\.text) + ["", "unknown words only", "w0x1 w1x2 w2x3"]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("learners-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for kind in LearnerKind.allCases {
            let learner = try kind.fit(train, settings: quickSettings(), seed: 2).learner
            let url = dir.appendingPathComponent("\(kind.rawValue).safetensors")
            try LearnerIO.save(learner, to: url)
            let loaded = try LearnerIO.load(from: url)
            #expect(loaded.kind == kind)
            #expect(loaded.labels == learner.labels)
            for text in probes {
                #expect(loaded.predictProbabilities(text) == learner.predictProbabilities(text), "\(kind): '\(text)'")
            }
            #expect(try LearnerIO.encode(loaded) == LearnerIO.encode(learner), "\(kind): re-saving changes the bytes")
        }
    }

    @Test func modelFileIsSafetensorsWithTheWeightsAsRawArrays() throws {
        let learner = try LearnerKind.logreg.fit(separableSet(classes: 3), settings: quickSettings(), seed: 1).learner
        let data = try LearnerIO.encode(learner)
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
        let weights = try #require(header["weights"] as? [String: Any])
        #expect(weights["dtype"] as? String == "F32")
        let meta = try #require(header["__metadata__"] as? [String: String])
        #expect(meta["workbench.kind"] == "logreg")
        #expect(meta["workbench.vectorizer"] != nil && meta["workbench.labels"] != nil)
    }

    @Test func damagedFilesAreRejected() throws {
        let data = try LearnerIO.encode(LearnerKind.nb.fit(separableSet(classes: 2), settings: quickSettings(), seed: 1).learner)
        #expect(throws: LearnerError.self) { _ = try LearnerIO.decode(data.prefix(data.count - 4)) }
        #expect(throws: LearnerError.self) { _ = try LearnerIO.decode(Data([1, 2, 3])) }
        #expect(throws: LearnerError.self) { _ = try LearnerIO.decode(Data(count: 64)) }
    }
}

@Suite struct LearnersReferenceValues {
    // scikit-learn 1.9.1 on six short texts, TF-IDF words + bigrams, run to convergence.
    static let texts = ["The cat sat on the mat.", "The cat ate; the dog sat!", "A dog, a cat and I", "dogs bark at the cat",
                        "the mat is red", "a red dog sat"]

    static func settings() -> LearnerSettings {
        var s = LearnerSettings(tokenizer: .words)
        s.logisticRegression = .init(c: 1, maxIterations: 10_000, tolerance: 1e-10)
        s.svm = .init(c: 1, tolerance: 1e-10, maxIterations: 100_000)
        return s
    }

    static func examples(_ labels: [String]) -> [LabelledText] {
        zip(labels, texts).map { LabelledText(label: $0, text: $1) }
    }

    func expectRows(_ got: [[Float]], _ expected: [[Double]], tolerance: Double, _ what: String) {
        for (g, e) in zip(got, expected) {
            #expect(g.count == e.count && zip(g, e).allSatisfy { abs(Double($0) - $1) < tolerance }, "\(what): \(g) vs \(e)")
        }
    }

    @Test func binaryModelsMatchScikitLearn() throws {
        let data = Self.examples(["a", "b", "a", "b", "a", "b"])
        let lr = try LearnerKind.logreg.fit(data, settings: Self.settings(), seed: 0).learner
        expectRows(Self.texts.map { lr.predictProbabilities($0) },
                   [[0.581133, 0.418867], [0.411551, 0.588449], [0.579742, 0.420258], [0.414978, 0.585022],
                    [0.602266, 0.397734], [0.41033, 0.58967]], tolerance: 1e-4, "logistic regression")
        let nb = try LearnerKind.nb.fit(data, settings: Self.settings(), seed: 0).learner
        expectRows(Self.texts.map { nb.predictProbabilities($0) },
                   [[0.656183, 0.343817], [0.329773, 0.670227], [0.646447, 0.353553], [0.328132, 0.671868],
                    [0.694113, 0.305887], [0.337171, 0.662829]], tolerance: 1e-4, "naive Bayes")
        let svm = try #require(try LearnerKind.svm.fit(data, settings: Self.settings(), seed: 0).learner as? TfidfLearner)
        let model = try #require(svm.model as? LinearSVM)
        expectRows(Self.texts.map { model.decisionValues(svm.features($0)) },
                   [[-0.602128], [0.632038], [-0.605884], [0.625052], [-0.678911], [0.642489]], tolerance: 1e-4, "linear SVM")
    }

    @Test func multiclassModelsMatchScikitLearn() throws {
        let data = Self.examples(["x", "y", "z", "x", "y", "z"])
        let lr = try LearnerKind.logreg.fit(data, settings: Self.settings(), seed: 0).learner
        expectRows(Self.texts.map { lr.predictProbabilities($0) },
                   [[0.473491, 0.299215, 0.227294], [0.280123, 0.443362, 0.276515], [0.240344, 0.241488, 0.518169],
                    [0.511923, 0.253495, 0.234582], [0.272395, 0.479049, 0.248556], [0.221724, 0.283391, 0.494885]],
                   tolerance: 1e-4, "logistic regression")
        let nb = try LearnerKind.nb.fit(data, settings: Self.settings(), seed: 0).learner
        expectRows(Self.texts.map { nb.predictProbabilities($0) },
                   [[0.469656, 0.303356, 0.226987], [0.264877, 0.446697, 0.288426], [0.221678, 0.23261, 0.545712],
                    [0.522918, 0.244072, 0.23301], [0.26045, 0.492523, 0.247026], [0.20144, 0.28815, 0.51041]],
                   tolerance: 1e-4, "naive Bayes")
        let svm = try #require(try LearnerKind.svm.fit(data, settings: Self.settings(), seed: 0).learner as? TfidfLearner)
        let model = try #require(svm.model as? LinearSVM)
        expectRows(Self.texts.map { model.decisionValues(svm.features($0)) },
                   [[0.47113, -0.583409, -0.838635], [-0.654458, 0.369393, -0.672371], [-0.758293, -0.76561, 0.597821],
                    [0.583175, -0.726369, -0.785872], [-0.666313, 0.476334, -0.743557], [-0.849, -0.622111, 0.534427]],
                   tolerance: 1e-4, "linear SVM")
    }

    @Test func fastTextHashesAsFastText() {
        // FNV-1a with sign-extended bytes (fastText's Dictionary::hash).
        #expect(FastText.hash("hello") == 1_335_831_723)
        #expect(FastText.hash("</s>") == 3_617_362_777)
        #expect(FastText.hash("天气") == 568_755_519)
        #expect(FastText.hash("é") == 1_023_043_777)
    }

    @Test func treeSplitsAtScikitLearnThresholds() throws {
        // "spam" alone separates the classes (no other feature's values can): the root splits
        // between the zero bucket and the smallest value where it is present, into two pure
        // leaves, whatever order the seed visits the features in.
        let data = [LabelledText(label: "n", text: "plain words here"), LabelledText(label: "n", text: "more plain things"),
                    LabelledText(label: "y", text: "spam plain"), LabelledText(label: "y", text: "spam spam words")]
        var s = Self.settings()
        s.tfidf.ngrams = 1
        for seed: UInt64 in 0..<4 {
            let learner = try #require(try LearnerKind.tree.fit(data, settings: s, seed: seed).learner as? TfidfLearner)
            let tree = try #require(learner.model as? DecisionTree)
            #expect(tree.nodeCount == 3 && tree.depth == 1)
            #expect(tree.value == [0.5, 0.5, 1, 0, 0, 1])
            let feature = Int32(tree.feature[0])
            #expect(learner.vectorizer.terms[Int(feature)] == "spam")
            let present = data.compactMap { e -> Float? in
                let row = learner.features(e.text)
                return row.indices.firstIndex(of: feature).map { row.values[$0] }
            }
            #expect(tree.threshold[0] == (present.min() ?? 0) / 2)
        }
    }
}

@Suite struct LearnersBadData {
    @Test func noExamplesOrOneClassIsAnError() {
        for kind in LearnerKind.allCases {
            #expect(throws: LearnerError.self) { _ = try kind.fit([], seed: 0) }
            #expect(throws: LearnerError.self) {
                _ = try kind.fit([LabelledText(label: "a", text: "x y"), LabelledText(label: "a", text: "y z")], seed: 0)
            }
        }
    }

    @Test func classWithOneExampleIsAWarning() throws {
        var train = separableSet(classes: 2)
        train.append(LabelledText(label: "lonely", text: "w0x1 solitary words"))
        for kind in LearnerKind.allCases {
            let trained = try kind.fit(train, settings: quickSettings(), seed: 0)
            #expect(trained.warnings.contains(.singleExampleClass(label: "lonely")), "\(kind)")
            #expect(trained.learner.labels.count == 3)
        }
    }

    @Test func identicalTextsUnderDifferentLabelsWarnAndStayFinite() throws {
        let train = (0..<10).flatMap { i in
            [LabelledText(label: "a", text: "same text \(i % 2)"), LabelledText(label: "b", text: "same text \(i % 2)")]
        }
        for kind in LearnerKind.allCases {
            let trained = try kind.fit(train, settings: quickSettings(), seed: 0)
            #expect(trained.warnings.contains { if case .conflictingDuplicates(2, _, ["a", "b"]) = $0 { return true } else { return false } },
                    "\(kind): \(trained.warnings)")
            let p = trained.learner.predictProbabilities("same text 0")
            #expect(p.allSatisfy(\.isFinite) && abs(p[0] - p[1]) < 0.2, "\(kind): \(p)")
        }
    }

    @Test func vocabularyEmptiedByMinDFIsAnError() {
        var s = quickSettings()
        s.tfidf.minDF = 1000
        for kind in LearnerKind.allCases where kind != .fasttext {
            #expect(throws: LearnerError.self) { _ = try kind.fit(separableSet(classes: 2), settings: s, seed: 0) }
        }
        s.fastText.minCount = 1000
        #expect(throws: LearnerError.self) { _ = try LearnerKind.fasttext.fit(separableSet(classes: 2), settings: s, seed: 0) }
    }

    @Test func textsWithoutFeaturesAreCounted() throws {
        var train = separableSet(classes: 2)
        train.append(LabelledText(label: "class0", text: "!!! ..."))
        let trained = try LearnerKind.logreg.fit(train, settings: quickSettings(), seed: 0)
        #expect(trained.warnings.contains(.emptyTexts(count: 1)))
    }

    @Test func impossibleSettingsAreErrors() {
        let train = separableSet(classes: 2)
        var s = quickSettings()
        s.logisticRegression.c = 0
        #expect(throws: LearnerError.self) { _ = try LearnerKind.logreg.fit(train, settings: s, seed: 0) }
        s = quickSettings(); s.svm.c = -1
        #expect(throws: LearnerError.self) { _ = try LearnerKind.svm.fit(train, settings: s, seed: 0) }
        s = quickSettings(); s.naiveBayes.alpha = 0
        #expect(throws: LearnerError.self) { _ = try LearnerKind.nb.fit(train, settings: s, seed: 0) }
        s = quickSettings(); s.tree.maxDepth = 0
        #expect(throws: LearnerError.self) { _ = try LearnerKind.tree.fit(train, settings: s, seed: 0) }
        s = quickSettings(); s.forest.trees = 0
        #expect(throws: LearnerError.self) { _ = try LearnerKind.forest.fit(train, settings: s, seed: 0) }
        s = quickSettings(); s.fastText.dim = 0
        #expect(throws: LearnerError.self) { _ = try LearnerKind.fasttext.fit(train, settings: s, seed: 0) }
    }

    @Test func hugeLearningRateIsCaughtNotReturnedAsNaN() {
        var s = quickSettings()
        s.fastText.learningRate = 1e30
        do {
            let learner = try LearnerKind.fasttext.fit(separableSet(classes: 2), settings: s, seed: 0).learner
            let p = learner.predictProbabilities("w0x1")
            #expect(p.allSatisfy { $0.isFinite })
        } catch let e as LearnerError {
            #expect("\(e)".contains("non-finite"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
