import Foundation

/// Scores of a multi-label classifier over N examples and K labels, with scikit-learn's
/// definitions (`f1_score(average="micro" / "macro")`, `accuracy_score` on label sets,
/// `hamming_loss`): a label is predicted when its probability is above `threshold` (strictly,
/// as Keras's `binary_accuracy`). A label that is neither true nor predicted anywhere has F1 0
/// in the macro mean, as scikit-learn's default `zero_division` gives.
public struct MultiLabelMetrics: Sendable, Equatable, Codable {
    public var threshold: Float
    public var microF1: Double
    public var macroF1: Double
    /// Examples whose predicted label set is exactly the true one, as a fraction.
    public var subsetAccuracy: Double
    /// Wrong (example, label) decisions, as a fraction of N × K.
    public var hammingLoss: Double
    /// Per label, in class order: F1, and how many examples have it.
    public var perLabelF1: [Double]
    public var support: [Int]

    /// `truth` and `probabilities` are row-major [N × labels]; `truth` holds 0/1 (above 0.5
    /// counts as 1). Throws `EngineError.shapeMismatch` when the sizes disagree.
    public init(truth: [Float], probabilities: [Float], labels k: Int, threshold: Float = 0.5) throws {
        guard k >= 1, truth.count == probabilities.count, truth.count % k == 0 else {
            throw EngineError.shapeMismatch(layer: "multi-label metrics", expected: [truth.count / max(k, 1), k],
                                            got: [probabilities.count / max(k, 1), k])
        }
        let n = truth.count / k
        var tp = [Int](repeating: 0, count: k), fp = tp, fn = tp
        var exact = 0, wrong = 0
        for r in 0..<n {
            var rowRight = true
            for c in 0..<k {
                let t = truth[r * k + c] > 0.5, p = probabilities[r * k + c] > threshold
                switch (t, p) {
                case (true, true): tp[c] += 1
                case (false, true): fp[c] += 1; rowRight = false; wrong += 1
                case (true, false): fn[c] += 1; rowRight = false; wrong += 1
                case (false, false): break
                }
            }
            if rowRight { exact += 1 }
        }
        func f1(_ tp: Int, _ fp: Int, _ fn: Int) -> Double {
            let d = 2 * tp + fp + fn
            return d == 0 ? 0 : Double(2 * tp) / Double(d)
        }
        self.threshold = threshold
        perLabelF1 = (0..<k).map { f1(tp[$0], fp[$0], fn[$0]) }
        support = (0..<k).map { tp[$0] + fn[$0] }
        microF1 = f1(tp.reduce(0, +), fp.reduce(0, +), fn.reduce(0, +))
        macroF1 = perLabelF1.reduce(0, +) / Double(k)
        subsetAccuracy = n == 0 ? 0 : Double(exact) / Double(n)
        hammingLoss = n == 0 ? 0 : Double(wrong) / Double(n * k)
    }

    /// The thresholds `tuned` tries: 0.05, 0.10, …, 0.95.
    public static let candidateThresholds: [Float] = (1...19).map { Float($0) * 0.05 }

    /// The candidate threshold with the highest micro-F1 on (validation) `truth` and
    /// `probabilities`; ties go to the one nearest 0.5, then to the lower. Returns the metrics
    /// at that threshold.
    public static func tuned(truth: [Float], probabilities: [Float], labels k: Int,
                             candidates: [Float] = candidateThresholds) throws -> MultiLabelMetrics {
        var best = try MultiLabelMetrics(truth: truth, probabilities: probabilities, labels: k, threshold: 0.5)
        for t in candidates {
            let m = try MultiLabelMetrics(truth: truth, probabilities: probabilities, labels: k, threshold: t)
            let closer = abs(t - 0.5) < abs(best.threshold - 0.5) || (abs(t - 0.5) == abs(best.threshold - 0.5) && t < best.threshold)
            if m.microF1 > best.microF1 || (m.microF1 == best.microF1 && closer) { best = m }
        }
        return best
    }

    /// The indices of the labels predicted for one row of probabilities.
    public static func predicted(_ row: some Collection<Float>, threshold: Float) -> [Int] {
        row.enumerated().compactMap { $0.element > threshold ? $0.offset : nil }
    }

    /// A small text table: the four scores, then F1 and support per label.
    public func render(labelNames: [String]) -> String {
        func f(_ x: Double) -> String { String(format: "%.4f", x) }
        var lines = ["threshold \(String(format: "%.2f", threshold))  micro-F1 \(f(microF1))  macro-F1 \(f(macroF1))  subset accuracy \(f(subsetAccuracy))  Hamming loss \(f(hammingLoss))"]
        let width = max(5, labelNames.map(\.count).max() ?? 0)
        lines.append("label".padding(toLength: width, withPad: " ", startingAt: 0) + "        f1  support")
        for (i, name) in labelNames.enumerated() where i < perLabelF1.count {
            let s = String(support[i])
            lines.append(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + f(perLabelF1[i]).leftPadded(8) + "  " + s.leftPadded(7))
        }
        return lines.joined(separator: "\n")
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
