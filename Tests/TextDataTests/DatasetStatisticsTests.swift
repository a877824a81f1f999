import Foundation
import Testing
import TextData

/// Terminal columns, for checking the report's width: CJK and full-width characters 2.
private func columns(_ s: String) -> Int {
    s.unicodeScalars.reduce(0) { n, c in
        let v = c.value
        let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v) || (0x20000...0x3FFFD).contains(v)
        return n + (wide ? 2 : 1)
    }
}

@Suite struct TextDataDatasetStatistics {
    static let examples = [
        LabelledText(label: "pos", text: "a b c d"),          // 4 tokens, 7 characters
        LabelledText(label: "pos", text: "a b"),              // 2, 3
        LabelledText(label: "neg", text: "a"),                // 1, 1
        LabelledText(label: "neg", text: "b c d e f g h i j"), // 9, 17
        LabelledText(label: "pos", text: ""),                 // 0, 0
    ]

    @Test func exactCountsAndPercentiles() throws {
        var script = ScriptTokenizer()
        script.fit(on: ["a b", "a c"])                         // vocabulary a, b, c; no OOV token
        let s = DatasetStatistics.compute(examples: Self.examples, tokenizer: .script(script), bins: 5)
        #expect(s.exampleCount == 5)
        #expect(s.labelCounts == [.init(label: "neg", count: 2), .init(label: "pos", count: 3)])
        // Nearest rank on [0, 1, 3, 7, 17] and [0, 1, 2, 4, 9].
        #expect(s.characterLengths == .init([0, 1, 3, 7, 17]))
        #expect(s.characterLengths.p50 == 3 && s.characterLengths.p90 == 17 && s.characterLengths.p95 == 17
                && s.characterLengths.p99 == 17 && s.characterLengths.max == 17 && s.characterLengths.mean == 5.6)
        #expect(s.tokenLengths.p50 == 2 && s.tokenLengths.p90 == 9 && s.tokenLengths.max == 9 && s.tokenLengths.mean == 3.2)
        // Width ceil(10 / 5) = 2: 0–1, 2–3, 4–5, 6–7, 8–9.
        #expect(s.tokenHistogram.map(\.count) == [2, 1, 1, 0, 1])
        #expect(s.tokenHistogram.map(\.lower) == [0, 2, 4, 6, 8] && s.tokenHistogram.map(\.upper) == [1, 3, 5, 7, 9])
        #expect(s.tokenCount == 16 && s.distinctTokens == 10)
        #expect(s.vocabularySize == 3 && s.embeddingInputDim == 4 && s.tokenizerFitted)
        // Dropped: d (text 1) and d…j (text 4).
        #expect(s.oovTokenCount == 8 && s.oovRate == 0.5)

        // With an OOV token and numWords 3: only "a" (index 2) survives.
        var limited = try KerasTokenizer(numWords: 3, oovToken: "<unk>")
        limited.fit(on: ["a b", "a c"])
        let k = DatasetStatistics.compute(examples: Self.examples, tokenizer: .keras(limited))
        #expect(k.oovTokenCount == 13 && k.tokenCount == 16 && k.vocabularySize == 4 && k.embeddingInputDim == 3)
        // At most 10 bins, width 1 up to the longest text (9 tokens).
        #expect(k.tokenHistogram.map(\.count) == [1, 1, 1, 0, 1, 0, 0, 0, 0, 1])

