import Basics

/// Bounds on every size that comes from input — a spec file, `classifier.json`, a session's
/// `session.json`, a command-line flag, a weights file's header — checked before anything is
/// allocated from it, so a mistyped or hostile number gives an error naming the field and the
/// limit instead of a trap, or an allocation that cannot be met.
///
/// | limit | value | checked where |
/// | --- | --- | --- |
/// | `maxInputLength` | 100,000 tokens | `max_length` / `input_length`, `--max-length` |
/// | `maxVocabularySize` | 10,000,000 ids | `vocabulary_size`, `--vocab-size` |
/// | `maxUnits` | 65,536 | units, filters, dim, key_dim, feed_forward_dim |
/// | `maxHeads` | 1,024 | num_heads |
/// | `maxClasses` | 5,000 labels | the labels a classifier is trained on (its confusion matrix has classes² cells) |
/// | `maxBatchSize` | 65,536 | `batch_size`, `--batch-size` |
/// | `maxEpochs` | 1,000,000 | `epochs`, `--epochs` |
/// | `maxParameters` | 250,000,000 | the whole model (1 GB of float32; about 4 GB training with Adam) |
/// | `maxActivationsPerExample` | 4 Mi numbers (16 MiB) | one layer's output or working buffer, for one example |
/// | `maxBatchActivations` | 256 Mi numbers (1 GiB) | the same for a whole batch |
/// | `maxEncodedElements` | 512 Mi numbers (2 GiB) | a data set encoded for training: examples × max_length |
/// | `maxSafeTensorsHeaderBytes` | 100,000,000 | the JSON header of a weights file (as the reference reader) |
///
/// Kernel sizes, pool sizes, strides and dilation rates are bounded by `maxInputLength`.
public enum Limits {
    public static let maxInputLength = 100_000
    public static let maxVocabularySize = 10_000_000
    public static let maxUnits = 65_536
    public static let maxHeads = 1_024
    public static let maxClasses = 5_000
    public static let maxBatchSize = 65_536
    public static let maxEpochs = 1_000_000
    public static let maxParameters = 250_000_000
    public static let maxActivationsPerExample = 1 << 22
    public static let maxBatchActivations = 1 << 28
    public static let maxEncodedElements = 1 << 29
    public static let maxSafeTensorsHeaderBytes = 100_000_000

    /// Why `value` of `field` is out of `range`, or nil when it is in: "must be at least 1,
    /// got 0", "must be at most 100,000 (the limit), got 1000000000000".
    public static func problem(_ value: Int, in range: ClosedRange<Int>) -> String? {
        if value < range.lowerBound { return "must be at least \(Digits.grouped(range.lowerBound)), got \(value)" }
        if value > range.upperBound { return "must be at most \(Digits.grouped(range.upperBound)) (the workbench's limit), got \(value)" }
        return nil
    }

    /// Throws `EngineError.invalidSpec` naming `field` when `value` is outside `range`.
    public static func check(_ value: Int, in range: ClosedRange<Int>, field: String) throws {
        if let why = problem(value, in: range) { throw EngineError.invalidSpec(field: field, reason: why) }
    }

}

/// Arithmetic on sizes that come from input: nil instead of a trap when it overflows.
public enum Checked {
    /// The product of `factors` (1 for none), or nil when it overflows `Int` or a factor is negative.
    public static func product(_ factors: [Int]) -> Int? {
        var p = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (r, overflow) = p.multipliedReportingOverflow(by: f)
            if overflow { return nil }
            p = r
        }
        return p
    }

    /// The sum of `terms`, or nil when it overflows `Int`.
    public static func sum(_ terms: [Int]) -> Int? {
        var s = 0
        for t in terms {
            let (r, overflow) = s.addingReportingOverflow(t)
            if overflow { return nil }
            s = r
        }
        return s
    }
}
