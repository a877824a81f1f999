import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// Draws `pane` alone into a grid of the given size.
func render<P: Pane>(_ pane: inout P, width: Int, height: Int, focused: Bool = true) -> (grid: CellGrid, cursor: Point?) {
    var grid = CellGrid(width: width, height: height)
    let cursor = pane.render(into: &grid, rect: grid.bounds, focused: focused)
    return (grid, cursor)
}

/// The keys that type `text`.
func typed(_ text: String) -> [Key] { text.map { .character($0) } }

/// Feeds keys to the state; returns every effect.
@discardableResult
func press(_ state: inout WorkbenchState, _ keys: [Key]) -> [Effect] {
    keys.flatMap { state.update(.key($0)) }
}

@discardableResult
func press(_ state: inout WorkbenchState, _ keys: Key...) -> [Effect] {
    press(&state, keys)
}

/// The service calls among `effects`.
func calls(_ effects: [Effect]) -> [ServiceCall] {
    effects.compactMap { if case let .call(c) = $0 { return c } else { return nil } }
}

/// Every row's display width (continuation cells excluded) equals the grid width: no wide
/// character was split or spilled.
func rowsAreWhole(_ grid: CellGrid) -> Bool {
    (0..<grid.height).allSatisfy { TextWidth.of(grid.text(row: $0)) == grid.width }
}

/// A state loaded with the fake service's opening snapshot.
func loadedState(size: Size = Size(width: 100, height: 30)) async -> WorkbenchState {
    let fake = FakeWorkbenchService(configuration: .init(batchInterval: nil))
    var state = WorkbenchState(size: size)
    _ = state.update(.reply(.snapshot(await fake.snapshot())))
    return state
}

func batch(_ step: Int, loss: Double, accuracy: Double = 0.5, run: String = "run-1", perEpoch: Int = 10) -> BatchProgress {
    BatchProgress(run: run, epoch: (step - 1) / perEpoch + 1, epochs: 3, batch: (step - 1) % perEpoch + 1,
                  batchesPerEpoch: perEpoch, step: step, loss: loss, accuracy: accuracy, samplesPerSecond: 640,
                  eta: Double(30 - step) * 0.05, relativeTime: Double(step) * 0.05, wallTime: 1_700_000_000 + Double(step) * 0.05)
}

/// Answers every model edit among `effects` with a refusal at once (edits are sequential: the
/// next one waits for an answer), and returns `effects`.
@discardableResult
func answeringEdits(_ state: inout WorkbenchState, _ effects: [Effect]) -> [Effect] {
    for case let .edit(edit) in calls(effects) {
        _ = state.update(.reply(.edit(edit, .refused("not answered in this test"))))
    }
    return effects
}
