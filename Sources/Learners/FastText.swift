import Basics
import Foundation
import TextData

/// fastText's supervised classifier ("Bag of Tricks for Efficient Text Classification",
/// Joulin et al. 2017), following fastText 0.9.2's code:
/// - Input rows: one per dictionary word (training tokens seen at least `minCount` times, plus
///   the end-of-line token `</s>` every text ends with) and `bucket` hashed rows for word
///   n-grams (n = 2...`wordNgrams`), hashed as fastText does (FNV-1a over the UTF-8 bytes,
///   bytes sign-extended; n-gram hash `h·116049371 + h'` on sign-extended 32-bit hashes;
///   unknown words take part in n-grams). Rows start uniform in ±1/dim.
/// - A text is the average of its rows; a linear layer (starting at zero) and a softmax give
///   the class probabilities.
/// - SGD, one example at a time, learning rate decaying linearly from `learningRate` to 0
///   over all epochs' tokens; examples shuffled each epoch with a seeded generator; one
///   thread by default, so the same seed gives the same model (`threads` > 1: lock-free
///   parallel SGD as fastText's, faster but not reproducible). See `FastText+Training.swift`.
///
/// Sparse storage: of the `bucket` n-gram rows only those met in training are kept. A row's
/// starting values are a function of (seed, row), so a row never seen in training is
/// regenerated when a prediction meets it and matches what fastText would hold there; saved
/// models hold only the rows actually used.
public struct FastText: Learner {
    /// fastText's defaults for supervised training. On small data sets (a few thousand
    /// texts) `epochs: 25, wordNgrams: 2` does much better: 5 epochs underfit, and bigram
    /// rows trained for 5 epochs add mostly noise.
    public struct Options: Codable, Sendable, Equatable {
        public var dim: Int
        public var learningRate: Double
        public var epochs: Int
        /// Longest word n-gram (1: words only).
        public var wordNgrams: Int
        /// Number of hashed n-gram rows.
        public var bucket: Int
        public var minCount: Int
        /// Training threads. 1 (the default) is deterministic: the same seed gives the same
        /// model. More threads update the shared weights without locks (Hogwild, as fastText
        /// does): faster, but the model then depends on timing and is not reproducible.
        public var threads: Int

        public init(dim: Int = 100, learningRate: Double = 0.1, epochs: Int = 5, wordNgrams: Int = 1,
                    bucket: Int = 2_000_000, minCount: Int = 1, threads: Int = 1) {
            self.dim = dim
            self.learningRate = learningRate
            self.epochs = epochs
            self.wordNgrams = wordNgrams
            self.bucket = bucket
            self.minCount = minCount
            self.threads = threads
        }

        private enum CodingKeys: String, CodingKey { case dim, learningRate, epochs, wordNgrams, bucket, minCount, threads }

