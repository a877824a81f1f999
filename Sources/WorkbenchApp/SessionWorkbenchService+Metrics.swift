import Engine
import Foundation
import Sessions
import TextData
import WorkbenchUI

/// The metrics overlay and the leaderboard's macro-F1: the session's `evaluate` on its own
/// validation examples (the `ClassificationReport` that `workbench eval` prints), as values.
extension SessionWorkbenchService {
    public func metrics() async -> MetricsResult {
        let record = await session.record
        let runID = await session.consoleRun ?? record.currentRun.id
        guard let run = record.runs.first(where: { $0.id == runID }), !(await consoleRunIsUntrained()) else {
            return .refused("untrained: no metrics until a run has weights (t trains)")
        }
        let validation: [LabelledText]
        do {
            validation = try await session.examples().validation
        } catch {
            return .refused("metrics: \(error)")
        }
        guard !validation.isEmpty else { return .refused("the session has no validation examples to measure on") }
        do {
            let report = try await session.evaluate(examples: validation, run: runID)
            return .ready(Self.metricsSnapshot(report, classes: record.labels.classes,
                                               title: "run \(runID) \(run.summary) · \(validation.count) validation examples"))
        } catch {
            return .refused("metrics: \(error)")
        }
    }

    /// Whether the run the console answers with has no trained weights yet. The record learns
    /// of a run's first batches only at its first checkpoint, so the current run counts as
    /// trained while it trains or is paused.
    func consoleRunIsUntrained() async -> Bool {
        let record = await session.record
        let runID = await session.consoleRun ?? record.currentRun.id
        if runID == record.currentRun.id {
            let status = await session.info.status
            if status.isActive || status == .paused { return false }
        }
        return !(record.runs.first { $0.id == runID }?.hasTrained ?? false)
    }

    /// The report as the overlay shows it; classes without a name are numbered.
    static func metricsSnapshot(_ report: ClassificationReport, classes: [String], title: String) -> MetricsSnapshot {
        let names = classes.count == report.classCount ? classes : (0..<report.classCount).map { "class \($0)" }
        let perClass = zip(names, report.perClass).map { name, s in
            ClassMetrics(name: name, precision: s.precision, recall: s.recall, f1: s.f1, support: s.support)
        }
        let macro = report.macroAverage, weighted = report.weightedAverage
        return MetricsSnapshot(title: title, classes: perClass, confusion: report.confusion, accuracy: report.accuracy,
                               macro: AveragedMetrics(precision: macro.precision, recall: macro.recall, f1: macro.f1),
                               weighted: AveragedMetrics(precision: weighted.precision, recall: weighted.recall, f1: weighted.f1))
    }

    /// Each openable run's macro-F1 on the validation examples, by run id (runs that cannot
    /// be evaluated are left out).
    func validationMacroF1(runs: [Int]) async -> [Int: Double] {
        guard let validation = try? await session.examples().validation, !validation.isEmpty else { return [:] }
        var scores: [Int: Double] = [:]
        for run in runs {
            if let report = try? await session.evaluate(examples: validation, run: run) { scores[run] = report.macroF1 }
        }
        return scores
    }
}
