import Basics

/// What a data set looks like through a tokenizer: label counts, text lengths, a histogram of
/// token lengths, vocabulary size and the tokenizer's OOV rate on these texts. Rendered as a
/// plain-text report by `render(width:)` (`workbench data inspect`).
public struct DatasetStatistics: Sendable, Codable, Equatable {
    public struct LabelCount: Sendable, Codable, Equatable {
        public var label: String
        public var count: Int
        public init(label: String, count: Int) {
            self.label = label
            self.count = count
        }
    }

    /// Nearest-rank percentiles (the smallest length with at least p% of texts at or below
    /// it), the maximum and the mean; all 0 for no texts.
    public struct LengthSummary: Sendable, Codable, Equatable {
        public var p50: Int
        public var p90: Int
        public var p95: Int
        public var p99: Int
        public var max: Int
        public var mean: Double

        /// From lengths in any order.
        public init(_ lengths: [Int]) {
            let s = lengths.sorted()
            func rank(_ p: Int) -> Int {
                guard !s.isEmpty else { return 0 }
                let r = (p * s.count + 99) / 100       // ceil(p / 100 * n), at least 1
                return s[Swift.max(1, r) - 1]
            }
            p50 = rank(50)
            p90 = rank(90)
            p95 = rank(95)
            p99 = rank(99)
            max = s.last ?? 0
            mean = s.isEmpty ? 0 : Double(s.reduce(0, +)) / Double(s.count)
        }
    }

    /// Texts whose token count is in `lower...upper`.
    public struct Bin: Sendable, Codable, Equatable {
        public var lower: Int
        public var upper: Int
        public var count: Int
        public init(lower: Int, upper: Int, count: Int) {
            self.lower = lower
            self.upper = upper
            self.count = count
        }
    }

    public var exampleCount: Int
    /// Examples per label, labels in code-point order (the `LabelEncoder` order).
    public var labelCounts: [LabelCount]
    /// Text lengths in Unicode code points (what a character-level tokenizer counts).
    public var characterLengths: LengthSummary
    /// Text lengths in tokens (`tokenizer.tokens(in:)`, before the vocabulary lookup).
    public var tokenLengths: LengthSummary
    /// Token lengths in equal-width bins from 0 to the longest text.
    public var tokenHistogram: [Bin]
    /// Tokens in all texts, and distinct ones (exact code points).
    public var tokenCount: Int
    public var distinctTokens: Int
    /// The tokenizer's indexed tokens (OOV token included), and the Embedding input size.
    public var vocabularySize: Int
    public var embeddingInputDim: Int
    public var tokenizerFitted: Bool
    /// Tokens that map to the OOV index or are dropped (unknown, or beyond `numWords`).
    public var oovTokenCount: Int
    /// `oovTokenCount / tokenCount` (0 without tokens).
    public var oovRate: Double { tokenCount == 0 ? 0 : Double(oovTokenCount) / Double(tokenCount) }

    /// `bins` (at least 1) is the most histogram bins; fewer when the longest text is short.
    public static func compute(examples: [LabelledText], tokenizer: TextTokenizer, bins: Int = 10) -> DatasetStatistics {
        var perLabel: [ExactKey: Int] = [:]
        var charLengths: [Int] = []
        var tokenLengths: [Int] = []
        charLengths.reserveCapacity(examples.count)
        tokenLengths.reserveCapacity(examples.count)
        var distinct: Set<ExactKey> = []
        var tokenCount = 0, oov = 0
        let vocab = tokenizer.vocab
        let oovIndex = vocab.oovIndex
        for e in examples {
            perLabel[ExactKey(e.label), default: 0] += 1
            charLengths.append(e.text.unicodeScalars.count)
            let tokens = tokenizer.tokens(in: e.text)
            tokenLengths.append(tokens.count)
            tokenCount += tokens.count
            for t in tokens {
                distinct.insert(ExactKey(t))
                let i = vocab.lookup(t)
                if i == nil || i == oovIndex { oov += 1 }
            }
        }
        let labels = perLabel.keys.sorted { PythonText.precedes($0.string, $1.string) }
        return DatasetStatistics(
            exampleCount: examples.count,
            labelCounts: labels.map { LabelCount(label: $0.string, count: perLabel[$0] ?? 0) },
            characterLengths: LengthSummary(charLengths),
            tokenLengths: LengthSummary(tokenLengths),
            tokenHistogram: histogram(tokenLengths, bins: bins),
            tokenCount: tokenCount,
            distinctTokens: distinct.count,
            vocabularySize: vocab.count,
            embeddingInputDim: vocab.embeddingInputDim,
            tokenizerFitted: vocab.isFitted,
            oovTokenCount: oov)
    }

