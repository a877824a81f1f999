import Basics
import Foundation
import Testing
import TextData

private func examples(_ counts: [(String, Int)]) -> [LabelledText] {
    // Labels interleaved, so input order differs from label order.
    var out: [LabelledText] = []
    var left = counts
    var k = 0
    while left.contains(where: { $0.1 > 0 }) {
        for i in left.indices where left[i].1 > 0 {
            out.append(LabelledText(label: left[i].0, text: "\(left[i].0)-\(k)"))
            left[i].1 -= 1
            k += 1
        }
    }
    return out
}

private func tally(_ xs: [LabelledText]) -> [String: Int] {
    xs.reduce(into: [:]) { $0[$1.label, default: 0] += 1 }
}

private func splitError(_ xs: [LabelledText], _ f: Double, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        _ = try StratifiedSplit.split(xs, validationFraction: f, seed: 1)
        Issue.record("expected an error", sourceLocation: sourceLocation)
    } catch {
        return "\(error)"
    }
    return ""
}

@Suite struct TextDataStratifiedSplit {
    @Test func splitMix64ReferenceValues() {
        // The published SplitMix64 sequence for seed 0.
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(g.next() == 0x06C4_5D18_8009_454F)
        var h = SplitMix64(seed: 42)
        for n in [1, 2, 3, 7, 1000] {
            for _ in 0..<200 { #expect((0..<n).contains(h.index(below: n))) }
        }
        #expect(h.index(below: 0) == 0)
        var a = Array(0..<10)
        var r = SplitMix64(seed: 7)
        r.shuffle(&a)
        #expect(a.sorted() == Array(0..<10) && a != Array(0..<10))
    }

    @Test func proportionsPerLabel() throws {
        let data = examples([("a", 50), ("b", 30), ("c", 20)])
        let (train, validation) = try StratifiedSplit.split(data, validationFraction: 0.2, seed: 1)
        #expect(tally(validation) == ["a": 10, "b": 6, "c": 4])
        #expect(tally(train) == ["a": 40, "b": 24, "c": 16])
        // A partition, each part in input order.
        #expect(Set(train + validation) == Set(data) && train.count + validation.count == data.count)
        let position = Dictionary(uniqueKeysWithValues: data.enumerated().map { ($1, $0) })
        #expect(train.map { position[$0] ?? -1 } == train.map { position[$0] ?? -1 }.sorted())
        #expect(validation.map { position[$0] ?? -1 } == validation.map { position[$0] ?? -1 }.sorted())
    }

    @Test func sameSeedSameSplitDifferentSeedDifferent() throws {
        let data = examples([("pos", 60), ("neg", 40)])
        let first = try StratifiedSplit.split(data, validationFraction: 0.25, seed: 12345)
        let again = try StratifiedSplit.split(data, validationFraction: 0.25, seed: 12345)
        let other = try StratifiedSplit.split(data, validationFraction: 0.25, seed: 12346)
        #expect(first.train == again.train && first.validation == again.validation)
        #expect(first.validation != other.validation)
        #expect(tally(other.validation) == ["pos": 15, "neg": 10])
        // Fixed across platforms and releases (own generator, own shuffle): pinned indices.
        let idx = try StratifiedSplit.indices(labels: data.map(\.label), validationFraction: 0.25, seed: 12345)
        #expect(idx.validation.map { data[$0] } == first.validation)
        #expect(idx.validation == [4, 12, 17, 21, 22, 26, 27, 30, 32, 33, 41, 42, 45, 49, 50, 55, 58, 64, 65, 66, 70,
                                   72, 73, 76, 83])
        let small = try StratifiedSplit.indices(labels: ["a", "b", "a", "b", "a", "b", "a", "b"],
                                                validationFraction: 0.5, seed: 2024)
        #expect(small.validation == [2, 3, 6, 7] && small.train == [0, 1, 4, 5])
    }

    @Test func smallLabelsKeepATrainingExample() throws {
        // 2 examples at fraction 0.9: one stays in train. A single example stays in train.
        let data = examples([("big", 10), ("pair", 2), ("one", 1)])
        let (train, validation) = try StratifiedSplit.split(data, validationFraction: 0.9, seed: 3)
        #expect(tally(train)["pair"] == 1 && tally(train)["one"] == 1 && tally(train)["big"] == 1)
        #expect(tally(validation) == ["big": 9, "pair": 1])
        // Largest remainders, ties in label order: 3 × 5 at 0.1 → 2 validation examples, a and b.
        let even = examples([("c", 5), ("a", 5), ("b", 5)])
        #expect(tally(try StratifiedSplit.split(even, validationFraction: 0.1, seed: 9).validation) == ["a": 1, "b": 1])
    }

    @Test func badFractionsAndTooFewExamples() {
        let data = examples([("a", 3), ("b", 3)])
        for f in [0, 1, -0.1, 1.5, Double.nan, .infinity] {
            #expect(splitError(data, f).contains("validation fraction \(f) is outside (0, 1)"), "\(f)")
        }
        #expect(splitError([], 0.2) == "StratifiedSplit: no examples to split")
        #expect(splitError(examples([("a", 1), ("b", 1)]), 0.5)
                == "StratifiedSplit: every label has a single example; a stratified split needs a label with at least 2")
        #expect(splitError(data, 0.05)
                == "StratifiedSplit: a validation fraction of 0.05 of 6 examples leaves no validation example (expected at least 10 examples, or a larger fraction)")
    }
}
