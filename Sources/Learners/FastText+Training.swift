import Basics
import Dispatch
import Foundation
import TextData

extension FastText {
    static func train(_ data: TrainingData, options: Options, seed: UInt64,
                      warnings: inout [LearnerWarning]) throws -> FastText {
        try options.validate()
        let corpus = try FastTextCorpus(data, options: options)
        let dim = options.dim, k = data.classCount
        let words = corpus.words, buckets = corpus.buckets
        let rowCount = words.count + buckets.count
        var input = [Float](repeating: 0, count: rowCount * dim)
        var scratch = [Float](repeating: 0, count: dim)
        for r in 0..<rowCount {
            let id = r < words.count ? r : words.count + Int(buckets[r - words.count])
            initialRow(seed: seed, row: id, dim: dim, into: &scratch)
            for d in 0..<dim { input[r * dim + d] = scratch[d] }
        }
        var output = [Float](repeating: 0, count: k * dim)

        let lossSum = input.withUnsafeMutableBufferPointer { wi in
            output.withUnsafeMutableBufferPointer { wo in
                FastTextSGD(corpus: corpus, targets: data.y, options: options, classes: k,
                            input: wi.baseAddress!, output: wo.baseAddress!).run(seed: seed)
            }
        }
        guard lossSum.isFinite, input.allSatisfy(\.isFinite), output.allSatisfy(\.isFinite) else {
            throw LearnerError.nonFinite(learner: "fastText", what: "the embeddings (try a lower learning rate)")
        }
        return FastText(labels: data.labels, tokenizer: data.tokenizer, options: options, seed: seed, words: words,
                        buckets: buckets, input: input, output: output)
    }
}

/// The training texts as fastText sees them: the dictionary, and each example's input rows
/// (its known words, `</s>`, then its n-gram buckets) as row ids, computed once before the
/// epochs so the SGD loop does no string work and no allocation.
struct FastTextCorpus {
    /// The dictionary: tokens by count (descending, ties in string order), `</s>` included.
    let words: [String]
    /// The n-gram buckets that have rows, in order of first use; their rows follow the words'.
    let buckets: [Int32]
    /// Example `i`'s rows are `rows[rowPtr[i]..<rowPtr[i + 1]]`.
    let rowPtr: [Int]
    let rows: [Int32]
    /// Tokens per example as fastText counts them for the learning-rate schedule: words,
    /// `</s>` and the label.
    let lineTokens: [Int]