    /// Equal-width integer bins covering `0...max`: width `ceil((max + 1) / bins)`.
    static func histogram(_ lengths: [Int], bins: Int) -> [Bin] {
        guard let top = lengths.max() else { return [] }
        let width = (top + 1 + max(1, bins) - 1) / max(1, bins)
        let count = (top + 1 + width - 1) / width
        var out = (0..<count).map { Bin(lower: $0 * width, upper: $0 * width + width - 1, count: 0) }
        for l in lengths { out[l / width].count += 1 }
        out[count - 1].upper = top
        return out
    }

    // MARK: Report

    /// A plain-text report, lines at most `width` columns (at least 40), ending with a newline.
    public func render(width: Int = 80) -> String {
        let width = max(40, width)
        var lines: [String] = []
        let plural = labelCounts.count == 1 ? "label" : "labels"
        lines.append("Examples: \(Digits.grouped(exampleCount)) in \(labelCounts.count) \(plural)")

        // Labels with counts, shares and bars.
        if !labelCounts.isEmpty {
            lines.append("")
            lines.append("Labels")
            let nameWidth = min(max(5, labelCounts.map { TextWidth.columns($0.label) }.max() ?? 0), width / 3)
            let numWidth = Digits.grouped(labelCounts.map(\.count).max() ?? 0).count
            let top = labelCounts.map(\.count).max() ?? 0
            for lc in labelCounts {
                let name = TextWidth.pad(TextWidth.truncate(lc.label, to: nameWidth), to: nameWidth)
                let share = exampleCount == 0 ? 0 : 100 * Double(lc.count) / Double(exampleCount)
                let head = "  \(name)  \(Self.leftPad(Digits.grouped(lc.count), numWidth))  \(Self.leftPad(Self.percent(share), 6))  "
                lines.append(head + Self.bar(lc.count, of: top, width: width - TextWidth.columns(head)))
            }
        }

        // Length percentiles.
        lines.append("")
        let cols = ["p50", "p90", "p95", "p99", "max", "mean"]
        let rows: [(String, LengthSummary)] = [("characters", characterLengths), ("tokens", tokenLengths)]
        let cells = rows.map { _, s in [s.p50, s.p90, s.p95, s.p99, s.max].map { Digits.grouped($0) } + [String(format1: s.mean)] }
        let widest = max(4, cells.joined().map(\.count).max() ?? 0)
        // Narrow reports get a shorter row name and one space between columns.
        let wide = 14 + cols.count * (widest + 2) <= width
        let (nameWidth, cell) = wide ? (14, widest + 2) : (9, widest + 1)
        lines.append(Self.rightPad(wide ? "Text length" : "Length", nameWidth) + cols.map { Self.leftPad($0, cell) }.joined())
        for ((name, _), values) in zip(rows, cells) {
            let shown = wide ? name : (name == "characters" ? "chars" : name)
            lines.append(Self.rightPad("  " + shown, nameWidth) + values.map { Self.leftPad($0, cell) }.joined())
        }

        // Histogram of token lengths.
        if !tokenHistogram.isEmpty {
            lines.append("")
            lines.append("Tokens per text")
            let ranges = tokenHistogram.map { $0.lower == $0.upper ? "\($0.lower)" : "\($0.lower)–\($0.upper)" }
            let rangeWidth = ranges.map(\.count).max() ?? 1
            let numWidth = Digits.grouped(tokenHistogram.map(\.count).max() ?? 0).count
            let top = tokenHistogram.map(\.count).max() ?? 0
            for (r, b) in zip(ranges, tokenHistogram) {
                let head = "  \(Self.leftPad(r, rangeWidth))  \(Self.leftPad(Digits.grouped(b.count), numWidth))  "
                lines.append(head + Self.bar(b.count, of: top, width: width - head.count))
            }
        }

        // Vocabulary and OOV: sentences, wrapped rather than cut.
        var prose: [String] = []
        prose.append("Tokens: \(Digits.grouped(tokenCount)) in all, \(Digits.grouped(distinctTokens)) distinct")
        if tokenizerFitted {
            prose.append("Vocabulary: \(Digits.grouped(vocabularySize)) indexed, embedding input size \(Digits.grouped(embeddingInputDim))")
        } else {
            prose.append("Vocabulary: tokenizer not fitted (every token is dropped)")
        }
        prose.append("OOV rate: \(Self.percent(100 * oovRate)) (\(Digits.grouped(oovTokenCount)) of \(Digits.grouped(tokenCount)) tokens map to OOV or are dropped)")
        var out = lines.map { TextWidth.truncate($0, to: width) }
        out.append("")
        for p in prose { out += TextWidth.wrap(p, to: width, indent: 2) }
        return out.joined(separator: "\n") + "\n"
    }

