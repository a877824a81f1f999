/// Either tokenizer behind one API, so a session can store and use whichever it was built
/// with. Stored as `{"kind": "keras" | "script", "tokenizer": {...}}`.
public enum TextTokenizer: Sendable {
    case keras(KerasTokenizer)
    case script(ScriptTokenizer)

    /// The `kind` tag stored with the tokenizer.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case keras, script
    }

    public var kind: Kind {
        switch self {
        case .keras: return .keras
        case .script: return .script
        }
    }

    /// The word table: counts, index order and the `numWords` / OOV lookup.
    public var vocab: Vocabulary {
        switch self {
        case .keras(let t): return t.vocab
        case .script(let t): return t.vocab
        }
    }

    /// Adds the texts' tokens to the counts (cumulative over calls) and rebuilds the index.
    public mutating func fit(on texts: some Sequence<String>) {
        switch self {
        case .keras(var t):
            t.fit(on: texts)
            self = .keras(t)
        case .script(var t):
            t.fit(on: texts)
            self = .script(t)
        }
    }

    /// The tokens of one text, before the vocabulary lookup.
    public func tokens(in text: String) -> [String] {
        switch self {
        case .keras(let t): return t.tokens(in: text)
        case .script(let t): return t.tokens(in: text)
        }
    }

    /// The indices of one text's tokens (`numWords` and OOV rules applied).
    public func sequence(for text: String) -> [Int] { vocab.sequence(for: tokens(in: text)) }

    public func sequences(for texts: some Sequence<String>) -> [[Int]] {
        let v = vocab
        return texts.map { v.sequence(for: tokens(in: $0)) }
    }

    /// The tokens of a sequence joined by one space (unknown indices give the OOV token if set).
    public func text(for sequence: some Sequence<Int>) -> String {
        vocab.words(for: sequence).joined(separator: " ")
    }

    public var isFitted: Bool { vocab.isFitted }
    public var documentCount: Int { vocab.documentCount }
    public var numWords: Int? { vocab.numWords }
    public var oovToken: String? { vocab.oovToken }
    public var oovIndex: Int? { vocab.oovIndex }
    /// Index order: `vocabulary[i - 1]` has index `i`; the OOV token, if set, is first.
    public var vocabulary: [String] { vocab.tokens }
    /// Number of indexed tokens (the OOV token included).
    public var vocabularySize: Int { vocab.count }
    /// Embedding `input_dim`: `numWords` if set, else `vocabularySize + 1`.
    public var embeddingInputDim: Int { vocab.embeddingInputDim }
    public func index(of token: String) -> Int? { vocab.index(of: token) }
}

extension TextTokenizer: Codable {
    private enum CodingKeys: String, CodingKey { case kind, tokenizer }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .keras(let t): try c.encode(t, forKey: .tokenizer)
        case .script(let t): try c.encode(t, forKey: .tokenizer)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try c.decode(String.self, forKey: .kind)
        guard let kind = Kind(rawValue: raw) else {
            let known = Kind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c,
                                                   debugDescription: "unknown tokenizer kind '\(raw)', expected one of \(known)")
        }
        switch kind {
        case .keras: self = .keras(try c.decode(KerasTokenizer.self, forKey: .tokenizer))
        case .script: self = .script(try c.decode(ScriptTokenizer.self, forKey: .tokenizer))
        }
    }
}
