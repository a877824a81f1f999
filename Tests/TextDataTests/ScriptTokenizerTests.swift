import Foundation
import Testing
import TextData

/// Exact-code-point view of a token list, so the comparisons are not fooled by Swift's
/// canonical equivalence.
private func cps(_ words: [String]) -> [[UInt32]] { words.map { $0.unicodeScalars.map(\.value) } }

@Suite struct TextDataScriptTokenizer {
    @Test func mixedChineseEnglishJapaneseKorean() {
        let tok = ScriptTokenizer()
        #expect(tok.tokens(in: "我爱北京 Hello, World! 東京へ行きます。안녕하세요 OK")
                == ["我", "爱", "北", "京", "hello", "world", "東", "京", "へ", "行", "き", "ま", "す",
                    "안", "녕", "하", "세", "요", "ok"])
        // Latin inside a CJK run splits it; CJK punctuation separates and is dropped.
        #expect(tok.tokens(in: "用iPhone拍照，「很好」・カタカナー") == ["用", "iphone", "拍", "照", "很", "好",
                                                                  "カ", "タ", "カ", "ナ", "ー"])
        // Korean words separated by spaces still give one token per syllable.
        #expect(tok.tokens(in: "한국어 텍스트") == ["한", "국", "어", "텍", "스", "트"])
        // Extension B ideograph (outside the BMP), compatibility ideograph, 々 and 〇.
        #expect(tok.tokens(in: "𠀀豈時々〇") == ["𠀀", "豈", "時", "々", "〇"])
        // A combining voiced mark stays with its kana.
        #expect(cps(tok.tokens(in: "か\u{3099}き")) == cps(["か\u{3099}", "き"]))
        #expect(tok.tokens(in: "") == [] && tok.tokens(in: " ,.!? 。") == [])
    }

    @Test func wordsApostrophesNumbersAndSymbols() {
        let tok = ScriptTokenizer()
        #expect(tok.tokens(in: "Don’t 'quote' rock'n'roll students' l'amour") ==
                ["don't", "quote", "rock'n'roll", "students", "l'amour"])
        #expect(tok.tokens(in: "Pi is 3.14, not 1,000.5; end.Next mp3 x_y") ==
                ["pi", "is", "3.14", "not", "1,000.5", "end", "next", "mp3", "x", "y"])
        // Letters of any script with their marks; Python lower() (final sigma).
        #expect(cps(tok.tokens(in: "Café cafe\u{301} ΟΔΟΣ Straße ＡＢＣ１２")) ==
                cps(["café", "cafe\u{301}", "οδος", "straße", "ａｂｃ１２"]))
        // Emoji are single tokens; skin tones, variation selectors and joiners are dropped.
        #expect(tok.tokens(in: "good👍🏽day ❤️ 👨‍👩‍👧 $5 + 2") == ["good", "👍", "day", "❤", "👨", "👩", "👧", "5", "2"])
        // Soft hyphen and zero width joiner inside a word are ignored; zero width space splits.
        #expect(tok.tokens(in: "co\u{AD}op a\u{200B}b") == ["coop", "a", "b"])
        // Lowercasing is optional.
        #expect(ScriptTokenizer(lower: false).tokens(in: "Hello 世界") == ["Hello", "世", "界"])
    }

    @Test func bigramsInsideCJKRuns() {
        let tok = ScriptTokenizer(bigrams: true)
        #expect(tok.tokens(in: "天气好 ok 很好") == ["天", "天气", "气", "气好", "好", "ok", "很", "很好", "好"])
        // Runs mix Han and kana; a Latin word or punctuation ends a run.
        #expect(tok.tokens(in: "食べる。A日本") == ["食", "食べ", "べ", "べる", "る", "a", "日", "日本", "本"])
        #expect(tok.tokens(in: "好") == ["好"])
        var fitted = tok
        fitted.fit(on: ["天气好", "天气"])
        // Counts: 天 2, 天气 2, 气 2, 气好 1, 好 1.
        #expect(fitted.vocabulary == ["天", "天气", "气", "气好", "好"])
        #expect(fitted.sequence(for: "天气好吗") == [1, 2, 3, 4, 5])
    }

    @Test func vocabularyOrderNumWordsAndOOV() {
        var tok = ScriptTokenizer()
        tok.fit(on: ["b a b", "c a b"])
        #expect(tok.vocabulary == ["b", "a", "c"])
        #expect(tok.wordCounts == [.init(word: "b", count: 3), .init(word: "a", count: 2), .init(word: "c", count: 1)])
        #expect(tok.wordDocs.map(\.count) == [2, 2, 1])
        #expect(tok.sequence(for: "a z b") == [2, 1])
        #expect(tok.embeddingInputDim == 4)
        #expect(tok.documentCount == 2 && tok.isFitted)

        // Keras semantics: only indices 1..<numWords are emitted, the rest become OOV.
        var limited = ScriptTokenizer(numWords: 3, oovToken: "<unk>")
        limited.fit(on: ["b a b", "c a b"])
        #expect(limited.vocabulary == ["<unk>", "b", "a", "c"])
        #expect(limited.oovIndex == 1)
        #expect(limited.sequence(for: "b a c z") == [2, 1, 1, 1])
        #expect(limited.embeddingInputDim == 3)
        #expect(limited.text(for: [2, 3, 0]) == "b <unk> <unk>")

        // Without an OOV token, words beyond the limit are dropped.
        var dropped = ScriptTokenizer(numWords: 2)
        dropped.fit(on: ["b a b", "c a b"])
        #expect(dropped.sequence(for: "b a c z b") == [1, 1])

        // Fitting is cumulative; an unfitted tokenizer emits nothing.
        #expect(ScriptTokenizer(oovToken: "?").sequence(for: "a") == [])
        var twice = ScriptTokenizer()
        twice.fit(on: ["b a b"])
        twice.fit(on: ["c a b"])
        #expect(twice.vocab == tok.vocab)
    }

    @Test func codableRoundTripKeepsSequences() throws {
        var tok = ScriptTokenizer(numWords: 50, oovToken: "<oov>", bigrams: true)
        let texts = ["今天天气很好，我们去公园吧！", "The weather's nice today 😀", "今日は良い天気です", "오늘 날씨가 좋아요",
                     "cafe\u{301} café", "\u{F900} \u{8C48}"]
        tok.fit(on: texts)
        let data = try JSONEncoder().encode(tok)
        let back = try JSONDecoder().decode(ScriptTokenizer.self, from: data)
        #expect(back.vocab == tok.vocab)
        #expect(cps(back.vocabulary) == cps(tok.vocabulary))
        #expect(back.bigrams && back.lower && back.numWords == 50 && back.oovToken == "<oov>")
        let probe = texts + ["新的句子 with unseen words", "良い天気"]
        #expect(back.sequences(for: probe) == tok.sequences(for: probe))
        // Canonically equivalent words stay distinct through JSON.
        #expect(tok.index(of: "cafe\u{301}") != tok.index(of: "café"))
        #expect(back.index(of: "cafe\u{301}") == tok.index(of: "cafe\u{301}"))
        #expect(back.index(of: "\u{F900}") == tok.index(of: "\u{F900}"))

        // A corrupt table is rejected.
        let bad = #"{"bigrams":false,"lower":true,"fitted":true,"documentCount":1,"words":[{"word":"a","count":1,"documents":2}]}"#
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(ScriptTokenizer.self, from: Data(bad.utf8)) }
    }

    @Test func textTokenizerWrapsBothKinds() throws {
        let texts = ["我爱北京天安门", "hello world, hello"]
        var script = TextTokenizer.script(ScriptTokenizer(oovToken: "<unk>"))
        var keras = TextTokenizer.keras(try KerasTokenizer(oovToken: "<unk>"))
        script.fit(on: texts)
        keras.fit(on: texts)
        #expect(script.kind == .script && keras.kind == .keras)
        #expect(script.isFitted && keras.isFitted && script.documentCount == 2)
        #expect(script.tokens(in: "北京 hello") == ["北", "京", "hello"])
        #expect(keras.tokens(in: "北京 hello") == ["北京", "hello"])
        #expect(script.vocabularySize == 1 + 7 + 2 && keras.vocabularySize == 1 + 3)
        #expect(script.embeddingInputDim == script.vocabularySize + 1)
        #expect(script.sequence(for: "北京 hello") == [script.index(of: "北"), script.index(of: "京"),
                                                     script.index(of: "hello")].compactMap { $0 })
        #expect(keras.sequence(for: "hello 北京 x") == [2, 1, 1])
        #expect(keras.oovIndex == 1 && keras.oovToken == "<unk>" && keras.numWords == nil)

        for tok in [script, keras] {
            let data = try JSONEncoder().encode(tok)
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(object?["kind"] as? String == tok.kind.rawValue)
            let back = try JSONDecoder().decode(TextTokenizer.self, from: data)
            #expect(back.kind == tok.kind && back.vocab == tok.vocab)
            #expect(back.sequences(for: texts + ["unseen 字"]) == tok.sequences(for: texts + ["unseen 字"]))
        }

        let unknown = #"{"kind":"bpe","tokenizer":{}}"#
        do {
            _ = try JSONDecoder().decode(TextTokenizer.self, from: Data(unknown.utf8))
            Issue.record("an unknown kind decoded")
        } catch DecodingError.dataCorrupted(let ctx) {
            #expect(ctx.debugDescription.contains("'bpe'") && ctx.debugDescription.contains("'script'"))
        }
    }

    /// The KerasTokenizer's stored layout is unchanged by the shared Vocabulary.
    @Test func kerasStoredKeysUnchanged() throws {
        var tok = try KerasTokenizer(numWords: 5, oovToken: "?")
        tok.fit(on: ["a b"])
        let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(tok)) as? [String: Any]
        #expect(Set(object?.keys.map { $0 } ?? []) ==
                ["numWords", "filters", "lower", "split", "charLevel", "oovToken", "fitted", "documentCount", "words"])
    }

    /// The real Chinese reviews: every training token is known, and a round trip is exact.
    @Test func zhReviewsVocabulary() throws {
        let path = SharedPaths.data.appendingPathComponent("zh-reviews/train.tsv").path
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("data file \(path) not found")
            return
        }
        let rows = try DatasetReader.read(path: path)
        var tok = ScriptTokenizer(numWords: 5000, oovToken: "<unk>")
        tok.fit(on: rows.lazy.map(\.text))
        #expect(tok.documentCount == rows.count)
        #expect(tok.vocabulary.count > 3000)
        let back = try JSONDecoder().decode(ScriptTokenizer.self, from: try JSONEncoder().encode(tok))
        let sample = rows.prefix(200).map(\.text)
        #expect(back.sequences(for: sample) == tok.sequences(for: sample))
        #expect(tok.sequences(for: sample).allSatisfy { $0.allSatisfy { $0 >= 1 && $0 < 5000 } })
    }
}