    /// A bar of full blocks, `count / top` of `width` columns; at least one block for a
    /// non-zero count.
    private static func bar(_ count: Int, of top: Int, width: Int) -> String {
        guard top > 0, width > 0, count > 0 else { return "" }
        let n = max(1, Int((Double(count) / Double(top) * Double(width)).rounded(.down)))
        return String(repeating: "█", count: min(n, width))
    }

    /// 12.345 → "12.3%", with one decimal.
    static func percent(_ p: Double) -> String { String(format1: p) + "%" }

    private static func leftPad(_ s: String, _ n: Int) -> String {
        let w = TextWidth.columns(s)
        return w >= n ? s : String(repeating: " ", count: n - w) + s
    }

    private static func rightPad(_ s: String, _ n: Int) -> String { TextWidth.pad(s, to: n) }
}

extension String {
    /// One decimal, rounded half away from zero, without Foundation: 2.25 → "2.3".
    init(format1 x: Double) {
        guard x.isFinite else { self = "\(x)"; return }
        let tenths = Int((abs(x) * 10).rounded())
        self = (x < 0 && tenths != 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10)"
    }
}

/// Terminal column widths: East Asian wide and full-width characters take 2 columns,
/// combining marks and zero-width characters 0, others 1.
enum TextWidth {
    static func columns(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + width(of: $1) }
    }

    static func width(of c: Unicode.Scalar) -> Int {
        let v = c.value
        if v < 0x300 { return v < 0x20 || (v >= 0x7F && v < 0xA0) ? 0 : 1 }
        switch c.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if ScriptTokenizer.isCJK(v) && !(0x1160...0x11FF).contains(v) && !(0xFF66...0xFFDC).contains(v) { return 2 }
        switch v {
        case 0x2E80...0x303E, 0x3040...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// At most `n` columns, with "…" when cut.
    static func truncate(_ s: String, to n: Int) -> String {
        guard columns(s) > n else { return s }
        var out = "", used = 0
        for ch in s {
            let w = columns(String(ch))
            if used + w > n - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    /// Words (split at spaces) in lines of at most `n` columns, continuation lines indented;
    /// a word longer than a line is cut.
    static func wrap(_ s: String, to n: Int, indent: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in s.split(separator: " ") {
            let w = String(word)
            if line.isEmpty || line.allSatisfy({ $0 == " " }) {
                line += w
            } else if columns(line) + 1 + columns(w) <= n {
                line += " " + w
            } else {
                lines.append(truncate(line, to: n))
                line = String(repeating: " ", count: indent) + w
            }
        }
        if !line.isEmpty { lines.append(truncate(line, to: n)) }
        return lines
    }

    /// Right-padded with spaces to `n` columns.
    static func pad(_ s: String, to n: Int) -> String {
        let w = columns(s)
        return w >= n ? s : s + String(repeating: " ", count: n - w)
    }
}
