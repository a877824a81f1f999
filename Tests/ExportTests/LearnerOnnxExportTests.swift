import Engine
@testable import Export
import Foundation
import Learners
import SwiftProtobuf
import Testing
import TextData

/// Learners exported to ONNX, read back and run by `OnnxReferenceEvaluator` on the ids
/// `LearnerInput` gives: the probabilities must be the learner's own.
@Suite struct LearnerOnnxExportTests {
    static let english: [LabelledText] = [
        ("pos", "a good film, really good"), ("neg", "a bad film and bad acting"), ("pos", "good plot and fine acting"),
        ("neg", "awful, just awful"), ("pos", "the best film this year"), ("neg", "the worst plot ever"),
        ("mixed", "good acting but a bad plot"), ("mixed", "fine film, awful ending"), ("pos", "really fine"),
        ("neg", "bad bad bad"), ("mixed", "the plot was good, the acting was not"), ("pos", "best acting"),
    ].map { LabelledText(label: $0.0, text: $0.1) }
    static let chinese: [LabelledText] = [
        ("好", "这部电影很好看"), ("坏", "这部电影很难看"), ("好", "演员演得很好"), ("坏", "剧情太差了"),
        ("好", "非常精彩的故事"), ("坏", "无聊的故事"), ("好", "好看好看"), ("坏", "浪费时间 太差"),
    ].map { LabelledText(label: $0.0, text: $0.1) }
    /// Texts with unknown words, repeats, punctuation only, and nothing at all.
    static let probes = ["a good film", "bad plot, good acting!!", "unknown words only", "", "...", "good good good bad",
                         "这部电影好看", "太差 太差 未知", "the film was the best, the plot the worst"]

    static func binary(_ data: [LabelledText]) -> [LabelledText] { data.filter { $0.label != "mixed" } }

    /// The learner's probabilities and the exported graph's agree within `tolerance` on every probe.
    static func expectFaithful(_ learner: any Learner, tolerance: Double = 1e-5) throws {
        let input = try LearnerInput(learner)
        let model = try Onnx_ModelProto(serializedBytes: try LearnerOnnxExport.model(learner, input: input).serializedData())
        let evaluator = OnnxReferenceEvaluator(model: model)
        for text in probes {
            var ids = input.ids(text).map(Double.init)
            if ids.isEmpty { ids = [0] }
            for padded in [ids, ids + [0, 0, 0]] {
                let out = try evaluator.run([OnnxExport.inputName: .init([1, padded.count], padded)])
                let want = learner.predictProbabilities(text)
                #expect(out.shape == [1, want.count])
                let diff = zip(out.data, want).map { abs($0 - Double($1)) }.max() ?? 0
                #expect(diff <= tolerance, "\(learner.kind.title) on '\(text)': |Δp| \(diff), ONNX \(out.data), learner \(want)")
            }
        }
    }

    static func fit(_ kind: LearnerKind, _ data: [LabelledText], _ settings: LearnerSettings = LearnerSettings()) throws -> any Learner {
        try kind.fit(data, settings: settings, seed: 3).learner
    }

    @Test(arguments: [LearnerKind.logreg, .svm, .nb, .tree, .forest])
    func tfidfLearnersGiveTheirOwnProbabilities(_ kind: LearnerKind) throws {
        var settings = LearnerSettings()
        settings.forest.trees = 5
        try Self.expectFaithful(try Self.fit(kind, Self.english, settings))
        try Self.expectFaithful(try Self.fit(kind, Self.binary(Self.english), settings))
        // Chinese: the characters analyzer (spaces are tokens), character n-grams up to 3.
        settings.tfidf.ngrams = 3
        try Self.expectFaithful(try Self.fit(kind, Self.chinese, settings))
    }

    @Test func sublinearTFUnigramsAndMaxFeatures() throws {
        var settings = LearnerSettings()
        settings.tfidf = .init(ngrams: 1, sublinearTF: true, maxFeatures: 12)
        try Self.expectFaithful(try Self.fit(.logreg, Self.english, settings))
        settings.tfidf = .init(ngrams: 2, sublinearTF: true, normalize: false)
        try Self.expectFaithful(try Self.fit(.nb, Self.english, settings))
    }

