/// The word table shared by the tokenizers: counts, index order and the Keras `num_words` /
/// `oov_token` lookup rules, independent of how a text is split into tokens.
///
/// - Counting: `add(document:)` adds one text's tokens to the occurrence counts (and each
///   distinct token to its document count); counts accumulate over calls.
/// - Index: tokens sorted by count, descending, ties in first-seen order; the OOV token (if
///   any) first; indices from 1 (0 is padding). The index always holds the full vocabulary;
///   `numWords` only limits what `sequence(for:)` emits (indices `1..<numWords` survive).
///   As in Python's `dict(zip(...))`, a token listed twice (the OOV token also seen in the
///   texts) keeps its later index.
/// - Tokens are compared by exact code points, as in Python: canonically equivalent but
///   differently encoded strings are distinct tokens.
public struct Vocabulary: Sendable {
    /// A token with a count (of occurrences, or of documents containing it).
    public struct WordCount: Hashable, Sendable, Codable {
        public var word: String
        public var count: Int
        public init(word: String, count: Int) {
            self.word = word
            self.count = count
        }
    }

    /// Emit only indices `1..<numWords` (others become the OOV index, or are dropped). `nil`
    /// or 0 means no limit (0 is falsy in Keras).
    public let numWords: Int?
    public let oovToken: String?

    /// Number of documents added so far.
    public private(set) var documentCount = 0
    /// Whether the index has been built (even from no documents: the OOV token is then indexed).
    public private(set) var isFitted = false
    /// Index order: `tokens[i - 1]` has index `i`; the OOV token, if set, is first.
    public private(set) var tokens: [String] = []

    // Tokens in first-seen order with their counts and document frequencies.
    private var words: [String] = []
    private var counts: [Int] = []
    private var docs: [Int] = []
    private var position: [ExactKey: Int] = [:]   // token → slot in `words`
    private var index: [ExactKey: Int] = [:]      // token → index (1-based)
    private var seen: Set<Int> = []               // scratch for add(document:)

    public init(numWords: Int? = nil, oovToken: String? = nil) {
        self.numWords = numWords
        self.oovToken = oovToken
    }

    // MARK: Fitting

