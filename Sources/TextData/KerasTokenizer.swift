/// The legacy Keras text tokenizer (`keras_preprocessing.text.Tokenizer`, identical to
/// `tf_keras.preprocessing.text.Tokenizer`), with the same splitting, ordering, `num_words`
/// and `oov_token` rules, checked against tokenizer.json.
///
/// - Word level: `lower()` (Python's, per code point), every code point of `filters` replaced
///   by `split`, then `str.split(split)` with empty pieces dropped. Text without spaces (e.g.
///   Chinese) therefore becomes one token per whole text.
/// - Character level: `lower()`, then every Unicode code point (not grapheme cluster) is a
///   token; `filters` and `split` are not applied.
/// - Index: words sorted by count, descending, ties in first-seen order; the OOV token (if
///   any) first; indices from 1 (0 is padding). The index always holds the full vocabulary;
///   `numWords` only limits what `sequence(for:)` emits (indices 1..<numWords survive).
///
/// Words are compared by exact code points, as in Python: canonically equivalent but
/// differently encoded strings are distinct words.
public struct KerasTokenizer: Sendable {
    /// Keras's default `filters`: ASCII punctuation, tab and newline.
    public static let defaultFilters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n"

    /// A word with a count (of occurrences, or of documents containing it).
    public typealias WordCount = Vocabulary.WordCount

    // MARK: Configuration (the Keras constructor arguments)

    /// Emit only indices `1..<numWords` (others become the OOV index, or are dropped). `nil`
    /// or 0 means no limit (0 is falsy in Keras).
    public var numWords: Int? { vocab.numWords }
    public let filters: String
    public let lower: Bool
    public let split: String
    public let charLevel: Bool
    public var oovToken: String? { vocab.oovToken }

    // MARK: Fitted state

    /// The word table: counts, index order and the `numWords` / OOV lookup.
    public private(set) var vocab: Vocabulary

    /// Number of texts passed to `fit(on:)` so far.
    public var documentCount: Int { vocab.documentCount }
    /// Whether `fit(on:)` has been called (even on no texts: the OOV token is then indexed).
    public var isFitted: Bool { vocab.isFitted }
    /// Index order: `vocabulary[i - 1]` has index `i`; the OOV token, if set, is first.
    public var vocabulary: [String] { vocab.tokens }

    // Derived from the configuration.
    private let filterSet: Set<Unicode.Scalar>
    private let splitScalars: [Unicode.Scalar]

    /// Throws `TextDataError.invalidConfiguration` for an empty `split` at word level (Python
    /// raises "empty separator").
    public init(numWords: Int? = nil, filters: String = KerasTokenizer.defaultFilters,
                lower: Bool = true, split: String = " ", charLevel: Bool = false,
                oovToken: String? = nil) throws {
        try self.init(vocab: Vocabulary(numWords: numWords, oovToken: oovToken), filters: filters,
                      lower: lower, split: split, charLevel: charLevel)
    }

    private init(vocab: Vocabulary, filters: String, lower: Bool, split: String, charLevel: Bool) throws {
        if !charLevel && split.unicodeScalars.isEmpty {
            throw TextDataError.invalidConfiguration(
                what: "KerasTokenizer", reason: "split must not be empty for a word-level tokenizer")
        }
        self.vocab = vocab
        self.filters = filters
        self.lower = lower
        self.split = split
        self.charLevel = charLevel
        filterSet = Set(filters.unicodeScalars)
        splitScalars = Array(split.unicodeScalars)
    }

    // MARK: Fitting

    /// `fit_on_texts`: adds the texts' words to the counts (cumulative over calls) and
    /// rebuilds the index.
    public mutating func fit(on texts: some Sequence<String>) {
        for text in texts { vocab.add(document: tokens(in: text)) }
        vocab.buildIndex()
    }

    // MARK: Queries

