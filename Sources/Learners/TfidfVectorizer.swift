import Foundation

/// TF-IDF features over token n-grams, with scikit-learn's `TfidfVectorizer` defaults as the
/// reference:
/// - Terms: the n-grams of a token list for n in `1...ngrams`, each joined with one space
///   ("天 气", "not good"). With character tokens (Chinese) these are characters and
///   character bigrams; with word tokens, words and word bigrams. N-grams run across dropped
///   punctuation, as scikit-learn's word analyzer does.
/// - Vocabulary: terms in at least `minDF` training documents; with `maxFeatures`, only the
///   most frequent ones over the corpus (ties in term order). Columns are the kept terms in
///   sorted order. Terms are compared as Swift strings (canonically equivalent spellings are
///   one term).
/// - Weight: `tf · idf` with tf the raw count in the document (`1 + ln tf` with `sublinearTF`)
///   and the smooth idf `ln((1 + n) / (1 + df)) + 1`; then each row scaled to unit L2 norm
///   (rows with no known term stay empty).
public struct TfidfVectorizer: Sendable {
    public struct Options: Codable, Sendable, Equatable {
        /// The longest n-gram: 1 for tokens only, 2 adds bigrams (scikit-learn's `ngram_range=(1, n)`).
        public var ngrams: Int
        /// Replace tf by `1 + ln tf`.
        public var sublinearTF: Bool
        /// Keep terms found in at least this many training documents.
        public var minDF: Int
        /// Keep only the most frequent terms (by count over the corpus).
        public var maxFeatures: Int?
        /// Scale rows to unit Euclidean norm.
        public var normalize: Bool

        public init(ngrams: Int = 2, sublinearTF: Bool = false, minDF: Int = 1, maxFeatures: Int? = nil,
                    normalize: Bool = true) {
            self.ngrams = ngrams
            self.sublinearTF = sublinearTF
            self.minDF = minDF
            self.maxFeatures = maxFeatures
            self.normalize = normalize
        }

        public func validate() throws {
            func fail(_ why: String) -> LearnerError { .invalidConfiguration(what: "TfidfVectorizer", reason: why) }
            guard ngrams >= 1 && ngrams <= 8 else { throw fail("ngrams must be in 1...8, got \(ngrams)") }
            guard minDF >= 1 else { throw fail("minDF must be at least 1, got \(minDF)") }
            if let m = maxFeatures, m < 1 { throw fail("maxFeatures must be at least 1, got \(m)") }
        }
    }

    public let options: Options
    /// Column `j` is `terms[j]`; sorted.
    public private(set) var terms: [String] = []
    /// Inverse document frequency of each column.
    public private(set) var idf: [Float] = []
    /// Number of documents fitted on.
    public private(set) var documentCount = 0
    private var lookup = TokenIndex<Int32>([])

    public init(options: Options = Options()) {
        self.options = options
    }

    public var featureCount: Int { terms.count }
    public var isFitted: Bool { documentCount > 0 }

    /// The column of a term, or nil.
    public func column(of term: String) -> Int? { lookup[term].map(Int.init) }

    /// The terms of a token list: every n-gram for n in `1...n`, in order of position, then length.
    public static func terms(of tokens: [String], ngrams n: Int) -> [String] {
        guard n > 1 else { return tokens }
        var out: [String] = []
        out.reserveCapacity(tokens.count * n)
        for i in tokens.indices {
            var t = tokens[i]
            out.append(t)
            var j = i + 1
            while j < tokens.count && j < i + n {
                t += " "
                t += tokens[j]
                out.append(t)
                j += 1
            }
        }
        return out
    }

    // MARK: Fitting

    /// Learns the vocabulary and idf from tokenized documents and returns their TF-IDF rows.
    /// Throws `LearnerError.emptyVocabulary` when no term survives (no tokens at all, or
    /// `minDF` above every term's document count).
    public mutating func fit(_ documents: [[String]]) throws -> SparseMatrix {
        try options.validate()
        // Pass 1: provisional ids in first-seen order, per-document (id, count) runs.
        var provisional: [String: Int32] = [:]
        var provisionalTerms: [String] = []
        var df: [Int] = [], total: [Int] = []
        var docPtr = [0]
        docPtr.reserveCapacity(documents.count + 1)
        var docIds: [Int32] = [], docCounts: [Int32] = []
        var scratch: [Int32] = []
        for tokens in documents {
            scratch.removeAll(keepingCapacity: true)
            for term in Self.terms(of: tokens, ngrams: options.ngrams) {
                if let id = provisional[term] {
                    scratch.append(id)
                } else {
                    let id = Int32(provisionalTerms.count)
                    provisional[term] = id
                    provisionalTerms.append(term)
                    df.append(0)
                    total.append(0)
                    scratch.append(id)
                }
            }
            scratch.sort()
            Self.runs(scratch) { id, count in
                docIds.append(id)
                docCounts.append(Int32(count))
                df[Int(id)] += 1
                total[Int(id)] += count
            }
            docPtr.append(docIds.count)
        }
        let n = documents.count

        // Filter by document frequency, then by corpus frequency, then sort the survivors.
        var kept = (0..<provisionalTerms.count).filter { df[$0] >= options.minDF }
        if kept.isEmpty {
            if provisionalTerms.isEmpty {
                throw LearnerError.emptyVocabulary(reason: "the \(n) training texts have no tokens")
            }
            let most = df.max() ?? 0
            throw LearnerError.emptyVocabulary(
                reason: "minDF \(options.minDF) removes every term (the most common term is in \(most) of \(n) documents)")
        }
        if let m = options.maxFeatures, kept.count > m {
            kept.sort { total[$0] != total[$1] ? total[$0] > total[$1] : provisionalTerms[$0] < provisionalTerms[$1] }
            kept.removeSubrange(m...)
        }
        kept.sort { provisionalTerms[$0] < provisionalTerms[$1] }
        var column = [Int32](repeating: -1, count: provisionalTerms.count)
        terms = kept.map { provisionalTerms[$0] }
        idf = kept.map { Float(Foundation.log(Double(1 + n) / Double(1 + df[$0])) + 1) }
        for (j, p) in kept.enumerated() { column[p] = Int32(j) }
        lookup = TokenIndex(terms.enumerated().map { ($1, Int32($0)) })
        documentCount = n

        // Pass 2: the rows, remapped to the final columns.
        var rowPtr = [0]
        rowPtr.reserveCapacity(n + 1)
        var cols: [Int32] = [], vals: [Float] = []
        cols.reserveCapacity(docIds.count)
        vals.reserveCapacity(docIds.count)
        var pairs: [(Int32, Int)] = []
        for d in 0..<n {
            pairs.removeAll(keepingCapacity: true)
            for k in docPtr[d]..<docPtr[d + 1] {
                let c = column[Int(docIds[k])]
                if c >= 0 { pairs.append((c, Int(docCounts[k]))) }
            }
            pairs.sort { $0.0 < $1.0 }
            appendRow(pairs, cols: &cols, vals: &vals)
            rowPtr.append(cols.count)
        }
        return SparseMatrix(unchecked: n, columns: terms.count, rowPtr: rowPtr, colIdx: cols, values: vals)
    }

