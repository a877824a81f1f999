import Engine
import Testing
import WorkbenchUI
@testable import WorkbenchApp

/// The real service's model edits for Bidirectional, the windowed poolings, Flatten and
/// SpatialDropout1D: added with Keras's defaults, kept buildable, refused with the reason.
@Suite struct ModelEditingLayersTests {
    static let spec = ModelSpec(inputLength: 20, vocabularySize: 100,
                                layers: [.embedding(dim: 16), .lstm(units: 8), .dense(units: 1, activation: .sigmoid)])

    func apply(_ edits: [ModelEdit], to layers: [LayerSpec] = spec.layers) throws -> [LayerSpec] {
        try edits.reduce(layers) { try ModelEditing.apply($1, to: $0, spec: Self.spec, classes: 2) }
    }

    @Test func addAndEditBidirectional() throws {
        var l = try apply([.addLayer(.bidirectional, at: 1)])
        // The Bidirectional returns sequences because the LSTM after it needs them.
        #expect(l[1] == .bidirectional(layer: .lstm(units: 64, returnSequences: true), mergeMode: "concat"))
        l = try apply([.setUnits(layer: 1, units: 12), .setMergeMode(layer: 1, mode: "ave"), .setWrappedLayer(layer: 1, kind: "gru")], to: l)
        #expect(l[1] == .bidirectional(layer: .gru(units: 12, returnSequences: true), mergeMode: "ave"))
        // Deleting the LSTM makes it the last recurrent layer: no sequences any more.
        l = try apply([.deleteLayer(at: 2)], to: l)
        #expect(l[1] == .bidirectional(layer: .gru(units: 12, returnSequences: false), mergeMode: "ave"))
        let settings = Snapshots.settings(l[1])
        #expect(settings.map(\.kind) == [.units, .mergeMode, .wrappedLayer])
        #expect(settings.map(\.value) == ["12", "ave", "gru"])
        #expect(settings[2].choices == ["simple_rnn", "lstm", "gru"])

        for (edit, needle) in [(ModelEdit.setMergeMode(layer: 1, mode: "max"), "unknown merge mode"),
                               (.setWrappedLayer(layer: 1, kind: "dense"), "wraps lstm, gru or simple_rnn"),
                               (.setMergeMode(layer: 0, mode: "sum"), "not a Bidirectional"),
                               (.setPoolSize(layer: 1, size: 2), "not a MaxPooling1D")] {
            do {
                _ = try apply([edit], to: l)
                Issue.record("\(edit) accepted")
            } catch {
                #expect("\(error)".contains(needle), "\(edit): \(error)")
            }
        }
    }

    @Test func poolingFlattenAndSpatialDropout() throws {
        var l = try apply([.addLayer(.spatialDropout1D, at: 1), .addLayer(.maxPooling1D, at: 2), .setPoolSize(layer: 2, size: 3),
                           .setDropoutRate(layer: 1, rate: 0.25)])
        #expect(Array(l[1...2]) == [.spatialDropout1D(rate: 0.25), .maxPooling1D(poolSize: 3, strides: nil, padding: "valid")])
        #expect(Snapshots.settings(l[2]).map(\.kind) == [.poolSize] && Snapshots.settings(l[1]).map(\.kind) == [.rate])
        // Embedding → SpatialDropout1D → MaxPooling1D → AveragePooling1D → Flatten → head, without the LSTM.
        // (Each step must build: Flatten goes in before the LSTM comes out.)
        l = try apply([.addLayer(.flatten, at: 4), .addLayer(.averagePooling1D, at: 3), .deleteLayer(at: 4)], to: l)
        #expect(l.map(\.kerasClassName) == ["Embedding", "SpatialDropout1D", "MaxPooling1D", "AveragePooling1D", "Flatten", "Dense"])
        let model = try Sequential(spec: ModelSpec(inputLength: 20, vocabularySize: 100, layers: l), seed: 1)
        #expect(model.outputShapes == [[20, 16], [20, 16], [6, 16], [3, 16], [48], [1]])
        // A pool longer than the sequence is refused with the engine's reason.
        do {
            _ = try apply([.setPoolSize(layer: 2, size: 30)], to: l)
            Issue.record("pool 30 on 20 steps accepted")
        } catch {
            #expect("\(error)".contains("too short for pool_size 30"), "\(error)")
        }
        // Pool size with strides set apart from it keeps them.
        let strided = try apply([.setPoolSize(layer: 1, size: 2)], to: [l[0], .maxPooling1D(poolSize: 3, strides: 1, padding: "same"), .flatten, l[5]])
        #expect(strided[1] == .maxPooling1D(poolSize: 2, strides: 1, padding: "same"))
    }
}
