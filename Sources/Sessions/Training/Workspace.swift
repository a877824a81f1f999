import Engine
import Foundation
import TextData

/// One session's model objects on the worker thread. Never leaves it.
final class Workspace {
    let id: String
    let files: SessionFiles
    var sink: EngineSink
    var classifier: TextClassifier
    var optimizer: Optimizer
    var trainer: Trainer?
    var data: TrainingData?
    var status: SessionStatus
    var runId: Int
    /// Batches trained since the last checkpoint.
    var unsaved = 0
    /// The copy of the weights the console classifies with (set once the console asks).
    var mirror: ConsoleMirror?

    /// Brings the console's copy of the weights up to date.
    func refreshMirror() {
        mirror?.refresh(from: classifier, step: trainer?.step ?? files.record.engineRun.cursor.step)
    }

    init(id: String, files: SessionFiles, sink: EngineSink, classifier: TextClassifier, optimizer: Optimizer, status: SessionStatus, runId: Int) {
        self.id = id; self.files = files; self.sink = sink; self.classifier = classifier
        self.optimizer = optimizer; self.status = status; self.runId = runId
    }

    var model: Sequential { classifier.model }
    /// The session's name as its events carry it (renames change it).
    var name: String { files.record.name }
}
