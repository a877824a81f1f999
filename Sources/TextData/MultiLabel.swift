/// One example of a multi-label data set: the set of labels that apply to its text (possibly
/// none), distinct, in the order the file gave them.
public struct MultiLabelledText: Hashable, Sendable, Codable {
    public var labels: [String]
    public var text: String

    public init(labels: [String], text: String) {
        self.labels = labels
        self.text = text
    }
}

/// A data set's examples as read: one label per example, or a set of labels per example.
public enum LabelledExamples: Sendable, Equatable {
    case single([LabelledText])
    case multi([MultiLabelledText])

    public var count: Int {
        switch self {
        case .single(let e): return e.count
        case .multi(let e): return e.count
        }
    }

    public var texts: [String] {
        switch self {
        case .single(let e): return e.map(\.text)
        case .multi(let e): return e.map(\.text)
        }
    }

    public var isMultiLabel: Bool {
        if case .multi = self { return true }
        return false
    }

    /// As multi-label examples (a single label becomes a set of one).
    public var asMulti: [MultiLabelledText] {
        switch self {
        case .single(let e): return e.map { MultiLabelledText(labels: [$0.label], text: $0.text) }
        case .multi(let e): return e
        }
    }
}

/// What a classifier predicts: one class per example (softmax or a single sigmoid), or any
/// number of the classes per example (one sigmoid per class, binary cross-entropy each), those
/// whose probability is above `threshold`. The classes are sorted the same way in both
/// (`LabelEncoder`).
public enum LabelSpace: Sendable, Equatable {
    case single(LabelEncoder)
    case multi(LabelEncoder, threshold: Float)

    public static let defaultThreshold: Float = 0.5

    public var encoder: LabelEncoder {
        switch self {
        case .single(let e), .multi(let e, _): return e
        }
    }

    public var classes: [String] { encoder.classes }
    public var isMultiLabel: Bool {
        if case .multi = self { return true }
        return false
    }

    /// The decision threshold of a multi-label space (nil for a single-label one).
    public var threshold: Float? {
        if case .multi(_, let t) = self { return t }
        return nil
    }

    /// The same space with another threshold (a single-label space is unchanged).
    public func with(threshold: Float) -> LabelSpace {
        if case .multi(let e, _) = self { return .multi(e, threshold: threshold) }
        return self
    }

    /// The space of a training set: its distinct labels (for multi-label data, every label of
    /// every example; threshold 0.5). Throws `TextDataError.invalidConfiguration` when there
    /// are none.
    public init(examples: LabelledExamples) throws {
        switch examples {
        case .single(let e): self = .single(try LabelEncoder(labels: e.map(\.label)))
        case .multi(let e): self = .multi(try LabelEncoder(labels: e.lazy.flatMap(\.labels)), threshold: Self.defaultThreshold)
        }
    }

    /// The multi-hot targets of multi-label examples, row-major [examples.count × classes]:
    /// 1 where the label applies. Throws `TextDataError.unknownLabel` for a label outside
    /// the space.
    public func multiHot(_ examples: [MultiLabelledText]) throws -> [Float] {
        let k = encoder.count
        var out = [Float](repeating: 0, count: examples.count * k)
        for (r, e) in examples.enumerated() {
            for l in e.labels { out[r * k + (try encoder.encode(l))] = 1 }
        }
        return out
    }
}

/// Stored as `{"classes": [...]}` for a single-label space (the layout a `LabelEncoder` has
/// always had, so older records read unchanged) and `{"classes": [...], "multi_label": true,
/// "threshold": 0.5}` for a multi-label one.
extension LabelSpace: Codable {
    private enum CodingKeys: String, CodingKey { case multiLabel = "multi_label", threshold }

    public func encode(to encoder: Encoder) throws {
        try self.encoder.encode(to: encoder)
        if case .multi(_, let threshold) = self {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(true, forKey: .multiLabel)
            try c.encode(threshold, forKey: .threshold)
        }
    }

    public init(from decoder: Decoder) throws {
        let encoder = try LabelEncoder(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard try c.decodeIfPresent(Bool.self, forKey: .multiLabel) == true else {
            self = .single(encoder)
            return
        }
        let threshold = try c.decodeIfPresent(Float.self, forKey: .threshold) ?? Self.defaultThreshold
        guard threshold >= 0, threshold <= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .threshold, in: c, debugDescription: "\(threshold) is outside 0…1")
        }
        self = .multi(encoder, threshold: threshold)
    }
}

/// How labels are written in a multi-label data set: in TSV, CSV and `label<TAB>text` files
/// the label field is a list joined by `separator` (`a,b`; surrounding whitespace of each
/// label is removed; a label repeated in a row counts once); in JSON Lines the label is a JSON
/// array of strings, integers or booleans (a plain label is a list of one).
public struct LabelListFormat: Sendable, Equatable, Codable {
    public static let defaultSeparator = ","
    public var separator: String