    /// `word_index`. If two distinct words are canonically equivalent Swift strings (see the
    /// type's notes) they share one `String` key here, the higher index winning; use
    /// `index(of:)` or `vocabulary` for exact lookups.
    public var wordIndex: [String: Int] { vocab.wordIndex }

    /// The index of a word (exact code points), or nil.
    public func index(of word: String) -> Int? { vocab.index(of: word) }

    /// `word_counts`: occurrences of each word, in first-seen order.
    public var wordCounts: [WordCount] { vocab.wordCounts }

    /// `word_docs`: number of fitted texts containing each word, in first-seen order (Keras's
    /// own order depends on Python set iteration).
    public var wordDocs: [WordCount] { vocab.wordDocs }

    /// The OOV token's index, when the OOV token is set and the tokenizer is fitted.
    public var oovIndex: Int? { vocab.oovIndex }

    /// Keras's Embedding `input_dim` for these sequences: `numWords` if set, else
    /// `vocabulary.count + 1` (model_seed.json's V rule); always above every index
    /// `sequence(for:)` can emit.
    public var embeddingInputDim: Int { vocab.embeddingInputDim }

    /// `text_to_word_sequence` (or the characters, at char level): the tokens of one text.
    public func tokens(in text: String) -> [String] {
        var s = Array(text.unicodeScalars)
        if lower { s = PythonText.lowercased(s) }
        if charLevel { return s.map { String($0) } }
        var replaced: [Unicode.Scalar] = []
        replaced.reserveCapacity(s.count)
        for c in s {
            if filterSet.contains(c) { replaced.append(contentsOf: splitScalars) } else { replaced.append(c) }
        }
        return PythonText.split(replaced, separator: splitScalars).compactMap {
            $0.isEmpty ? nil : PythonText.string($0)
        }
    }

    /// `texts_to_sequences` for one text. Known words below the `numWords` limit give their
    /// index; others give the OOV index if there is one, else are dropped. (An unfitted
    /// tokenizer drops everything; Keras would emit `None` for OOV there.)
    public func sequence(for text: String) -> [Int] {
        vocab.sequence(for: tokens(in: text))
    }

    /// `texts_to_sequences`.
    public func sequences(for texts: some Sequence<String>) -> [[Int]] {
        texts.map { sequence(for: $0) }
    }

    /// `sequences_to_texts` for one sequence: words joined by one space (at char level too),
    /// with the same `numWords` / OOV rules; unknown indices (0, padding) give the OOV token
    /// if set, else nothing.
    public func text(for sequence: some Sequence<Int>) -> String {
        vocab.words(for: sequence).joined(separator: " ")
    }

    /// `sequences_to_texts`.
    public func texts(for sequences: some Sequence<[Int]>) -> [String] {
        sequences.map { text(for: $0) }
    }
}

// MARK: - Codable

/// Stores the configuration (`filters`, `lower`, `split`, `charLevel`) beside the vocabulary's
/// fields (`numWords`, `oovToken`, `fitted`, `documentCount`, `words`) in one object; the index
/// is rebuilt on decoding.
extension KerasTokenizer: Codable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(filters, forKey: AnyCodingKey("filters"))
        try c.encode(lower, forKey: AnyCodingKey("lower"))
        try c.encode(split, forKey: AnyCodingKey("split"))
        try c.encode(charLevel, forKey: AnyCodingKey("charLevel"))
        try vocab.encodeFields(into: &c)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        let vocab = try Vocabulary(decodingFieldsFrom: c)
        do {
            try self.init(vocab: vocab,
                          filters: try c.decode(String.self, forKey: AnyCodingKey("filters")),
                          lower: try c.decode(Bool.self, forKey: AnyCodingKey("lower")),
                          split: try c.decode(String.self, forKey: AnyCodingKey("split")),
                          charLevel: try c.decode(Bool.self, forKey: AnyCodingKey("charLevel")))
        } catch let e as TextDataError {
            throw DecodingError.dataCorruptedError(forKey: AnyCodingKey("split"), in: c, debugDescription: e.description)
        }
    }
}