    init(_ data: TrainingData, options: FastText.Options) throws {
        // The distinct spellings (exact code units) in first-seen order, `</s>` first; each
        // token becomes a spelling id, so the string work below is done once per spelling
        // rather than once per token.
        let endOfLine = 0
        var spellingIds: [ExactToken: Int32] = [ExactToken(FastText.endOfLine): Int32(endOfLine)]
        var spellings = [FastText.endOfLine]
        var spellingCounts = [0]
        var tokenIds: [Int32] = [], tokenPtr = [0]
        tokenIds.reserveCapacity(data.tokens.reduce(0) { $0 + $1.count })
        for tokens in data.tokens {
            for t in tokens {
                let key = ExactToken(t)
                let id: Int32
                if let known = spellingIds[key] {
                    id = known
                } else {
                    id = Int32(spellings.count)
                    spellingIds[key] = id
                    spellings.append(t)
                    spellingCounts.append(0)
                }
                spellingCounts[Int(id)] += 1
                tokenIds.append(id)
            }
            spellingCounts[endOfLine] += 1
            tokenPtr.append(tokenIds.count)
        }

        // Words: spellings that are equal as Swift strings (canonically equivalent) are one
        // word, named by the first seen, as a [String: Int] count would have them.
        var wordOf: [String: Int] = [:]
        var wordOfSpelling = [Int](repeating: 0, count: spellings.count)
        var wordNames: [String] = [], wordCounts: [Int] = []
        for (i, spelling) in spellings.enumerated() {
            if let w = wordOf[spelling] {
                wordCounts[w] += spellingCounts[i]
                wordOfSpelling[i] = w
            } else {
                wordOf[spelling] = wordNames.count
                wordOfSpelling[i] = wordNames.count
                wordNames.append(spelling)
                wordCounts.append(spellingCounts[i])
            }
        }
        // The dictionary: by count (descending), ties in string order.
        let kept = wordNames.indices.filter { wordCounts[$0] >= options.minCount }
            .sorted { wordCounts[$0] != wordCounts[$1] ? wordCounts[$0] > wordCounts[$1] : wordNames[$0] < wordNames[$1] }
        guard !kept.isEmpty else {
            throw LearnerError.emptyVocabulary(reason: "minCount \(options.minCount) removes every token")
        }
        let words = kept.map { wordNames[$0] }
        var rowOfWord = [Int32](repeating: -1, count: wordNames.count)
        for (row, w) in kept.enumerated() { rowOfWord[w] = Int32(row) }
        let rowOfSpelling = wordOfSpelling.map { rowOfWord[$0] }
        let hashOfSpelling = spellings.map(FastText.hash)

        // Each example's rows: its known words and `</s>`, then its n-gram buckets, which get
        // rows in order of first use (a flat table: bucket lookups are the hot part here).
        var bucketRow = [Int32](repeating: -1, count: options.wordNgrams > 1 ? options.bucket : 0)
        var buckets: [Int32] = []
        var rowPtr = [0], rows: [Int32] = []
        var hashes: [UInt32] = []
        for e in 0..<data.count {
            hashes.removeAll(keepingCapacity: true)
            for id in tokenIds[tokenPtr[e]..<tokenPtr[e + 1]] {
                let r = rowOfSpelling[Int(id)]
                if r >= 0 { rows.append(r) }
                hashes.append(hashOfSpelling[Int(id)])
            }
            if rowOfSpelling[endOfLine] >= 0 { rows.append(rowOfSpelling[endOfLine]) }
            hashes.append(hashOfSpelling[endOfLine])
            FastText.forEachBucket(hashes, ngrams: options.wordNgrams, bucket: options.bucket) { b in
                var r = bucketRow[Int(b)]
                if r < 0 {
                    r = Int32(words.count + buckets.count)
                    bucketRow[Int(b)] = r
                    buckets.append(b)
                }
                rows.append(r)
            }
            rowPtr.append(rows.count)
        }
        self.words = words
        self.buckets = buckets
        self.rowPtr = rowPtr
        self.rows = rows
        lineTokens = data.tokens.map { $0.count + 2 }
    }
}

/// fastText's supervised SGD (softmax loss) over raw weight pointers: one example at a time,
/// the learning rate decaying linearly to 0 over all epochs' tokens, examples shuffled each
/// epoch with a seeded generator. With one thread the same seed gives the same weights, bit
/// for bit; with `threads` > 1 the threads update the shared weights without locks
/// (Hogwild, as fastText does), so the result depends on timing.
///
/// `@unchecked Sendable`: the weight pointers are shared by the threads on purpose (the
/// Hogwild updates); everything else is read-only while they run.
struct FastTextSGD: @unchecked Sendable {
    let corpus: FastTextCorpus
    let targets: [Int]
    let options: FastText.Options
    let classes: Int
    let input: UnsafeMutablePointer<Float>
    let output: UnsafeMutablePointer<Float>

