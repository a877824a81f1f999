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
    public struct WordCount: Hashable, Sendable, Codable {
        public var word: String
        public var count: Int
        public init(word: String, count: Int) {
            self.word = word
            self.count = count
        }
    }

    // MARK: Configuration (the Keras constructor arguments)

    /// Emit only indices `1..<numWords` (others become the OOV index, or are dropped). `nil`
    /// or 0 means no limit (0 is falsy in Keras).
    public let numWords: Int?
    public let filters: String
    public let lower: Bool
    public let split: String
    public let charLevel: Bool
    public let oovToken: String?

    // MARK: Fitted state

    /// Number of texts passed to `fit(on:)` so far.
    public private(set) var documentCount = 0
    /// Whether `fit(on:)` has been called (even on no texts: the OOV token is then indexed).
    public private(set) var isFitted = false
    /// Index order: `vocabulary[i - 1]` has index `i`; the OOV token, if set, is first.
    public private(set) var vocabulary: [String] = []

    // Words in first-seen order with their counts and document frequencies.
    private var words: [String] = []
    private var counts: [Int] = []
    private var docs: [Int] = []
    private var position: [ExactKey: Int] = [:]   // word → slot in `words`
    private var index: [ExactKey: Int] = [:]      // word → index (1-based)

    // Derived from the configuration.
    private let filterSet: Set<Unicode.Scalar>
    private let splitScalars: [Unicode.Scalar]

    /// Throws `TextDataError.invalidConfiguration` for an empty `split` at word level (Python
    /// raises "empty separator").
    public init(numWords: Int? = nil, filters: String = KerasTokenizer.defaultFilters,
                lower: Bool = true, split: String = " ", charLevel: Bool = false,
                oovToken: String? = nil) throws {
        if !charLevel && split.unicodeScalars.isEmpty {
            throw TextDataError.invalidConfiguration(
                what: "KerasTokenizer", reason: "split must not be empty for a word-level tokenizer")
        }
        self.numWords = numWords
        self.filters = filters
        self.lower = lower
        self.split = split
        self.charLevel = charLevel
        self.oovToken = oovToken
        filterSet = Set(filters.unicodeScalars)
        splitScalars = Array(split.unicodeScalars)
    }

    // MARK: Fitting

    /// `fit_on_texts`: adds the texts' words to the counts (cumulative over calls) and
    /// rebuilds the index.
    public mutating func fit(on texts: some Sequence<String>) {
        var seen: Set<Int> = []
        for text in texts {
            documentCount += 1
            seen.removeAll(keepingCapacity: true)
            for word in tokens(in: text) {
                let key = ExactKey(word)
                let slot: Int
                if let p = position[key] {
                    slot = p
                    counts[p] += 1
                } else {
                    slot = words.count
                    position[key] = slot
                    words.append(word)
                    counts.append(1)
                    docs.append(0)
                }
                seen.insert(slot)
            }
            for slot in seen { docs[slot] += 1 }
        }
        isFitted = true
        rebuildIndex()
    }

    /// Sort by count descending, ties by first-seen order; OOV first; then number from 1.
    /// As in Python's `dict(zip(...))`, a word listed twice (the OOV token also seen in the
    /// texts) keeps its later index.
    private mutating func rebuildIndex() {
        let order = words.indices.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        vocabulary = (oovToken.map { [$0] } ?? []) + order.map { words[$0] }
        index = [:]
        index.reserveCapacity(vocabulary.count)
        for (i, w) in vocabulary.enumerated() { index[ExactKey(w)] = i + 1 }
    }

    // MARK: Queries

    /// `word_index`. If two distinct words are canonically equivalent Swift strings (see the
    /// type's notes) they share one `String` key here, the higher index winning; use
    /// `index(of:)` or `vocabulary` for exact lookups.
    public var wordIndex: [String: Int] {
        var d: [String: Int] = [:]
        d.reserveCapacity(vocabulary.count)
        for (i, w) in vocabulary.enumerated() { d[w] = i + 1 }
        return d
    }

    /// The index of a word (exact code points), or nil.
    public func index(of word: String) -> Int? { index[ExactKey(word)] }

    /// `word_counts`: occurrences of each word, in first-seen order.
    public var wordCounts: [WordCount] {
        zip(words, counts).map { WordCount(word: $0, count: $1) }
    }

    /// `word_docs`: number of fitted texts containing each word, in first-seen order (Keras's
    /// own order depends on Python set iteration).
    public var wordDocs: [WordCount] {
        zip(words, docs).map { WordCount(word: $0, count: $1) }
    }

    /// The OOV token's index, when the OOV token is set and the tokenizer is fitted.
    public var oovIndex: Int? { oovToken.flatMap { index[ExactKey($0)] } }

    /// Keras's Embedding `input_dim` for these sequences: `numWords` if set, else
    /// `vocabulary.count + 1` (model_seed.json's V rule); always above every index
    /// `sequence(for:)` can emit.
    public var embeddingInputDim: Int {
        let base: Int
        if let n = numWords, n > 0 { base = n } else { base = vocabulary.count + 1 }
        return max(base, (oovIndex ?? 0) + 1)
    }

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

    /// True when `numWords` excludes index `i` (Keras: `num_words and i >= num_words`).
    private func beyondLimit(_ i: Int) -> Bool {
        guard let n = numWords, n != 0 else { return false }
        return i >= n
    }

    /// `texts_to_sequences` for one text. Known words below the `numWords` limit give their
    /// index; others give the OOV index if there is one, else are dropped. (An unfitted
    /// tokenizer drops everything; Keras would emit `None` for OOV there.)
    public func sequence(for text: String) -> [Int] {
        let oov = oovIndex
        var out: [Int] = []
        for word in tokens(in: text) {
            if let i = index[ExactKey(word)], !beyondLimit(i) {
                out.append(i)
            } else if let o = oov {
                out.append(o)
            }
        }
        return out
    }

    /// `texts_to_sequences`.
    public func sequences(for texts: some Sequence<String>) -> [[Int]] {
        texts.map { sequence(for: $0) }
    }

    /// `sequences_to_texts` for one sequence: words joined by one space (at char level too),
    /// with the same `numWords` / OOV rules; unknown indices (0, padding) give the OOV token
    /// if set, else nothing.
    public func text(for sequence: some Sequence<Int>) -> String {
        let oovWord = oovIndex.map { vocabulary[$0 - 1] }
        var out: [String] = []
        for i in sequence {
            if i >= 1 && i <= vocabulary.count && !beyondLimit(i) {
                out.append(vocabulary[i - 1])
            } else if let w = oovWord {
                out.append(w)
            }
        }
        return out.joined(separator: " ")
    }

    /// `sequences_to_texts`.
    public func texts(for sequences: some Sequence<[Int]>) -> [String] {
        sequences.map { text(for: $0) }
    }
}

