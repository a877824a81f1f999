import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// Bidirectional, the windowed poolings, Flatten and SpatialDropout1D in the model pane: offered
/// by the layer picker and `:add`, edited through their settings and the `:pool`, `:merge` and
/// `:wraps` commands.
@Suite struct LayerPaletteTests {
    static let newKinds: [LayerKind] = [.bidirectional, .maxPooling1D, .averagePooling1D, .flatten, .spatialDropout1D]

    @Test func namesMirrorKeras() {
        #expect(Self.newKinds.map(FakeModel.className) == ["Bidirectional", "MaxPooling1D", "AveragePooling1D", "Flatten", "SpatialDropout1D"])
        #expect(Self.newKinds.map(\.rawValue) == ["bidirectional", "max_pooling1d", "average_pooling1d", "flatten", "spatial_dropout1d"])
        #expect(LayerKind(name: "MaxPooling1D") == .maxPooling1D && LayerKind(name: "spatial-dropout1d") == .spatialDropout1D)
        #expect(LayerKind(name: "Bidirectional") == .bidirectional && LayerKind(name: "averagepooling1d") == .averagePooling1D)
    }

    @Test func pickerAndAddOfferThem() async {
        var s = await loadedState()
        press(&s, .character("2"), .character("a"))
        guard case let .picker(p)? = s.overlay else {
            Issue.record("expected the layer picker")
            return
        }
        let labels = p.items.map(\.label)
        for kind in Self.newKinds { #expect(labels.contains(FakeModel.className(kind)), "\(kind) in the picker") }
        press(&s, .escape)
        press(&s, .character(":"))
        #expect(calls(answeringEdits(&s, press(&s, typed("add bidirectional") + [.enter]))) == [.edit(.addLayer(.bidirectional, at: 1))])
        press(&s, .character(":"))
        #expect(calls(press(&s, typed("add MaxPooling1D") + [.enter])) == [.edit(.addLayer(.maxPooling1D, at: 1))])
    }

    /// The fake service's model: Embedding → Bidirectional(LSTM) → head, then the settings.
    @Test func settingsBecomeEdits() async {
        var m = FakeModel(preset: "lstm", vocabulary: 1000, sequenceLength: 50, classes: 2)
        m.body = [.make(.embedding), .make(.bidirectional)]
        guard case let .success(next) = m.applying(.addLayer(.spatialDropout1D, at: 1)) else { Issue.record("adding refused"); return }
        m = next
        guard case let .success(snap) = m.build() else { Issue.record("the model should build"); return }
        #expect(snap.layers.map(\.typeLabel) == ["Embedding(64)", "SpatialDropout1D(0.20)", "Bidirectional(LSTM(64))", "Dense(1, sigmoid)"])
        #expect(snap.layers[2].outputShape == "(None, 128)")
        #expect(snap.layers[2].parameterCount == 2 * 4 * (64 * (64 + 64) + 64))
        #expect(snap.layers[2].settings.map(\.kind) == [.units, .mergeMode, .wrappedLayer])
        #expect(snap.layers[2].settings[1].choices == ["concat", "sum", "ave", "mul"])

        var s = await loadedState()
        _ = s.update(.reply(.edit(.addLayer(.bidirectional, at: 2), .applied(snap))))
        #expect(s.model.selection == 2)
        func run(_ line: String) -> [Effect] {
            press(&s, .character(":"))
            return answeringEdits(&s, press(&s, typed(line) + [.enter]))
        }
        #expect(calls(run("merge sum")) == [.edit(.setMergeMode(layer: 2, mode: "sum"))])
        #expect(calls(run("wraps gru")) == [.edit(.setWrappedLayer(layer: 2, kind: "gru"))])
        #expect(calls(run("units 16")) == [.edit(.setUnits(layer: 2, units: 16))])
        #expect(calls(run("pool 3")).isEmpty)
        #expect(s.status.messageIsWarning && s.status.lastMessage == "Bidirectional(LSTM(64)) has no pool setting")
        #expect(calls(run("merge")).isEmpty)
        // The fake answers like the real service: new shapes, or a refusal.
        guard case let .success(summed) = m.applying(.setMergeMode(layer: 2, mode: "sum")), case let .success(ss) = summed.build() else {
            Issue.record("merge sum refused"); return
        }
        #expect(ss.layers[2].outputShape == "(None, 64)" && ss.layers[2].typeLabel == "Bidirectional(LSTM(64), sum)")
        guard case let .success(gru) = m.applying(.setWrappedLayer(layer: 2, kind: "gru")), case let .success(gs) = gru.build() else {
            Issue.record("wraps gru refused"); return
        }
        #expect(gs.layers[2].parameterCount == 2 * 3 * (64 * (64 + 64) + 2 * 64))
        guard case .failure = m.applying(.setMergeMode(layer: 2, mode: "max")), case .failure = m.applying(.setWrappedLayer(layer: 2, kind: "dense")),
              case .failure = m.applying(.setPoolSize(layer: 2, size: 3)) else {
            Issue.record("bad settings accepted"); return
        }
        #expect(m.applying(.setDropoutRate(layer: 1, rate: 0.3)).isSuccess)
    }

    @Test func poolingAndFlattenShapesInTheFake() {
        var m = FakeModel(preset: "cnn", vocabulary: 1000, sequenceLength: 50, classes: 3)
        m.body = [.make(.embedding), .make(.conv1D), .make(.flatten)]
        for edit in [ModelEdit.addLayer(.maxPooling1D, at: 2), .setPoolSize(layer: 2, size: 4)] {
            guard case let .success(next) = m.applying(edit) else { Issue.record("\(edit) refused"); return }
            m = next
        }
        guard case let .success(snap) = m.build() else { Issue.record("the model should build"); return }
        #expect(snap.layers.map(\.outputShape) == ["(None, 50, 64)", "(None, 46, 64)", "(None, 11, 64)", "(None, 704)", "(None, 3)"])
        #expect(snap.layers[2].settings.map(\.kind) == [.poolSize])
        guard case .failure = m.applying(.setPoolSize(layer: 2, size: 60)) else { Issue.record("a pool longer than the sequence accepted"); return }
    }

    @Test func settingTextIsChecked() {
        #expect(ModelEdit.setting(.poolSize, layer: 1, value: "3") == .success(.setPoolSize(layer: 1, size: 3)))
        #expect(ModelEdit.setting(.mergeMode, layer: 1, value: " Sum ") == .success(.setMergeMode(layer: 1, mode: "sum")))
        #expect(ModelEdit.setting(.wrappedLayer, layer: 1, value: "gru") == .success(.setWrappedLayer(layer: 1, kind: "gru")))
        for (kind, value) in [(LayerSettingKind.poolSize, "0"), (.poolSize, "x"), (.mergeMode, ""), (.wrappedLayer, " ")] {
            guard case .failure = ModelEdit.setting(kind, layer: 1, value: value) else {
                Issue.record("\(kind) \"\(value)\" accepted"); continue
            }
        }
    }
}

private extension Result {
    var isSuccess: Bool { if case .success = self { return true } else { return false } }
}