    /// Trains in place; returns the summed loss (for the finiteness check).
    func run(seed: UInt64) -> Double {
        let n = targets.count
        let epochTokens = Double(corpus.lineTokens.reduce(0, +))
        let totalTokens = Double(options.epochs) * epochTokens
        let threads = min(options.threads, n)
        var order = Array(0..<n)
        var shuffler = SplitMix64(seed: seed)
        let losses = LossSlots(count: threads)
        for epoch in 0..<options.epochs {
            shuffler.shuffle(&order)
            let start = Double(epoch) * epochTokens
            if threads == 1 {
                losses.add(train(order[...], tokensBefore: start, totalTokens: totalTokens, share: 1), slot: 0)
                continue
            }
            // Each thread takes a contiguous share of this epoch's order and estimates the global
            // progress from its own (the threads run at about the same speed).
            let epochOrder = order
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let part = epochOrder[(t * n / threads)..<((t + 1) * n / threads)]
                losses.add(train(part, tokensBefore: start, totalTokens: totalTokens, share: threads), slot: t)
            }
        }
        return losses.total
    }

    /// One pass over `examples`; progress counts this pass's tokens `share` times over.
    private func train(_ examples: ArraySlice<Int>, tokensBefore: Double, totalTokens: Double,
                       share: Int) -> Double {
        let dim = options.dim, k = classes
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * dim + k)
        defer { scratch.deallocate() }
        let h = scratch, g = scratch + dim, p = scratch + 2 * dim
        var processed = tokensBefore
        var loss = 0.0
        corpus.rows.withUnsafeBufferPointer { rows in
            corpus.rowPtr.withUnsafeBufferPointer { rowPtr in
                corpus.lineTokens.withUnsafeBufferPointer { lineTokens in
                    targets.withUnsafeBufferPointer { targets in
                        for i in examples {
                            let lr = Float(options.learningRate * max(0, 1 - processed / totalTokens))
                            processed += Double(lineTokens[i] * share)
                            let lo = rowPtr[i], hi = rowPtr[i + 1]
                            guard hi > lo else { continue }
                            loss += step(rows: UnsafeBufferPointer(rebasing: rows[lo..<hi]), target: targets[i], lr: lr,
                                         hidden: h, grad: g, probs: p)
                        }
                    }
                }
            }
        }
        return loss
    }

    /// One example: the hidden vector is the mean of its rows; softmax over the output rows;
    /// the gradient is taken with each output row before its update, as fastText does, then
    /// added (divided by the row count) to every input row. Returns −ln p(target).
    @inline(__always)
    private func step(rows: UnsafeBufferPointer<Int32>, target: Int, lr: Float, hidden h: UnsafeMutablePointer<Float>,
                      grad g: UnsafeMutablePointer<Float>, probs p: UnsafeMutablePointer<Float>) -> Double {
        let dim = options.dim, k = classes
        h.update(repeating: 0, count: dim)
        for r in rows { VectorKernels.add(input + Int(r) * dim, into: h, count: dim) }
        let inv = 1 / Float(rows.count)
        VectorKernels.scale(h, by: inv, count: dim)

        var m = -Float.infinity
        for c in 0..<k {
            p[c] = VectorKernels.dot(output + c * dim, h, count: dim)
            m = max(m, p[c])
        }
        var sum: Float = 0
        for c in 0..<k {
            p[c] = Foundation.exp(p[c] - m)
            sum += p[c]
        }
        for c in 0..<k { p[c] /= sum }
        let loss = -Double(Foundation.log(max(p[target], 1e-30)))

        g.update(repeating: 0, count: dim)
        for c in 0..<k {
            let alpha = lr * ((c == target ? 1 : 0) - p[c])
            let o = output + c * dim
            VectorKernels.addScaled(alpha, o, into: g, count: dim)
            VectorKernels.addScaled(alpha, h, into: o, count: dim)
        }
        VectorKernels.scale(g, by: inv, count: dim)
        for r in rows { VectorKernels.add(g, into: input + Int(r) * dim, count: dim) }
        return loss
    }
}

/// Per-thread loss sums, each slot written by one thread only.
private final class LossSlots: @unchecked Sendable {
    private let sums: UnsafeMutableBufferPointer<Double>

    init(count: Int) { sums = .allocate(capacity: count); sums.initialize(repeating: 0) }
    deinit { sums.deallocate() }

    func add(_ loss: Double, slot: Int) { sums[slot] += loss }

    var total: Double { sums.reduce(0, +) }
}
