import Engine
import Foundation

/// How a new run weights its classes (Keras's `class_weight`): `balanced`, or weights by
/// label. Resolved against the training split's labels into `FitConfig.classWeights`, which
/// is what the session records.
public enum ClassWeight: Sendable, Equatable {
    /// n_samples / (n_classes × count of the class), counted on the training split (the
    /// formula of scikit-learn's `compute_class_weight("balanced")`).
    case balanced
    /// Weights by label; a label not listed gets 1.
    case explicit([String: Float])

    static func bad(_ why: String) -> SessionError { .invalidSetting(field: "class_weight", reason: why) }

    /// `balanced`, or `LABEL=WEIGHT,LABEL=WEIGHT` (a label is everything before the last `=`,
    /// spaces around it trimmed).
    public static func parse(_ text: String) throws -> ClassWeight {
        if text == "balanced" { return .balanced }
        var weights: [String: Float] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let eq = item.lastIndex(of: "=") else {
                throw bad("'\(item)' is not LABEL=WEIGHT (expected 'balanced' or e.g. pos=2,neg=1)")
            }
            let label = item[..<eq].trimmingCharacters(in: .whitespaces)
            let number = item[item.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty else { throw bad("'\(item)' has no label before '='") }
            guard let w = Float(number), w.isFinite, w > 0 else {
                throw bad("the weight of '\(label)' is '\(number)'; a weight is a finite number above 0")
            }
            guard weights.updateValue(w, forKey: label) == nil else { throw bad("'\(label)' is given more than once") }
        }
        return .explicit(weights)
    }

    /// The weight of each of `classes` (in their order), from the training labels.
    public func weights(classes: [String], trainLabels: [String]) throws -> [Float] {
        switch self {
        case .balanced:
            var counts: [String: Int] = [:]
            for l in trainLabels { counts[l, default: 0] += 1 }
            let n = Double(trainLabels.count), k = Double(classes.count)
            return try classes.map { c in
                guard let count = counts[c], count > 0 else { throw Self.bad("class '\(c)' has no training examples") }
                return Float(n / (k * Double(count)))
            }
        case let .explicit(given):
            let known = Set(classes)
            if let unknown = given.keys.sorted().first(where: { !known.contains($0) }) {
                throw Self.bad("no class '\(unknown)' in the training data (classes: \(classes.joined(separator: ", ")))")
            }
            return classes.map { given[$0] ?? 1 }
        }
    }
}

extension ClassWeight {
    /// "neg=1, pos=3" (up to `limit` classes, then "…"), for settings lines.
    public static func summary(_ weights: [Float], classes: [String], limit: Int = 8) -> String {
        let shown = zip(classes, weights).prefix(limit).map { "\($0)=\(String(format: "%g", Double($1)))" }
        return shown.joined(separator: ", ") + (weights.count > limit ? ", …" : "")
    }
}
