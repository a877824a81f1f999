import Foundation
@testable import Learners
import Testing
import TextData

/// fastText's training loop is tuned for speed (tokens interned once, SIMD row updates); these
/// pin its results to the plain loops it replaced, and check the opt-in parallel training.
@Suite struct FastTextTraining {
    /// Separable texts plus spellings that only canonical equivalence makes one word
    /// ("café" / "cafe\u{301}", U+F900 / U+8C48), Chinese characters and a literal `</s>`.
    func mixedSet() -> [LabelledText] {
        var set = separableSet(classes: 3)
        let extra = ["café 天气 很好 </s> w0x1", "cafe\u{301} 天气 不好 w1x2", "\u{F900} 房间 w2x3", "\u{8C48} 房间 干净 w0x4"]
        for (i, text) in extra.enumerated() { set.append(LabelledText(label: "class\(i % 3)", text: text)) }
        return set
    }

    /// FNV-1a 64 of the saved model.
    func fingerprint(_ learner: any Learner) throws -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in try LearnerIO.encode(learner) { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    func settings(ngrams: Int) -> LearnerSettings {
        var s = quickSettings()
        s.tokenizer = .whitespace
        s.fastText.epochs = 7
        s.fastText.wordNgrams = ngrams
        return s
    }

    /// The fingerprints were taken with the scalar, string-keyed training loop before it was
    /// optimised: the same seed must keep giving exactly that model.
    @Test(arguments: [(1, 0x2540_fa00_7e24_4e08 as UInt64), (2, 0xa040_5129_b46d_2422 as UInt64)])
    func sameModelAsThePlainLoop(ngrams: Int, expected: UInt64) throws {
        let learner = try LearnerKind.fasttext.fit(mixedSet(), settings: settings(ngrams: ngrams), seed: 3).learner
        let got = try fingerprint(learner)
        #expect(got == expected, "got 0x\(String(got, radix: 16))")
    }

    @Test func canonicallyEquivalentSpellingsAreOneWordNamedByTheFirst() throws {
        let learner = try #require(try LearnerKind.fasttext.fit(mixedSet(), settings: settings(ngrams: 1), seed: 3).learner as? FastText)
        #expect(learner.words.contains("café") && !learner.words.contains { $0.unicodeScalars.elementsEqual("cafe\u{301}".unicodeScalars) })
        #expect(learner.words.filter { $0 == "\u{F900}" }.count == 1)
        #expect(learner.words.filter { $0 == FastText.endOfLine }.count == 1)
    }

    @Test func parallelTrainingLearnsAndIsSavedAsSuch() throws {
        var s = quickSettings()
        s.fastText.threads = 2
        let train = separableSet(classes: 3, perClass: 60)
        let learner = try LearnerKind.fasttext.fit(train, settings: s, seed: 1).learner
        #expect(try accuracy(learner, separableSet(classes: 3, perClass: 10, seed: 99)) == 1)
        let loaded = try #require(try LearnerIO.decode(LearnerIO.encode(learner)) as? FastText)
        #expect(loaded.options.threads == 2)
        // One-thread models store no `threads`, so their files keep their old bytes.
        let single = try LearnerIO.encode(LearnerKind.fasttext.fit(train, settings: quickSettings(), seed: 1).learner)
        #expect(!String(decoding: single, as: UTF8.self).contains("threads"))
        s.fastText.threads = 0
        #expect(throws: LearnerError.self) { _ = try LearnerKind.fasttext.fit(train, settings: s, seed: 1) }
    }

    @Test func letterFastPathAgreesWithTheUnicodeProperty() {
        for range in FeatureTokenizer.letterRanges {
            for v in range {
                let c = Unicode.Scalar(v)!
                #expect(c.properties.isAlphabetic, "U+\(String(v, radix: 16, uppercase: true)) is not a letter")
            }
        }
        for v in UInt32(0)..<0x80 {
            let c = Unicode.Scalar(v)!
            #expect(FeatureTokenizer.isAlphabetic(c) == c.properties.isAlphabetic)
        }
    }
}

@Suite struct LearnerTokenLookups {
    @Test func exactTokensCompareCodeUnitsAtEveryLength() {
        let fifteen = String(repeating: "a", count: 15), sixteen = String(repeating: "a", count: 16)
        for s in ["", "a", "天", "天 气", fifteen, sixteen, sixteen + "天气"] {
            // The same bytes in a separately built string (its own storage when long).
            #expect(ExactToken(s) == ExactToken(String(decoding: Array(s.utf8), as: UTF8.self)))
            #expect(Set([ExactToken(s), ExactToken(s)]).count == 1)
        }
        #expect(ExactToken(fifteen) != ExactToken(sixteen))
        #expect(ExactToken("a") != ExactToken("a\u{0}"))
        #expect(ExactToken(sixteen + "x") != ExactToken(sixteen + "y"))
        // Canonically equivalent, so equal as Swift strings, but not the same code units.
        #expect("café" == "cafe\u{301}" && ExactToken("café") != ExactToken("cafe\u{301}"))
        #expect(ExactToken(sixteen + "é") != ExactToken(sixteen + "e\u{301}"))
    }

    @Test func tokenIndexAnswersAsAStringDictionary() {
        let keys = ["café", "天气", "\u{F900}", String(repeating: "long", count: 5)]
        let index = TokenIndex(keys.enumerated().map { ($1, $0) })
        var reference: [String: Int] = [:]
        for (i, k) in keys.enumerated() { reference[k] = i }
        for query in keys + ["cafe\u{301}", "\u{8C48}", "天", "", String(repeating: "long", count: 5), "missing"] {
            #expect(index[query] == reference[query], "'\(query)'")
        }
        #expect(index.count == keys.count)
    }
}