// MARK: - Codable

/// Stores the configuration and the first-seen word table; the index is rebuilt on decoding.
extension KerasTokenizer: Codable {
    private enum CodingKeys: String, CodingKey {
        case numWords, filters, lower, split, charLevel, oovToken, fitted, documentCount, words
    }

    private struct Entry: Codable {
        var word: String
        var count: Int
        var documents: Int
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(numWords, forKey: .numWords)
        try c.encode(filters, forKey: .filters)
        try c.encode(lower, forKey: .lower)
        try c.encode(split, forKey: .split)
        try c.encode(charLevel, forKey: .charLevel)
        try c.encodeIfPresent(oovToken, forKey: .oovToken)
        try c.encode(isFitted, forKey: .fitted)
        try c.encode(documentCount, forKey: .documentCount)
        try c.encode(words.indices.map { Entry(word: words[$0], count: counts[$0], documents: docs[$0]) },
                     forKey: .words)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(numWords: try c.decodeIfPresent(Int.self, forKey: .numWords),
                          filters: try c.decode(String.self, forKey: .filters),
                          lower: try c.decode(Bool.self, forKey: .lower),
                          split: try c.decode(String.self, forKey: .split),
                          charLevel: try c.decode(Bool.self, forKey: .charLevel),
                          oovToken: try c.decodeIfPresent(String.self, forKey: .oovToken))
        } catch let e as TextDataError {
            throw DecodingError.dataCorruptedError(forKey: .split, in: c, debugDescription: e.description)
        }
        let count = try c.decode(Int.self, forKey: .documentCount)
        guard count >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .documentCount, in: c,
                                                   debugDescription: "negative document count \(count)")
        }
        documentCount = count
        for e in try c.decode([Entry].self, forKey: .words) {
            let key = ExactKey(e.word)
            guard position[key] == nil else {
                throw DecodingError.dataCorruptedError(forKey: .words, in: c,
                                                       debugDescription: "word '\(e.word)' listed twice")
            }
            guard e.count >= 1, e.documents >= 1, e.documents <= min(e.count, count) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .words, in: c,
                    debugDescription: "word '\(e.word)': count \(e.count), documents \(e.documents) of \(count) are inconsistent")
            }
            position[key] = words.count
            words.append(e.word)
            counts.append(e.count)
            docs.append(e.documents)
        }
        isFitted = try c.decode(Bool.self, forKey: .fitted)
        guard isFitted || (count == 0 && words.isEmpty) else {
            throw DecodingError.dataCorruptedError(forKey: .fitted, in: c,
                                                   debugDescription: "unfitted tokenizer with \(count) documents and \(words.count) words")
        }
        if isFitted { rebuildIndex() }
    }
}
