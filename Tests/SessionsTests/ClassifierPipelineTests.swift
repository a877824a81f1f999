import Engine
import Foundation
import Testing
import TextData
@testable import Sessions

/// The one pipeline from examples to an untrained classifier.
@Suite struct ClassifierPipelineTests {
    /// A new session is built through the pipeline: for the same examples, settings and seed
    /// it gives the session's spec, vocabulary, labels, initial weights and encoded data.
    @Test func sessionBuilderBuildsWhatThePipelineBuilds() throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let setup = Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1)
        let session = try SessionBuilder.build(name: "p", setup: setup)
        let pipeline = ClassifierPipeline(tokenizer: setup.tokenizer, maxLength: setup.maxLength, model: setup.model, seed: setup.fit.seed)
        let built = try pipeline.build(train: session.data.train, validation: session.data.validation, source: tmp.file("data.tsv").path)
        #expect(built.spec == session.record.engineRun.model)
        #expect(built.tokenizer.vocabulary == session.record.tokenizer.vocabulary)
        #expect(built.labels == session.record.labels)
        let meta = EngineWorker.metadata(session.record.id, 0, 1)
        #expect(try built.classifier.model.weightsData(metadata: meta) == session.weights)
        #expect(built.train.x == session.data.encoded.train.x && built.train.y == session.data.encoded.train.y)
        #expect(built.validation?.x == session.data.encoded.validation?.x)

        // Another seed, other weights; the same seed again, the same.
        var reseeded = pipeline
        reseeded.seed += 1
        let other = try reseeded.build(train: session.data.train, source: "data.tsv")
        #expect(other.classifier.model.parameters.map(\.value) != built.classifier.model.parameters.map(\.value))
        let again = try pipeline.build(train: session.data.train, source: "data.tsv")
        #expect(again.classifier.model.parameters.map(\.value) == built.classifier.model.parameters.map(\.value))
    }

    /// Data a classifier cannot learn from is refused naming the data file.
    @Test func refusesNamingTheSource() throws {
        let pipeline = ClassifierPipeline(tokenizer: .script(ScriptTokenizer(numWords: 50)), maxLength: 8, model: .preset(.seed), seed: 1)
        #expect(throws: SessionError.file(path: "d.tsv", reason: "the training data has no examples")) {
            try pipeline.build(train: [], source: "d.tsv")
        }
        #expect(throws: SessionError.file(path: "d.tsv", reason: "the training data has one label ('pos'); a classifier needs at least two")) {
            try pipeline.build(train: [LabelledText(label: "pos", text: "a"), LabelledText(label: "pos", text: "b")], source: "d.tsv")
        }
        // A head that does not fit the classes.
        let wrongHead = ClassifierPipeline(tokenizer: .script(ScriptTokenizer(numWords: 50)), maxLength: 8,
                                           model: .layers([.embedding(dim: 4), .globalAveragePooling1D, .dense(units: 3, activation: .softmax)], loss: nil), seed: 1)
        #expect(throws: SessionError.self) {
            try wrongHead.build(train: [LabelledText(label: "pos", text: "a"), LabelledText(label: "neg", text: "b")], source: "d.tsv")
        }
    }
}
