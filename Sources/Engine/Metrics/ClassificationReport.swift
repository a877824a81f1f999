import Foundation

/// Accuracy, macro-F1, per-class precision / recall / F1 and the confusion matrix of
/// predicted against true class indices.
public struct ClassificationReport: Sendable, Codable, Equatable {
    public struct ClassScores: Sendable, Codable, Equatable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    public var classCount: Int
    public var accuracy: Double
    public var macroF1: Double
    public var perClass: [ClassScores]
    /// confusion[true][predicted]
    public var confusion: [[Int]]

    public init(truth: [Int], predicted: [Int], classCount k: Int) {
        precondition(truth.count == predicted.count)
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for (t, p) in zip(truth, predicted) where t >= 0 && t < k && p >= 0 && p < k { confusion[t][p] += 1 }
        let n = truth.count
        let correct = (0..<k).reduce(0) { $0 + confusion[$1][$1] }
        perClass = (0..<k).map { c in
            let tp = Double(confusion[c][c])
            let predictedC = Double((0..<k).reduce(0) { $0 + confusion[$1][c] })
            let actualC = confusion[c].reduce(0, +)
            let precision = predictedC > 0 ? tp / predictedC : 0
            let recall = actualC > 0 ? tp / Double(actualC) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return ClassScores(precision: precision, recall: recall, f1: f1, support: actualC)
        }
        classCount = k
        accuracy = n > 0 ? Double(correct) / Double(n) : 0
        macroF1 = k > 0 ? perClass.reduce(0) { $0 + $1.f1 } / Double(k) : 0
        self.confusion = confusion
    }

    /// Precision, recall and F1 averaged over the classes: each class counts the same (macro)
    /// or by its support (weighted, as scikit-learn's `average="weighted"`).
    public struct Average: Sendable, Equatable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
    }

    /// The unweighted mean over the classes (its f1 is `macroF1`).
    public var macroAverage: Average {
        let k = Double(perClass.count)
        guard k > 0 else { return Average(precision: 0, recall: 0, f1: 0) }
        return Average(precision: perClass.reduce(0) { $0 + $1.precision } / k,
                       recall: perClass.reduce(0) { $0 + $1.recall } / k,
                       f1: perClass.reduce(0) { $0 + $1.f1 } / k)
    }

    /// The mean over the classes weighted by their support (0 without examples).
    public var weightedAverage: Average {
        let n = Double(perClass.reduce(0) { $0 + $1.support })
        guard n > 0 else { return Average(precision: 0, recall: 0, f1: 0) }
        func mean(_ v: (ClassScores) -> Double) -> Double { perClass.reduce(0) { $0 + v($1) * Double($1.support) } / n }
        return Average(precision: mean(\.precision), recall: mean(\.recall), f1: mean(\.f1))
    }

    /// The most classes whose confusion matrix `render` prints in full; past that it lists the
    /// most-confused pairs (the matrix would have classes² cells). The JSON form keeps it all.
    public static let fullMatrixClasses = 20

    /// A plain-text report: the headline figures, a per-class table and the confusion matrix
    /// (for more than `fullMatrixClasses` classes, the `mostConfusedPairs` instead).
    public func render(classNames: [String]) -> String {
        let names = classNames.count == classCount ? classNames : (0..<classCount).map(String.init)
        let w = max(8, names.map(\.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        func lpad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        var lines = [String(format: "accuracy %.4f   macro-F1 %.4f   (%d examples)", accuracy, macroF1, confusion.joined().reduce(0, +)), ""]
        lines.append(pad("class", w) + "  precision  recall      f1  support")
        for (i, s) in perClass.enumerated() {
            lines.append(pad(names[i], w) + String(format: "  %9.4f  %6.4f  %6.4f  %7d", s.precision, s.recall, s.f1, s.support))
        }
        lines.append("")
        if classCount > Self.fullMatrixClasses {
            let pairs = mostConfusedPairs(limit: 10)
            lines.append("most confused (of \(classCount) classes; the full confusion matrix is in --json):")
            if pairs.isEmpty { lines.append("  none: every example was predicted right") }
            for p in pairs {
                lines.append("  \(p.count)× \(names[p.truth]) predicted as \(names[p.predicted])")
            }
            return lines.joined(separator: "\n")
        }
        lines.append("confusion matrix (rows: true, columns: predicted)")
        let cw = max(6, names.map(\.count).max() ?? 0, String(confusion.joined().max() ?? 0).count)
        lines.append(pad("", w) + names.map { "  " + lpad(String($0.prefix(cw)), cw) }.joined())
        for (i, row) in confusion.enumerated() {
            lines.append(pad(names[i], w) + row.map { "  " + lpad(String($0), cw) }.joined())
        }
        return lines.joined(separator: "\n")
    }

    /// The off-diagonal cells with the most examples, largest first (ties: by true, then
    /// predicted class): which classes are taken for which.
    public func mostConfusedPairs(limit: Int) -> [(truth: Int, predicted: Int, count: Int)] {
        var cells: [(truth: Int, predicted: Int, count: Int)] = []
        for (t, row) in confusion.enumerated() {
            for (p, n) in row.enumerated() where p != t && n > 0 { cells.append((t, p, n)) }
        }
        cells.sort { ($0.count, -$0.truth, -$0.predicted) > ($1.count, -$1.truth, -$1.predicted) }
        return Array(cells.prefix(Swift.max(0, limit)))
    }
}