        // An unfitted tokenizer drops everything.
        let u = DatasetStatistics.compute(examples: Self.examples, tokenizer: .script(ScriptTokenizer()))
        #expect(!u.tokenizerFitted && u.oovRate == 1 && u.vocabularySize == 0)
    }

    @Test func percentileEdges() {
        let empty = DatasetStatistics.LengthSummary([])
        #expect(empty.p50 == 0 && empty.max == 0 && empty.mean == 0)
        let hundred = DatasetStatistics.LengthSummary(Array((1...100).reversed()))
        #expect([hundred.p50, hundred.p90, hundred.p95, hundred.p99, hundred.max] as [Int] == [50, 90, 95, 99, 100])
        let one = DatasetStatistics.LengthSummary([7])
        #expect([one.p50, one.p99, one.max] as [Int] == [7, 7, 7])
        let s = DatasetStatistics.compute(examples: [], tokenizer: .script(ScriptTokenizer()))
        #expect(s.exampleCount == 0 && s.tokenHistogram.isEmpty && s.oovRate == 0)
        #expect(s.render(width: 60).contains("Examples: 0 in 0 labels"))
    }

    @Test func renderedReport() throws {
        var script = ScriptTokenizer()
        script.fit(on: ["a b", "a c"])
        let s = DatasetStatistics.compute(examples: Self.examples, tokenizer: .script(script), bins: 5)
        let report = s.render(width: 60)
        let lines = report.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(report.hasSuffix("\n"))
        #expect(lines.allSatisfy { columns($0) <= 60 }, "\(report)")
        #expect(lines.first == "Examples: 5 in 2 labels")
        #expect(lines.contains { $0.hasPrefix("  neg    2   40.0%  ██") })
        #expect(lines.contains { $0.hasPrefix("  pos    3   60.0%  ██") })
        // pos has the longest bar: the full remaining width.
        let posBar = lines.first { $0.hasPrefix("  pos") }?.filter { $0 == "█" }.count ?? 0
        let negBar = lines.first { $0.hasPrefix("  neg") }?.filter { $0 == "█" }.count ?? 0
        #expect(posBar == 60 - "  pos    3   60.0%  ".count && negBar == posBar * 2 / 3)
        #expect(lines.contains("Text length      p50   p90   p95   p99   max  mean"))
        #expect(lines.contains("  characters       3    17    17    17    17   5.6"))
        #expect(lines.contains("  tokens           2     9     9     9     9   3.2"))
        #expect(lines.contains("Tokens per text"))
        #expect(lines.contains { $0.hasPrefix("  0–1  2  ") } && lines.contains("  6–7  0  "))
        #expect(lines.contains("Tokens: 16 in all, 10 distinct"))
        #expect(lines.contains("Vocabulary: 3 indexed, embedding input size 4"))
        #expect(lines.contains("OOV rate: 50.0% (8 of 16 tokens map to OOV or are dropped)"))

        // Wide labels are measured in terminal columns and cut to fit a narrow report.
        let cjk = (0..<1234).map { LabelledText(label: $0 % 2 == 0 ? "体育新闻非常长的标签名字" : "财经", text: "今天 天气") }
        let narrow = DatasetStatistics.compute(examples: cjk, tokenizer: .script(script)).render(width: 40)
        #expect(narrow.split(separator: "\n").allSatisfy { columns(String($0)) <= 40 }, "\(narrow)")
        #expect(narrow.contains("Examples: 1,234 in 2 labels"))
        #expect(narrow.contains("  体育新闻非常…  617   50.0%  ██"))
        // The length table switches to its compact layout; sentences wrap instead of being cut.
        #expect(narrow.contains("Length     p50  p90  p95  p99  max mean\n  chars      5    5    5    5    5  5.0\n"))
        #expect(narrow.contains("OOV rate: 100.0% (4,936 of 4,936 tokens\n  map to OOV or are dropped)\n"))
    }

    /// The real Chinese reviews through the default tokenizer: every token of the training
    /// texts is known, and the report renders.
    @Test func zhReviews() throws {
        let path = SharedPaths.data.appendingPathComponent("zh-reviews/train.tsv").path
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("data file \(path) not found")
            return
        }
        let rows = try DatasetReader.read(path: path)
        var tok = TextTokenizer.script(ScriptTokenizer())
        tok.fit(on: rows.lazy.map(\.text))
        let s = DatasetStatistics.compute(examples: rows, tokenizer: tok)
        #expect(s.exampleCount == 13_889)
        #expect(s.labelCounts == [.init(label: "neg", count: 7_225), .init(label: "pos", count: 6_664)])
        #expect(s.oovTokenCount == 0 && s.distinctTokens == tok.vocabularySize)
        #expect(s.tokenLengths.p50 <= s.tokenLengths.p90 && s.tokenLengths.p99 <= s.tokenLengths.max)
        #expect(s.tokenHistogram.reduce(0) { $0 + $1.count } == 13_889)
        #expect(s.render(width: 80).contains("Examples: 13,889 in 2 labels"))
    }
}