    // MARK: Transforming

    /// The TF-IDF row of one tokenized document (unknown terms ignored).
    public func transform(_ tokens: [String]) -> SparseVector {
        var cols: [Int32] = [], vals: [Float] = []
        appendRow(countedColumns(tokens), cols: &cols, vals: &vals)
        return SparseVector(indices: cols, values: vals)
    }

    /// The TF-IDF rows of tokenized documents.
    public func transform(_ documents: [[String]]) -> SparseMatrix {
        var rowPtr = [0]
        rowPtr.reserveCapacity(documents.count + 1)
        var cols: [Int32] = [], vals: [Float] = []
        for tokens in documents {
            appendRow(countedColumns(tokens), cols: &cols, vals: &vals)
            rowPtr.append(cols.count)
        }
        return SparseMatrix(unchecked: documents.count, columns: terms.count, rowPtr: rowPtr, colIdx: cols, values: vals)
    }

    /// Known columns of a document's terms with their counts, columns ascending.
    private func countedColumns(_ tokens: [String]) -> [(Int32, Int)] {
        var ids: [Int32] = []
        ids.reserveCapacity(tokens.count * options.ngrams)
        for term in Self.terms(of: tokens, ngrams: options.ngrams) {
            if let c = lookup[term] { ids.append(c) }
        }
        ids.sort()
        var pairs: [(Int32, Int)] = []
        Self.runs(ids) { pairs.append(($0, $1)) }
        return pairs
    }

    /// Appends one row: tf (or 1 + ln tf) times idf, L2-normalised. `pairs` ascending by column.
    private func appendRow(_ pairs: [(Int32, Int)], cols: inout [Int32], vals: inout [Float]) {
        var row: [Double] = []
        row.reserveCapacity(pairs.count)
        var norm = 0.0
        for (c, count) in pairs {
            let tf = options.sublinearTF ? 1 + Foundation.log(Double(count)) : Double(count)
            let v = tf * Double(idf[Int(c)])
            row.append(v)
            norm += v * v
        }
        let scale = options.normalize && norm > 0 ? 1 / norm.squareRoot() : 1
        for (i, (c, _)) in pairs.enumerated() {
            cols.append(c)
            vals.append(Float(row[i] * scale))
        }
    }

    /// Calls `body(value, runLength)` for each run of equal values in a sorted array.
    static func runs(_ sorted: [Int32], _ body: (Int32, Int) -> Void) {
        var i = 0
        while i < sorted.count {
            var j = i + 1
            while j < sorted.count && sorted[j] == sorted[i] { j += 1 }
            body(sorted[i], j - i)
            i = j
        }
    }
}

/// Stored as `{"options": {...}, "documentCount": n, "terms": [...], "idf": [...]}`; the lookup
/// table is rebuilt on decoding.
extension TfidfVectorizer: Codable {
    private enum CodingKeys: String, CodingKey { case options, documentCount, terms, idf }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(options, forKey: .options)
        try c.encode(documentCount, forKey: .documentCount)
        try c.encode(terms, forKey: .terms)
        try c.encode(idf, forKey: .idf)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        options = try c.decode(Options.self, forKey: .options)
        documentCount = try c.decode(Int.self, forKey: .documentCount)
        terms = try c.decode([String].self, forKey: .terms)
        idf = try c.decode([Float].self, forKey: .idf)
        guard terms.count == idf.count else {
            throw DecodingError.dataCorruptedError(forKey: .idf, in: c,
                                                   debugDescription: "\(idf.count) idf values for \(terms.count) terms")
        }
        guard idf.allSatisfy(\.isFinite) else {
            throw DecodingError.dataCorruptedError(forKey: .idf, in: c, debugDescription: "non-finite idf value")
        }
        lookup = TokenIndex(terms.enumerated().map { ($1, Int32($0)) })
        guard lookup.count == terms.count else {
            throw DecodingError.dataCorruptedError(forKey: .terms, in: c, debugDescription: "repeated terms")
        }
    }
}