    /// Counts one document's tokens. The index is not rebuilt until `buildIndex()`.
    public mutating func add(document: some Sequence<String>) {
        documentCount += 1
        seen.removeAll(keepingCapacity: true)
        for word in document {
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

    /// Sorts by count descending, ties by first-seen order, OOV first, numbers from 1, and
    /// marks the vocabulary fitted.
    public mutating func buildIndex() {
        isFitted = true
        let order = words.indices.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        tokens = (oovToken.map { [$0] } ?? []) + order.map { words[$0] }
        index = [:]
        index.reserveCapacity(tokens.count)
        for (i, w) in tokens.enumerated() { index[ExactKey(w)] = i + 1 }
    }

    // MARK: Queries

    /// Number of indexed tokens (the OOV token included), i.e. the highest index.
    public var count: Int { tokens.count }

    /// `word_index`. Canonically equivalent but distinct tokens share one `String` key here,
    /// the higher index winning; use `index(of:)` or `tokens` for exact lookups.
    public var wordIndex: [String: Int] {
        var d: [String: Int] = [:]
        d.reserveCapacity(tokens.count)
        for (i, w) in tokens.enumerated() { d[w] = i + 1 }
        return d
    }

    /// The index of a token (exact code points), or nil.
    public func index(of word: String) -> Int? { index[ExactKey(word)] }

    /// `word_counts`: occurrences of each token, in first-seen order.
    public var wordCounts: [WordCount] {
        zip(words, counts).map { WordCount(word: $0, count: $1) }
    }

    /// `word_docs`: number of documents containing each token, in first-seen order.
    public var wordDocs: [WordCount] {
        zip(words, docs).map { WordCount(word: $0, count: $1) }
    }

    /// The OOV token's index, when the OOV token is set and the vocabulary is fitted.
    public var oovIndex: Int? { oovToken.flatMap { index[ExactKey($0)] } }

    /// Keras's Embedding `input_dim` for these sequences: `numWords` if set, else
    /// `count + 1`; always above every index `sequence(for:)` can emit.
    public var embeddingInputDim: Int {
        let base: Int
        if let n = numWords, n > 0 { base = n } else { base = tokens.count + 1 }
        return max(base, (oovIndex ?? 0) + 1)
    }

    /// True when `numWords` excludes index `i` (Keras: `num_words and i >= num_words`).
    public func isBeyondLimit(_ i: Int) -> Bool {
        guard let n = numWords, n != 0 else { return false }
        return i >= n
    }

    /// The emitted index of one token: its index below the `numWords` limit, else the OOV
    /// index if there is one, else nil (dropped). An unfitted vocabulary drops everything.
    public func lookup(_ word: String) -> Int? {
        if let i = index[ExactKey(word)], !isBeyondLimit(i) { return i }
        return oovIndex
    }

    /// `texts_to_sequences` for one text's tokens.
    public func sequence(for words: some Sequence<String>) -> [Int] {
        let oov = oovIndex
        var out: [Int] = []
        for word in words {
            if let i = index[ExactKey(word)], !isBeyondLimit(i) {
                out.append(i)
            } else if let o = oov {
                out.append(o)
            }
        }
        return out
    }

    /// `sequences_to_texts` for one sequence, before joining: the tokens of the indices, with
    /// the same `numWords` / OOV rules; unknown indices (0, padding) give the OOV token if
    /// set, else nothing.
    public func words(for sequence: some Sequence<Int>) -> [String] {
        let oovWord = oovIndex.map { tokens[$0 - 1] }
        var out: [String] = []
        for i in sequence {
            if i >= 1 && i <= tokens.count && !isBeyondLimit(i) {
                out.append(tokens[i - 1])
            } else if let w = oovWord {
                out.append(w)
            }
        }
        return out
    }
}

extension Vocabulary: Equatable {
    /// Same configuration and the same counted tokens (exact code points) in the same order.
    public static func == (a: Vocabulary, b: Vocabulary) -> Bool {
        a.numWords == b.numWords && a.oovToken.map(ExactKey.init) == b.oovToken.map(ExactKey.init)
            && a.documentCount == b.documentCount && a.isFitted == b.isFitted
            && a.counts == b.counts && a.docs == b.docs
            && a.words.count == b.words.count && zip(a.words, b.words).allSatisfy { ExactKey($0) == ExactKey($1) }
    }
}

// MARK: - Codable

/// A string coding key, so a tokenizer can store its configuration and its vocabulary side
/// by side in one JSON object.
struct AnyCodingKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

extension Vocabulary: Codable {
    private struct Entry: Codable {
        var word: String
        var count: Int
        var documents: Int
    }

    private static let keys = (numWords: AnyCodingKey("numWords"), oovToken: AnyCodingKey("oovToken"),
                               fitted: AnyCodingKey("fitted"), documentCount: AnyCodingKey("documentCount"),
                               words: AnyCodingKey("words"))

    /// Stores `numWords`, `oovToken`, `fitted`, `documentCount` and the first-seen table
    /// `words` (`[{word, count, documents}]`) into `c`; the index is rebuilt on decoding.
    func encodeFields(into c: inout KeyedEncodingContainer<AnyCodingKey>) throws {
        let k = Self.keys
        try c.encodeIfPresent(numWords, forKey: k.numWords)
        try c.encodeIfPresent(oovToken, forKey: k.oovToken)
        try c.encode(isFitted, forKey: k.fitted)
        try c.encode(documentCount, forKey: k.documentCount)
        try c.encode(words.indices.map { Entry(word: words[$0], count: counts[$0], documents: docs[$0]) },
                     forKey: k.words)
    }

    /// Reads what `encodeFields` stored, checking that it is consistent.
    init(decodingFieldsFrom c: KeyedDecodingContainer<AnyCodingKey>) throws {
        let k = Self.keys
        self.init(numWords: try c.decodeIfPresent(Int.self, forKey: k.numWords),
                  oovToken: try c.decodeIfPresent(String.self, forKey: k.oovToken))
        let count = try c.decode(Int.self, forKey: k.documentCount)
        guard count >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: k.documentCount, in: c,
                                                   debugDescription: "negative document count \(count)")
        }
        documentCount = count
        for e in try c.decode([Entry].self, forKey: k.words) {
            let key = ExactKey(e.word)
            guard position[key] == nil else {
                throw DecodingError.dataCorruptedError(forKey: k.words, in: c,
                                                       debugDescription: "word '\(e.word)' listed twice")
            }
            guard e.count >= 1, e.documents >= 1, e.documents <= min(e.count, count) else {
                throw DecodingError.dataCorruptedError(
                    forKey: k.words, in: c,
                    debugDescription: "word '\(e.word)': count \(e.count), documents \(e.documents) of \(count) are inconsistent")
            }
            position[key] = words.count
            words.append(e.word)
            counts.append(e.count)
            docs.append(e.documents)
        }
        let fitted = try c.decode(Bool.self, forKey: k.fitted)
        guard fitted || (count == 0 && words.isEmpty) else {
            throw DecodingError.dataCorruptedError(forKey: k.fitted, in: c,
                                                   debugDescription: "unfitted vocabulary with \(count) documents and \(words.count) words")
        }
        if fitted { buildIndex() }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try encodeFields(into: &c)
    }

    public init(from decoder: Decoder) throws {
        try self.init(decodingFieldsFrom: try decoder.container(keyedBy: AnyCodingKey.self))
    }
}