        /// `threads` is stored only when it is not 1, so one-thread models (and files saved
        /// before the option existed) keep the same bytes.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(dim: try c.decode(Int.self, forKey: .dim), learningRate: try c.decode(Double.self, forKey: .learningRate),
                      epochs: try c.decode(Int.self, forKey: .epochs), wordNgrams: try c.decode(Int.self, forKey: .wordNgrams),
                      bucket: try c.decode(Int.self, forKey: .bucket), minCount: try c.decode(Int.self, forKey: .minCount),
                      threads: try c.decodeIfPresent(Int.self, forKey: .threads) ?? 1)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(dim, forKey: .dim)
            try c.encode(learningRate, forKey: .learningRate)
            try c.encode(epochs, forKey: .epochs)
            try c.encode(wordNgrams, forKey: .wordNgrams)
            try c.encode(bucket, forKey: .bucket)
            try c.encode(minCount, forKey: .minCount)
            if threads != 1 { try c.encode(threads, forKey: .threads) }
        }

        func validate() throws {
            func fail(_ why: String) -> LearnerError { .invalidConfiguration(what: "fastText", reason: why) }
            guard dim >= 1 && dim <= 4096 else { throw fail("dim must be in 1...4096, got \(dim)") }
            guard learningRate > 0 && learningRate.isFinite else { throw fail("learning rate must be positive, got \(learningRate)") }
            guard epochs >= 1 else { throw fail("epochs must be at least 1, got \(epochs)") }
            guard wordNgrams >= 1 && wordNgrams <= 8 else { throw fail("wordNgrams must be in 1...8, got \(wordNgrams)") }
            guard bucket >= 1 && bucket <= Int(Int32.max) / 2 else { throw fail("bucket must be in 1...\(Int(Int32.max) / 2), got \(bucket)") }
            guard minCount >= 1 else { throw fail("minCount must be at least 1, got \(minCount)") }
            guard threads >= 1 && threads <= 256 else { throw fail("threads must be in 1...256, got \(threads)") }
        }
    }

    public static let endOfLine = "</s>"

    public let kind = LearnerKind.fasttext
    public let labels: LabelEncoder
    public let tokenizer: FeatureTokenizer
    public let options: Options
    /// Seeds the starting values of the rows.
    public let seed: UInt64
    /// The dictionary: row `i` is `words[i]`.
    public let words: [String]
    /// The n-gram buckets that have rows, in row order after the words.
    public let buckets: [Int32]
    /// Input rows (`words.count + buckets.count` × dim) and output rows (classes × dim).
    public let input: [Float]
    public let output: [Float]
    private let wordIndex: TokenIndex<Int32>
    let bucketRow: [Int32: Int32]
    /// The row of `</s>`, which ends every text (nil when `minCount` dropped it).
    private let endOfLineRow: Int32?

    public func tokens(in text: String) -> [String] { tokenizer.tokens(in: text) }

    public func predictProbabilities(tokens: [String]) -> [Float] {
        let dim = options.dim, k = labels.count
        var hidden = [Float](repeating: 0, count: dim)
        var extra = [Float](repeating: 0, count: dim)
        var rows = 0
        input.withUnsafeBufferPointer { w in hidden.withUnsafeMutableBufferPointer { h in
            forEachRow(tokens) { row, bucket in
                rows += 1
                if row >= 0 {
                    VectorKernels.add(w.baseAddress! + Int(row) * dim, into: h.baseAddress!, count: dim)
                } else {
                    // A bucket never met in training: its starting values.
                    Self.initialRow(seed: seed, row: words.count + Int(bucket), dim: dim, into: &extra)
                    extra.withUnsafeBufferPointer { VectorKernels.add($0.baseAddress!, into: h.baseAddress!, count: dim) }
                }
            }
        } }
        guard rows > 0 else { return [Float](repeating: 1 / Float(k), count: k) }
        let inv = 1 / Float(rows)
        var z = [Float](repeating: 0, count: k)
        output.withUnsafeBufferPointer { o in
            for c in 0..<k {
                var s: Float = 0
                for d in 0..<dim { s += o[c * dim + d] * hidden[d] }
                z[c] = s * inv
            }
        }
        softmax(&z)
        return z
    }

    /// Calls `body(row, bucket)` for each input row of a token list: known words, `</s>`, then
    /// the n-grams. `row` is −1 for an n-gram bucket without a stored row.
    func forEachRow(_ tokens: [String], _ body: (Int32, Int32) -> Void) {
        let ngrams = options.wordNgrams > 1
        var hashes: [UInt32] = []
        if ngrams { hashes.reserveCapacity(tokens.count + 1) }
        for t in tokens {
            if let r = wordIndex[t] { body(r, -1) }
            if ngrams { hashes.append(Self.hash(t)) }
        }
        if let r = endOfLineRow { body(r, -1) }
        guard ngrams else { return }
        hashes.append(Self.endOfLineHash)
        Self.forEachBucket(hashes, ngrams: options.wordNgrams, bucket: options.bucket) { b in
            body(bucketRow[b] ?? -1, b)
        }
    }

    static let endOfLineHash = hash(endOfLine)

    // MARK: Hashing

    /// fastText's FNV-1a variant: each UTF-8 byte sign-extended before the xor.
    public static func hash(_ s: String) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in s.utf8 {
            h ^= UInt32(bitPattern: Int32(Int8(bitPattern: b)))
            h = h &* 16_777_619
        }
        return h
    }

    /// fastText's `addWordNgrams`: for each position, the n-grams starting there.
    static func forEachBucket(_ hashes: [UInt32], ngrams n: Int, bucket: Int, _ body: (Int32) -> Void) {
        guard n > 1 else { return }
        let mod = UInt64(bucket)
        for i in hashes.indices {
            var h = UInt64(bitPattern: Int64(Int32(bitPattern: hashes[i])))
            var j = i + 1
            while j < hashes.count && j < i + n {
                h = h &* 116_049_371 &+ UInt64(bitPattern: Int64(Int32(bitPattern: hashes[j])))
                body(Int32(h % mod))
                j += 1
            }
        }
    }

    /// The starting values of input row `row`: uniform in ±1/dim from a generator seeded by
    /// (seed, row).
    static func initialRow(seed: UInt64, row: Int, dim: Int, into out: inout [Float]) {
        var g = SplitMix64(seed: seed ^ (UInt64(row) &* 0xD1B5_4A32_D192_ED03))
        let scale = 1 / Float(dim)
        for d in 0..<dim {
            let u = Float(g.next() >> 40) * (1.0 / Float(1 << 24))
            out[d] = (2 * u - 1) * scale
        }
    }

    init(labels: LabelEncoder, tokenizer: FeatureTokenizer, options: Options, seed: UInt64, words: [String],
         buckets: [Int32], input: [Float], output: [Float]) {
        self.labels = labels
        self.tokenizer = tokenizer
        self.options = options
        self.seed = seed
        self.words = words
        self.buckets = buckets
        self.input = input
        self.output = output
        wordIndex = TokenIndex(words.enumerated().map { ($1, Int32($0)) })
        endOfLineRow = wordIndex[Self.endOfLine]
        var br: [Int32: Int32] = [:]
        for (i, b) in buckets.enumerated() { br[b] = Int32(words.count + i) }
        bucketRow = br
    }

    // MARK: Saving

    struct State: Codable {
        var options: Options
        var seed: UInt64
        var words: [String]
    }

    public func archive() throws -> LearnerArchive {
        var a = LearnerArchive(kind: .fasttext)
        try a.set("labels", labels)
        try a.set("tokenizer", tokenizer)
        try a.set("fasttext", State(options: options, seed: seed, words: words))
        a.add("buckets", buckets)
        a.add("input", input, shape: [words.count + buckets.count, options.dim])
        a.add("output", output, shape: [labels.count, options.dim])
        return a
    }

    public init(archive a: LearnerArchive) throws {
        let labels = try a.get("labels", as: LabelEncoder.self)
        let tokenizer = try a.get("tokenizer", as: FeatureTokenizer.self)
        let state = try a.get("fasttext", as: State.self)
        try state.options.validate()
        let buckets = try a.ints("buckets")
        guard buckets.allSatisfy({ $0 >= 0 && Int($0) < state.options.bucket }), Set(buckets).count == buckets.count else {
            throw LearnerError.file(path: "fastText model", reason: "bucket ids repeat or fall outside 0..<\(state.options.bucket)")
        }
        guard Set(state.words).count == state.words.count else {
            throw LearnerError.file(path: "fastText model", reason: "repeated dictionary words")
        }
        let input = try a.floats("input", count: try a.elementCount(state.words.count + buckets.count, state.options.dim, of: "input"))
        let output = try a.floats("output", count: try a.elementCount(labels.count, state.options.dim, of: "output"))
        self.init(labels: labels, tokenizer: tokenizer, options: state.options, seed: state.seed, words: state.words,
                  buckets: buckets, input: input, output: output)
    }
}
