import Basics
/// A seeded train / validation split that keeps each label's share.
///
/// - Size: the validation set has `round(N * fraction)` examples (at most what the rule below
///   allows). Each label gets `floor(n * fraction)`, and the examples left over go one each to
///   the labels with the largest remainders (ties in label order).
/// - A label with at least 2 examples keeps at least one in train; a label with one example
///   stays in train.
/// - Which examples: each label's examples are shuffled with `SplitMix64(seed:)` (labels in
///   code-point order, so the result does not depend on the order of the input beyond the
///   order within each label) and the first ones go to validation.
/// - Both parts keep the input order.
public enum StratifiedSplit {
    /// Throws `TextDataError.invalidConfiguration` for a fraction outside (0, 1), no examples,
    /// or a split that would leave the validation set empty; `source` (the data file) names
    /// what is split in those errors.
    public static func split(_ examples: [LabelledText], validationFraction: Double,
                             seed: UInt64, source: String? = nil) throws -> (train: [LabelledText], validation: [LabelledText]) {
        let (train, validation) = try indices(labels: examples.map(\.label), validationFraction: validationFraction,
                                              seed: seed, source: source)
        return (train.map { examples[$0] }, validation.map { examples[$0] })
    }

    /// The same split as positions into `labels`, each part ascending.
    public static func indices(labels: [String], validationFraction f: Double,
                               seed: UInt64, source: String? = nil) throws -> (train: [Int], validation: [Int]) {
        func fail(_ reason: String) -> TextDataError {
            .invalidConfiguration(what: source.map { "\($0): splitting off validation examples" } ?? "StratifiedSplit", reason: reason)
        }
        guard f > 0 && f < 1 else {
            throw fail("validation fraction \(f) is outside (0, 1)")
        }
        guard !labels.isEmpty else { throw fail("no examples to split") }

        // Each label's positions, labels in code-point order.
        var groups: [ExactKey: [Int]] = [:]
        for (i, l) in labels.enumerated() { groups[ExactKey(l), default: []].append(i) }
        let order = groups.keys.sorted { PythonText.precedes($0.string, $1.string) }
        let sizes = order.map { groups[$0]?.count ?? 0 }
        let caps = sizes.map { $0 >= 2 ? $0 - 1 : 0 }

        let n = labels.count
        let target = min(Int((Double(n) * f).rounded()), caps.reduce(0, +))
        guard target > 0 else {
            if caps.allSatisfy({ $0 == 0 }) {
                throw fail("every label has a single example; a stratified split needs a label with at least 2")
            }
            throw fail("a validation fraction of \(f) of \(n) examples leaves no validation example (expected at least \(Int((0.5 / f).rounded(.up))) examples, or a larger fraction)")
        }

        // Largest-remainder allocation under the caps.
        var take = zip(sizes, caps).map { min(Int((Double($0) * f).rounded(.down)), $1) }
        var left = target - take.reduce(0, +)
        let byRemainder = sizes.indices.sorted { a, b in
            let ra = Double(sizes[a]) * f - (Double(sizes[a]) * f).rounded(.down)
            let rb = Double(sizes[b]) * f - (Double(sizes[b]) * f).rounded(.down)
            return ra != rb ? ra > rb : a < b
        }
        while left > 0 {
            var gave = false
            for g in byRemainder where left > 0 && take[g] < caps[g] {
                take[g] += 1
                left -= 1
                gave = true
            }
            if !gave { break }
        }

        var rng = SplitMix64(seed: seed)
        var isValidation = [Bool](repeating: false, count: n)
        for (g, key) in order.enumerated() {
            var members = groups[key] ?? []
            rng.shuffle(&members)
            for i in members.prefix(take[g]) { isValidation[i] = true }
        }
        var train: [Int] = [], validation: [Int] = []
        train.reserveCapacity(n - target)
        validation.reserveCapacity(target)
        for i in 0..<n {
            if isValidation[i] { validation.append(i) } else { train.append(i) }
        }
        return (train, validation)
    }
}
