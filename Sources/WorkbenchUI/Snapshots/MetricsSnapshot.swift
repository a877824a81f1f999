/// How one class fared on the validation data.
public struct ClassMetrics: Hashable, Sendable {
    public var name: String
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// Validation examples whose true class this is.
    public var support: Int

    public init(name: String, precision: Double, recall: Double, f1: Double, support: Int) {
        self.name = name
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
    }
}

/// Precision, recall and F1 averaged over the classes.
public struct AveragedMetrics: Hashable, Sendable {
    public var precision: Double
    public var recall: Double
    public var f1: Double

    public init(precision: Double, recall: Double, f1: Double) {
        self.precision = precision
        self.recall = recall
        self.f1 = f1
    }
}

/// The metrics overlay's content (`M`): the console's run evaluated on the validation data,
/// as the service computed it (the same report `workbench eval` prints).
public struct MetricsSnapshot: Hashable, Sendable {
    /// Which model and data ("run 2 svm:c=0.5 on 45 validation examples").
    public var title: String
    public var classes: [ClassMetrics]
    /// confusion[true][predicted], in the order of `classes`.
    public var confusion: [[Int]]
    public var accuracy: Double
    public var macro: AveragedMetrics
    public var weighted: AveragedMetrics

    public init(title: String, classes: [ClassMetrics], confusion: [[Int]], accuracy: Double,
                macro: AveragedMetrics, weighted: AveragedMetrics) {
        self.title = title
        self.classes = classes
        self.confusion = confusion
        self.accuracy = accuracy
        self.macro = macro
        self.weighted = weighted
    }

    /// Examples counted in the matrix.
    public var exampleCount: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }

    /// A cell of the matrix (0 outside it).
    public func count(truth: Int, predicted: Int) -> Int {
        guard confusion.indices.contains(truth), confusion[truth].indices.contains(predicted) else { return 0 }
        return confusion[truth][predicted]
    }

    /// A cell as a share of its row (the true class's examples); nil for an empty row.
    public func rowShare(truth: Int, predicted: Int) -> Double? {
        guard confusion.indices.contains(truth) else { return nil }
        let total = confusion[truth].reduce(0, +)
        return total > 0 ? Double(count(truth: truth, predicted: predicted)) / Double(total) : nil
    }
}

/// The answer to asking for the metrics: the snapshot, or why there is none ("no
/// validation data", "untrained: press t to train").
public enum MetricsResult: Hashable, Sendable {
    case ready(MetricsSnapshot)
    case refused(String)
}