    @Test func fastTextWithAndWithoutWordNgrams() throws {
        var settings = LearnerSettings()
        settings.fastText = .init(dim: 8, epochs: 5)
        try Self.expectFaithful(try Self.fit(.fasttext, Self.english, settings))
        try Self.expectFaithful(try Self.fit(.fasttext, Self.chinese, settings))
        // Buckets never met in training keep their starting rows, which the table holds too.
        settings.fastText = .init(dim: 8, epochs: 5, wordNgrams: 3, bucket: 500)
        try Self.expectFaithful(try Self.fit(.fasttext, Self.english, settings))
    }

    @Test func linearGraphIsTfIdfThenTheClassifier() throws {
        let learner = try Self.fit(.logreg, Self.binary(Self.english))
        let input = try LearnerInput(learner)
        let m = try LearnerOnnxExport.model(learner, input: input)
        #expect(m.opsetImport.map(\.domain) == [""])
        #expect(m.opsetImport.map(\.version) == [17])
        #expect(m.graph.input.map(\.name) == ["token_ids"])
        #expect(m.graph.input[0].type.tensorType.shape.dim.map(\.dimParam) == ["batch", "tokens"])
        #expect(m.graph.output.map(\.name) == ["probabilities"])
        #expect(m.graph.node.map(\.opType) == ["TfIdfVectorizer", "Cast", "Mul", "ReduceSumSquare", "Sqrt", "Max", "Div", "Cast",
                                               "MatMul", "Add", "Sigmoid", "Sub", "Concat", "Identity"])
        // Every vocabulary token has an id ≥ 1 and 0 is in no n-gram.
        let pool = try #require(m.graph.node[0].attribute.first { $0.name == "pool_int64s" }).ints
        #expect(!pool.contains(0))
        #expect(input.tokens == input.tokens.sorted())
        #expect(input.ids("good unknownword film") == [Int64(input.id("good")!), 0, Int64(input.id("film")!)])

        let tree = try LearnerOnnxExport.model(try Self.fit(.forest, Self.english), input: LearnerInput(try Self.fit(.forest, Self.english)))
        #expect(tree.opsetImport.map(\.domain) == ["", "ai.onnx.ml"])
        #expect(tree.graph.node.contains { $0.opType == "TreeEnsembleClassifier" && $0.domain == "ai.onnx.ml" })
    }

    @Test func refusalsNameTheLearnerAndWriteNothing() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("learner-onnx-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        // Keras char_level tokens may be spaces: the n-grams cannot be split back.
        var settings = LearnerSettings()
        settings.tokenizer = .tokenizer(.keras(try KerasTokenizer(charLevel: true)))
        let charLevel = try Self.fit(.svm, Self.english, settings)
        let out = root.appendingPathComponent("char")
        #expect {
            try ExportFolder.writeONNX(learner: charLevel, to: out)
        } throws: { e in
            (e as? EngineError).map { "\($0)".contains("char_level") } ?? false
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // fastText's table would need a row for each of its 2,000,000 buckets.
        settings = LearnerSettings()
        settings.fastText = .init(dim: 100, epochs: 1, wordNgrams: 2)
        let big = try Self.fit(.fasttext, Self.english, settings)
        #expect {
            try ExportFolder.writeONNX(learner: big, to: out)
        } throws: { e in
            (e as? EngineError).map { "\($0)".contains("fastText") && "\($0)".contains("bucket") } ?? false
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func folderHoldsTheModelLabelsAnalyzerAndReadme() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("learner-onnx-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let learner = try Self.fit(.nb, Self.chinese)
        let out = root.appendingPathComponent("out")
        try ExportFolder.writeONNX(learner: learner, to: out)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["README.md", "labels.json", "model.onnx", "tokenizer.json"])
        #expect(try JSONDecoder().decode([String].self, from: Data(contentsOf: out.appendingPathComponent("labels.json"))) == learner.labels.classes)
        let tok = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("tokenizer.json"))) as? [String: Any])
        #expect(tok["analyzer"] as? String == "characters")
        let vocabulary = try #require(tok["vocabulary"] as? [String: Int])
        let input = try LearnerInput(learner)
        for (token, id) in vocabulary { #expect(input.ids(token) == [Int64(id)]) }
        let readme = try String(contentsOf: out.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("token_ids") && readme.contains("workbench tokenize") && readme.contains("padded with 0"))
        // A second export into the now non-empty folder is refused.
        #expect(throws: EngineError.self) { try ExportFolder.writeONNX(learner: learner, to: out) }
    }
}