    /// Throws `TextDataError.invalidConfiguration` for an empty separator or one holding a
    /// tab or a line break (they end the field or the record).
    public init(separator: String = LabelListFormat.defaultSeparator) throws {
        guard !separator.isEmpty else {
            throw TextDataError.invalidConfiguration(what: "label separator", reason: "is empty")
        }
        guard !separator.contains(where: { $0 == "\t" || $0.isNewline }) else {
            throw TextDataError.invalidConfiguration(what: "label separator", reason: "\(Quoted.escaped(separator)) holds a tab or a line break, which end the field")
        }
        self.separator = separator
    }

    /// The labels of one label field, or nil with the reason when one of them is empty.
    func split(_ field: String) -> Result<[String], EmptyLabel> {
        var out: [String] = []
        var seen: Set<ExactKey> = []
        for (i, part) in field.split(separator: separator, omittingEmptySubsequences: false).enumerated() {
            let label = part.trimmingASCIIWhitespace()
            guard !label.isEmpty else { return .failure(EmptyLabel(position: i + 1)) }
            if seen.insert(ExactKey(label)).inserted { out.append(label) }
        }
        return .success(out)
    }

    struct EmptyLabel: Error { var position: Int }
}

extension DatasetReader {
    /// Reads a data set as single- or multi-label examples. It is multi-label when
    /// `multiLabel` is true, or when it is JSON Lines and a label is a JSON array; otherwise
    /// every example is read exactly as `read` reads it. Errors name the file and line (an
    /// empty label in a list: `data.tsv:4: expected labels separated by ',', found an empty
    /// label (the 2nd)`). With `known` (held-out data read against the training labels), a
    /// multi-label example with another label is an error naming its file and line.
    public static func readExamples(path: String, format: DatasetFormat? = nil, options: ReadOptions = ReadOptions(),
                                    multiLabel: Bool = false, labelList: LabelListFormat? = nil,
                                    known: [String]? = nil) throws -> LabelledExamples {
        let labelList = try labelList ?? LabelListFormat()
        let format = try format ?? DatasetFormat.inferred(path: path, options: options)
        let knownSet = known.map { Set($0.map(ExactKey.init)) }
        func check(_ labels: [String], _ file: String, _ line: Int) throws {
            guard let knownSet, let known, let bad = labels.first(where: { !knownSet.contains(ExactKey($0)) }) else { return }
            let shown = known.prefix(20).map { "'\($0)'" }.joined(separator: ", ") + (known.count > 20 ? ", … (\(known.count) in all)" : "")
            throw TextDataError.malformedLine(path: file, line: line, expected: "labels of the training data (\(shown))",
                                              found: "the label '\(bad)'")
        }
        if format == .jsonl {
            var out: [MultiLabelledText] = []
            var sawList = false
            try JSONLinesRecords.forEachLabelled(path: path, options: options) { labels, isList, text, line in
                sawList = sawList || isList
                if multiLabel || isList { try check(labels, path, line) }
                out.append(MultiLabelledText(labels: labels, text: text))
            }
            if out.isEmpty { throw TextDataError.file(path: path, reason: "no examples (the data set is empty or holds only blank lines)") }
            if multiLabel || sawList { return .multi(out) }
            return .single(out.map { LabelledText(label: $0.labels[0], text: $0.text) })
        }
        guard multiLabel else { return .single(try read(path: path, format: format, options: options)) }
        guard format != .directory else {
            throw TextDataError.invalidConfiguration(what: path, reason: "a folder per class gives each text one label; multi-label data needs a tsv, csv or jsonl file")
        }
        var out: [MultiLabelledText] = []
        try forEachLocated(path: path, format: format, options: options) { example, file, line in
            switch labelList.split(example.label) {
            case .success(let labels):
                try check(labels, file, line ?? 0)
                out.append(MultiLabelledText(labels: labels, text: example.text))
            case .failure(let empty):
                throw TextDataError.malformedLine(path: file, line: line ?? 0,
                                                  expected: "labels separated by '\(Quoted.escaped(labelList.separator))'",
                                                  found: "an empty label (the \(ordinal(empty.position)))")
            }
        }
        if out.isEmpty { throw TextDataError.file(path: path, reason: "no examples (the data set is empty or holds only blank lines)") }
        return .multi(out)
    }

    private static func ordinal(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (1, let h) where h != 11: suffix = "st"
        case (2, let h) where h != 12: suffix = "nd"
        case (3, let h) where h != 13: suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }
}
