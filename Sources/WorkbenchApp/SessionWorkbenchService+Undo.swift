import Engine
import Learners
import Sessions
import WorkbenchUI

/// What `u` brings back: the model's shape (its layers or learner, and the preset that named
/// it), not its training settings, which `:lr`, `:epochs`… change on their own.
struct ModelShape: Equatable {
    enum Model: Equatable {
        case layers([LayerSpec])
        case learner(LearnerRecipe)
    }
    var model: Model
    var preset: String?

    init(_ plan: RunPlan, preset: String?) {
        switch plan {
        case let .neural(p): model = .layers(p.model.layers)
        case let .learner(r): model = .learner(r)
        }
        self.preset = preset
    }
}

/// Undo and redo of model edits, over a bounded history.
extension SessionWorkbenchService {
    /// Edits kept for undo; the oldest is forgotten past this.
    static let undoLimit = 100

    /// Keeps the model an edit replaced; a new edit forgets what was undone.
    func remember(_ before: ModelShape) {
        modelUndo.append(before)
        if modelUndo.count > Self.undoLimit { modelUndo.removeFirst(modelUndo.count - Self.undoLimit) }
        modelRedo = []
    }

    /// Makes the newest model of the undo (or redo) history the plan, keeping the one it
    /// replaces on the other history.
    func restoreModel(undo: Bool) async -> ModelEditResult {
        guard let target = undo ? modelUndo.last : modelRedo.last else {
            return .refused(undo ? "nothing to undo" : "nothing to redo")
        }
        let now = ModelShape(await session.record.plan, preset: preset)
        do {
            switch target.model {
            case let .layers(layers): try await session.changeModel(layers: layers)
            case let .learner(recipe): try await session.useLearner(recipe: recipe)
            }
        } catch {
            return .refused("\(error)")
        }
        if undo {
            modelUndo.removeLast()
            modelRedo.append(now)
        } else {
            modelRedo.removeLast()
            modelUndo.append(now)
        }
        preset = target.preset
        guard let m = await modelSnapshot() else { return .refused("the model could not be built") }
        return .applied(m)
    }
}
