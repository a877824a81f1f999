import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// Model edits are sequential: a key pressed while an edit is in flight waits for its answer
/// and acts on the model that edit made.
@Suite struct SequentialEditTests {
    /// Embedding, Dropout, Conv1D, GlobalMaxPooling1D, the output layer; the Dropout selected.
    static func service() async -> HeldEditsService {
        let fake = FakeWorkbenchService(configuration: .init(batchInterval: nil, preset: "cnn"))
        _ = await fake.applyModelEdit(.addLayer(.dropout, at: 1))
        return HeldEditsService(fake)
    }

    @Test func jPressedTwiceQuicklyMovesTheLayerDownTwice() async throws {
        let service = await Self.service()
        let app = WorkbenchApp(backend: FakeBackend(size: Size(width: 100, height: 30)), service: service)
        try app.start()
        #expect(await app.settle())
        app.handle(.key(.character("2")))
        app.handle(.key(.character("j")))
        #expect(app.state.model.selectedLayer?.kind == .dropout)
        // Two J's before the first answer is in.
        app.handle(.key(.character("J")))
        app.handle(.key(.character("J")))
        let deadline = ContinuousClock.now + .seconds(30)
        while await service.heldCount == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(await service.heldCount == 1)
        await service.release()
        #expect(await app.settle { $0.state.model.pendingEdit == nil && $0.state.model.waiting.isEmpty })
        #expect(await service.edits == [.moveLayer(from: 1, to: 2), .moveLayer(from: 2, to: 3)])
        let kinds = app.state.model.model?.layers.map(\.kind)
        #expect(kinds == [.embedding, .conv1D, .globalMaxPooling1D, .dropout, .dense])
        #expect(app.state.model.selection == 3)
        await app.shutdown()
    }

    @Test func keysWaitingForAnEditReplayInOrder() {
        var s = WorkbenchState(size: Size(width: 100, height: 30))
        let m = ModelSnapshot(layers: ["a", "b", "c", "d"].map {
            LayerSnapshot(name: $0, typeLabel: $0, outputShape: "(None, 1)", parameterCount: 0)
        }, optimizer: "Adam", loss: "mse")
        _ = s.update(.reply(.snapshot(WorkbenchSnapshot(sessionName: "s", model: m))))
        press(&s, .character("2"))
        #expect(calls(press(&s, .character("J"))) == [.edit(.moveLayer(from: 0, to: 1))])
        // While it is in flight: J again, then k; nothing is sent yet.
        #expect(calls(press(&s, .character("J"), .character("k"))).isEmpty)
        #expect(s.model.waiting.count == 2)
        // The answer: the second J acts on the moved layer; k then selects the one above it.
        let moved = ModelSnapshot(layers: [m.layers[1], m.layers[0], m.layers[2], m.layers[3]], optimizer: "Adam", loss: "mse")
        let next = s.update(.reply(.edit(.moveLayer(from: 0, to: 1), .applied(moved))))
        #expect(calls(next) == [.edit(.moveLayer(from: 1, to: 2))])
        #expect(s.model.waiting.count == 1)
        let again = ModelSnapshot(layers: [m.layers[1], m.layers[2], m.layers[0], m.layers[3]], optimizer: "Adam", loss: "mse")
        #expect(calls(s.update(.reply(.edit(.moveLayer(from: 1, to: 2), .applied(again))))).isEmpty)
        #expect(s.model.waiting.isEmpty && s.model.selection == 1)
        // A refusal also lets the waiting keys through.
        #expect(calls(press(&s, .character("d"))) == [.edit(.deleteLayer(at: 1))])
        press(&s, .character("j"))
        _ = s.update(.reply(.edit(.deleteLayer(at: 1), .refused("no"))))
        #expect(s.model.selection == 2 && s.model.waiting.isEmpty)
    }
}
