import Engine
import Foundation
import Learners
import TextData

/// `session.json` as schemas 1 and 2 wrote it, read only to migrate to schema 3.
///
/// Then a run was one struct for both kinds: `learner` set meant a learner run, which still
/// carried the neural model of the run before it (and the checkpoint's weights were a fresh
/// copy of that model, tagged with the learner run's id); a learner's result was a one-epoch
/// summary in its cursor; and every model edit appended a run, trained or not.
struct LegacySessionRecord: Decodable {
    struct Run: Decodable {
        var id: Int
        var started: Date
        var model: ModelSpec
        var optimizer: OptimizerSpec
        var fit: FitConfig
        var weightSeed: UInt64
        var cursor: TrainerState
        var learner: LearnerRecipe?

        enum CodingKeys: String, CodingKey {
            case id, started, model, optimizer, fit, weightSeed = "weight_seed", cursor, learner
        }

        var neural: NeuralRun {
            NeuralRun(model: model, optimizer: optimizer, fit: fit, weightSeed: weightSeed, cursor: cursor)
        }
        var hasTrained: Bool {
            learner != nil ? !cursor.history.isEmpty : (cursor.step > 0 || !cursor.history.isEmpty)
        }
    }

    var schemaVersion: Int
    var id: String
    var name: String
    var created: Date
    var modified: Date
    var dataset: DatasetReference
    var tokenizer: TextTokenizer
    var labels: LabelEncoder
    var maxLength: Int
    var padding: PadSide
    var truncating: PadSide
    var runs: [Run]
    var checkpoint: Int
    var autosaveEvery: Int
    var status: SessionStatus
    var checkpointFiles: CheckpointDigests?

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", id, name, created, modified, dataset, tokenizer, labels
        case maxLength = "max_length", padding, truncating, runs, checkpoint, autosaveEvery = "autosave_every", status
        case checkpointFiles = "checkpoint_files"
    }

    /// The same session in schema 3:
    /// - runs that never trained are left out (edits made them), except the one whose weights
    ///   the checkpoint holds;
    /// - a learner run becomes `RunKind.learner` with its summary as its result;
    /// - when the last run is a learner, the checkpoint holds a fresh copy of the neural model
    ///   before it: that becomes an untrained neural run after it (the engine's), which the
    ///   next neural training continues or replaces;
    /// - the plan is the last run's model (a learner that never trained is only the plan).
    func migrated() throws -> SessionRecord {
        guard let last = runs.last else {
            throw SessionError.invalidSetting(field: "runs", reason: "a session has at least one run")
        }
        var migrated: [RunRecord] = []
        for (i, run) in runs.enumerated() {
            let isLast = i == runs.count - 1
            if let recipe = run.learner {
                guard run.hasTrained else { continue }
                let s = run.cursor.history[0]
                let result = LearnerResult(loss: s.loss, accuracy: s.accuracy, validationLoss: s.validationLoss,
                                           validationAccuracy: s.validationAccuracy, seconds: s.seconds, samplesPerSecond: s.samplesPerSecond)
                migrated.append(RunRecord(id: run.id, started: run.started,
                                          kind: .learner(LearnerRun(recipe: recipe, seed: run.fit.seed, result: result))))
            } else if run.hasTrained || isLast {
                migrated.append(RunRecord(id: run.id, started: run.started, kind: .neural(run.neural)))
            }
        }
        if last.learner != nil {
            var engine = last.neural
            engine.cursor.history = []
            migrated.append(RunRecord(id: last.id + 1, started: last.started, kind: .neural(engine)))
        }
        let plan: RunPlan = last.learner.map { .learner($0) } ?? .neural(last.neural.plan)
        var record = SessionRecord(
            schemaVersion: SessionRecord.currentSchemaVersion, id: id, name: name, created: created, modified: modified,
            dataset: dataset, tokenizer: tokenizer, labels: labels, maxLength: maxLength, padding: padding, truncating: truncating,
            runs: migrated, plan: plan, checkpoint: checkpoint, autosaveEvery: autosaveEvery, status: status)
        record.checkpointFiles = checkpointFiles
        return record
    }
}
