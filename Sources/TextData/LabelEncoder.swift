/// Maps class labels to indices `0..<count` and back, like scikit-learn's `LabelEncoder`:
/// the classes are the distinct labels sorted by code point (Python's `sorted()`), so the
/// mapping depends only on the set of labels, not on their order.
public struct LabelEncoder: Sendable, Equatable {
    /// The distinct labels, sorted; a label's index is its position here.
    public let classes: [String]
    private let lookup: [ExactKey: Int]

    /// Throws `TextDataError.invalidConfiguration` when there are no labels.
    public init(labels: some Sequence<String>) throws {
        var seen: Set<ExactKey> = []
        for l in labels { seen.insert(ExactKey(l)) }
        guard !seen.isEmpty else {
            throw TextDataError.invalidConfiguration(what: "LabelEncoder", reason: "no labels to encode")
        }
        classes = seen.map(\.string).sorted(by: PythonText.precedes)
        var lookup: [ExactKey: Int] = [:]
        for (i, c) in classes.enumerated() { lookup[ExactKey(c)] = i }
        self.lookup = lookup
    }

    public var count: Int { classes.count }

    /// Exactly two classes: a binary (sigmoid) problem.
    public var isBinary: Bool { classes.count == 2 }

    /// The index of `label`; throws `TextDataError.unknownLabel` naming it and the known ones.
    public func encode(_ label: String) throws -> Int {
        guard let i = lookup[ExactKey(label)] else { throw TextDataError.unknownLabel(label, known: classes) }
        return i
    }

    public func encode(_ labels: some Sequence<String>) throws -> [Int] {
        try labels.map { try encode($0) }
    }

    /// The label of class `index`; throws `TextDataError.classIndexOutOfRange` outside `0..<count`.
    public func decode(_ index: Int) throws -> String {
        guard classes.indices.contains(index) else {
            throw TextDataError.classIndexOutOfRange(index, count: classes.count)
        }
        return classes[index]
    }

    public static func == (a: LabelEncoder, b: LabelEncoder) -> Bool {
        a.classes.count == b.classes.count && zip(a.classes, b.classes).allSatisfy { ExactKey($0) == ExactKey($1) }
    }
}

/// Stored as `{"classes": [...]}`; decoding checks they are distinct, sorted and non-empty.
extension LabelEncoder: Codable {
    private enum CodingKeys: String, CodingKey { case classes }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(classes, forKey: .classes)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let stored = try c.decode([String].self, forKey: .classes)
        do {
            try self.init(labels: stored)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .classes, in: c, debugDescription: "\(error)")
        }
        guard classes.count == stored.count, zip(classes, stored).allSatisfy({ ExactKey($0) == ExactKey($1) }) else {
            throw DecodingError.dataCorruptedError(forKey: .classes, in: c,
                                                   debugDescription: "classes \(stored) are not distinct and sorted")
        }
    }
}
