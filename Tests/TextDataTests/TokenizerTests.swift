import Foundation
import Testing
@testable import TextData

/// Tokenizer edge cases beyond tokenizer.json, in the same schema. The expected values were
/// produced by keras_preprocessing 1.1.2's real `Tokenizer` (Python 3.11): Python `lower()`
/// (final sigma, SpecialCasing), code points vs grapheme clusters, canonically equivalent
/// but distinct words, a multi-character `split`, an OOV token that is also a fitted word,
/// `num_words` 0 / 1 / 2, empty texts, and `sequences_to_texts` of unknown indices.
@Suite struct TextDataTokenizer {
    static let pythonCases = ##"""
{"cases": [
{"name": "greek_final_sigma", "config": {"num_words": null, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ", "char_level": false, "oov_token": null}, "fit_texts": ["\u039f\u0394\u039f\u03a3 \u039f\u0394\u039f\u03a3. \u03a3 a\u03a3b", "\u03a3\u0391\u03a3 \u1f48\u0394\u03a5\u03a3\u03a3\u0395\u038e\u03a3"], "word_index": [["\u03bf\u03b4\u03bf\u03c2", 1], ["\u03c3", 2], ["a\u03c3b", 3], ["\u03c3\u03b1\u03c2", 4], ["\u1f40\u03b4\u03c5\u03c3\u03c3\u03b5\u03cd\u03c2", 5]], "vocabulary": null, "word_counts": [["\u03bf\u03b4\u03bf\u03c2", 2], ["\u03c3", 1], ["a\u03c3b", 1], ["\u03c3\u03b1\u03c2", 1], ["\u1f40\u03b4\u03c5\u03c3\u03c3\u03b5\u03cd\u03c2", 1]], "word_docs": [["\u03c3", 1], ["\u03bf\u03b4\u03bf\u03c2", 1], ["a\u03c3b", 1], ["\u1f40\u03b4\u03c5\u03c3\u03c3\u03b5\u03cd\u03c2", 1], ["\u03c3\u03b1\u03c2", 1]], "document_count": 2, "sequences_fit_texts": [[1, 1, 2, 3], [4, 5]], "other_texts": ["\u03bf\u03b4\u03bf\u03c2 \u03bf\u03b4\u03bf\u03c3"], "sequences_other_texts": [[1]], "sequences_to_texts_fit": ["\u03bf\u03b4\u03bf\u03c2 \u03bf\u03b4\u03bf\u03c2 \u03c3 a\u03c3b", "\u03c3\u03b1\u03c2 \u1f40\u03b4\u03c5\u03c3\u03c3\u03b5\u03cd\u03c2"], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4, 5, 6, 7]], "sequences_to_texts_extra": ["\u03bf\u03b4\u03bf\u03c2 \u03c3", "\u03bf\u03b4\u03bf\u03c2 \u03c3 a\u03c3b \u03c3\u03b1\u03c2 \u1f40\u03b4\u03c5\u03c3\u03c3\u03b5\u03cd\u03c2"]},
{"name": "special_casing_char_level", "config": {"num_words": null, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ", "char_level": true, "oov_token": null}, "fit_texts": ["\u0130stanbul \u1e9e", "\u0391\u03a3."], "word_index": [["i", 1], ["\u0307", 2], ["s", 3], ["t", 4], ["a", 5], ["n", 6], ["b", 7], ["u", 8], ["l", 9], [" ", 10], ["\u00df", 11], ["\u03b1", 12], ["\u03c2", 13], [".", 14]], "vocabulary": null, "word_counts": [["i", 1], ["\u0307", 1], ["s", 1], ["t", 1], ["a", 1], ["n", 1], ["b", 1], ["u", 1], ["l", 1], [" ", 1], ["\u00df", 1], ["\u03b1", 1], ["\u03c2", 1], [".", 1]], "word_docs": [["\u0307", 1], ["s", 1], [" ", 1], ["a", 1], ["l", 1], ["n", 1], ["i", 1], ["t", 1], ["u", 1], ["b", 1], ["\u00df", 1], ["\u03b1", 1], [".", 1], ["\u03c2", 1]], "document_count": 2, "sequences_fit_texts": [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [12, 13, 14]], "other_texts": ["i\u0307"], "sequences_other_texts": [[1, 2]], "sequences_to_texts_fit": ["i \u0307 s t a n b u l   \u00df", "\u03b1 \u03c2 ."], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]], "sequences_to_texts_extra": ["i \u0307", "i \u0307 s t a n b u l   \u00df \u03b1 \u03c2 ."]},
{"name": "canonical_equivalents_distinct", "config": {"num_words": null, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ", "char_level": false, "oov_token": null}, "fit_texts": ["caf\u00e9 cafe\u0301 caf\u00e9", "\uf900 \u8c48 \u212b \u00c5"], "word_index": [["caf\u00e9", 1], ["\u00e5", 2], ["cafe\u0301", 3], ["\uf900", 4], ["\u8c48", 5]], "vocabulary": null, "word_counts": [["caf\u00e9", 2], ["cafe\u0301", 1], ["\uf900", 1], ["\u8c48", 1], ["\u00e5", 2]], "word_docs": [["caf\u00e9", 1], ["cafe\u0301", 1], ["\uf900", 1], ["\u8c48", 1], ["\u00e5", 1]], "document_count": 2, "sequences_fit_texts": [[1, 3, 1], [4, 5, 2, 2]], "other_texts": ["cafe\u0301", "\u00c5"], "sequences_other_texts": [[3], [2]], "sequences_to_texts_fit": ["caf\u00e9 cafe\u0301 caf\u00e9", "\uf900 \u8c48 \u00e5 \u00e5"], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4, 5, 6, 7]], "sequences_to_texts_extra": ["caf\u00e9 \u00e5", "caf\u00e9 \u00e5 cafe\u0301 \uf900 \u8c48"]},
{"name": "char_level_code_points", "config": {"num_words": null, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ", "char_level": true, "oov_token": null}, "fit_texts": ["\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 e\u0301!", "\ud83c\uddeb\ud83c\uddf7"], "word_index": [["\u200d", 1], ["\ud83d\udc68", 2], ["\ud83d\udc69", 3], ["\ud83d\udc67", 4], [" ", 5], ["e", 6], ["\u0301", 7], ["!", 8], ["\ud83c\uddeb", 9], ["\ud83c\uddf7", 10]], "vocabulary": null, "word_counts": [["\ud83d\udc68", 1], ["\u200d", 2], ["\ud83d\udc69", 1], ["\ud83d\udc67", 1], [" ", 1], ["e", 1], ["\u0301", 1], ["!", 1], ["\ud83c\uddeb", 1], ["\ud83c\uddf7", 1]], "word_docs": [["\u0301", 1], ["\ud83d\udc68", 1], ["\ud83d\udc69", 1], ["!", 1], ["\ud83d\udc67", 1], [" ", 1], ["e", 1], ["\u200d", 1], ["\ud83c\uddeb", 1], ["\ud83c\uddf7", 1]], "document_count": 2, "sequences_fit_texts": [[2, 1, 3, 1, 4, 5, 6, 7, 8], [9, 10]], "other_texts": ["\u00e9"], "sequences_other_texts": [[]], "sequences_to_texts_fit": ["\ud83d\udc68 \u200d \ud83d\udc69 \u200d \ud83d\udc67   e \u0301 !", "\ud83c\uddeb \ud83c\uddf7"], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]], "sequences_to_texts_extra": ["\u200d \ud83d\udc68", "\u200d \ud83d\udc68 \ud83d\udc69 \ud83d\udc67   e \u0301 ! \ud83c\uddeb \ud83c\uddf7"]},
{"name": "multi_char_split", "config": {"num_words": null, "filters": "!", "lower": true, "split": "ab", "char_level": false, "oov_token": null}, "fit_texts": ["ab!a", "xa!", "aababb!b", "abaXab!abaY"], "word_index": [["a", 1], ["b", 2], ["xa", 3], ["ax", 4], ["ay", 5]], "vocabulary": null, "word_counts": [["a", 2], ["xa", 1], ["b", 2], ["ax", 1], ["ay", 1]], "word_docs": [["a", 2], ["xa", 1], ["b", 1], ["ay", 1], ["ax", 1]], "document_count": 4, "sequences_fit_texts": [[1], [3], [1, 2, 2], [4, 5]], "other_texts": ["aba!", "b"], "sequences_other_texts": [[1], [2]], "sequences_to_texts_fit": ["a", "xa", "a b b", "ax ay"], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4, 5, 6, 7]], "sequences_to_texts_extra": ["a b", "a b xa ax ay"]},
{"name": "oov_token_seen_in_texts", "config": {"num_words": null, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ", "char_level": false, "oov_token": "the"}, "fit_texts": ["the cat the", "dog the"], "word_index": [["the", 2], ["cat", 3], ["dog", 4]], "vocabulary": null, "word_counts": [["the", 3], ["cat", 1], ["dog", 1]], "word_docs": [["the", 2], ["cat", 1], ["dog", 1]], "document_count": 2, "sequences_fit_texts": [[2, 3, 2], [4, 2]], "other_texts": ["cat bird", "the"], "sequences_other_texts": [[3, 2], [2]], "sequences_to_texts_fit": ["the cat the", "dog the"], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4, 5]], "sequences_to_texts_extra": ["the the the the the", "the the the cat dog the"]},
{"name": "num_words_1_oov", "config": {"num_words": 1, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ", "char_level": false, "oov_token": "<OOV>"}, "fit_texts": ["a b a", "c"], "word_index": [["<OOV>", 1], ["a", 2], ["b", 3], ["c", 4]], "vocabulary": null, "word_counts": [["a", 2], ["b", 1], ["c", 1]], "word_docs": [["b", 1], ["a", 1], ["c", 1]], "document_count": 2, "sequences_fit_texts": [[1, 1, 1], [1]], "other_texts": ["a z"], "sequences_other_texts": [[1, 1]], "sequences_to_texts_fit": ["<OOV> <OOV> <OOV>", "<OOV>"], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4, 5, 6]], "sequences_to_texts_extra": ["<OOV> <OOV> <OOV> <OOV> <OOV>", "<OOV> <OOV> <OOV> <OOV> <OOV> <OOV> <OOV>"]},
{"name": "num_words_0_is_unlimited", "config": {"num_words": 0, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ", "char_level": false, "oov_token": null}, "fit_texts": ["a b a", "c"], "word_index": [["a", 1], ["b", 2], ["c", 3]], "vocabulary": null, "word_counts": [["a", 2], ["b", 1], ["c", 1]], "word_docs": [["b", 1], ["a", 1], ["c", 1]], "document_count": 2, "sequences_fit_texts": [[1, 2, 1], [3]], "other_texts": ["a b c z"], "sequences_other_texts": [[1, 2, 3]], "sequences_to_texts_fit": ["a b a", "c"], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4, 5]], "sequences_to_texts_extra": ["a b", "a b c"]},
{"name": "num_words_2_no_oov", "config": {"num_words": 2, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ", "char_level": false, "oov_token": null}, "fit_texts": ["a b a", "c b b"], "word_index": [["b", 1], ["a", 2], ["c", 3]], "vocabulary": null, "word_counts": [["a", 2], ["b", 3], ["c", 1]], "word_docs": [["b", 2], ["a", 1], ["c", 1]], "document_count": 2, "sequences_fit_texts": [[1], [1, 1]], "other_texts": ["a b c"], "sequences_other_texts": [[1]], "sequences_to_texts_fit": ["b", "b b"], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4, 5]], "sequences_to_texts_extra": ["b", "b"]},
{"name": "fullwidth_and_ideographic_space", "config": {"num_words": null, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ", "char_level": false, "oov_token": null}, "fit_texts": ["\u8fd9\u662f\uff0c\u4e00\u4e2a\u3000\u8bc4\u8bba\u3002", "\uff34\uff48\uff45\u3000\uff23\uff21\uff34 tab\there"], "word_index": [["\u8fd9\u662f\uff0c\u4e00\u4e2a\u3000\u8bc4\u8bba\u3002", 1], ["\uff54\uff48\uff45\u3000\uff43\uff41\uff54", 2], ["tab", 3], ["here", 4]], "vocabulary": null, "word_counts": [["\u8fd9\u662f\uff0c\u4e00\u4e2a\u3000\u8bc4\u8bba\u3002", 1], ["\uff54\uff48\uff45\u3000\uff43\uff41\uff54", 1], ["tab", 1], ["here", 1]], "word_docs": [["\u8fd9\u662f\uff0c\u4e00\u4e2a\u3000\u8bc4\u8bba\u3002", 1], ["tab", 1], ["here", 1], ["\uff54\uff48\uff45\u3000\uff43\uff41\uff54", 1]], "document_count": 2, "sequences_fit_texts": [[1], [2, 3, 4]], "other_texts": ["\u8fd9\u662f\uff0c\u4e00\u4e2a\u3000\u8bc4\u8bba\u3002"], "sequences_other_texts": [[1]], "sequences_to_texts_fit": ["\u8fd9\u662f\uff0c\u4e00\u4e2a\u3000\u8bc4\u8bba\u3002", "\uff54\uff48\uff45\u3000\uff43\uff41\uff54 tab here"], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4, 5, 6]], "sequences_to_texts_extra": ["\u8fd9\u662f\uff0c\u4e00\u4e2a\u3000\u8bc4\u8bba\u3002 \uff54\uff48\uff45\u3000\uff43\uff41\uff54", "\u8fd9\u662f\uff0c\u4e00\u4e2a\u3000\u8bc4\u8bba\u3002 \uff54\uff48\uff45\u3000\uff43\uff41\uff54 tab here"]},
{"name": "no_lower_sharp_s", "config": {"num_words": null, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": false, "split": " ", "char_level": false, "oov_token": null}, "fit_texts": ["Stra\u00dfe STRASSE \u1e9e", "stra\u00dfe"], "word_index": [["Stra\u00dfe", 1], ["STRASSE", 2], ["\u1e9e", 3], ["stra\u00dfe", 4]], "vocabulary": null, "word_counts": [["Stra\u00dfe", 1], ["STRASSE", 1], ["\u1e9e", 1], ["stra\u00dfe", 1]], "word_docs": [["\u1e9e", 1], ["STRASSE", 1], ["Stra\u00dfe", 1], ["stra\u00dfe", 1]], "document_count": 2, "sequences_fit_texts": [[1, 2, 3], [4]], "other_texts": ["STRASSE"], "sequences_other_texts": [[2]], "sequences_to_texts_fit": ["Stra\u00dfe STRASSE \u1e9e", "stra\u00dfe"], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4, 5, 6]], "sequences_to_texts_extra": ["Stra\u00dfe STRASSE", "Stra\u00dfe STRASSE \u1e9e stra\u00dfe"]},
{"name": "empty_and_filter_only_texts", "config": {"num_words": null, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ", "char_level": false, "oov_token": "<UNK>"}, "fit_texts": ["", "!!! ...", "x"], "word_index": [["<UNK>", 1], ["x", 2]], "vocabulary": null, "word_counts": [["x", 1]], "word_docs": [["x", 1]], "document_count": 3, "sequences_fit_texts": [[], [], [2]], "other_texts": ["", "y x"], "sequences_other_texts": [[], [1, 2]], "sequences_to_texts_fit": ["", "", "x"], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4]], "sequences_to_texts_extra": ["<UNK> <UNK> x <UNK> <UNK>", "<UNK> <UNK> x <UNK> <UNK>"]},
{"name": "split_in_filters_and_tab_split", "config": {"num_words": null, "filters": "\t,", "lower": true, "split": "\t", "char_level": false, "oov_token": null}, "fit_texts": ["a b\tc,d", "a b"], "word_index": [["a b", 1], ["c", 2], ["d", 3]], "vocabulary": null, "word_counts": [["a b", 2], ["c", 1], ["d", 1]], "word_docs": [["d", 1], ["c", 1], ["a b", 2]], "document_count": 2, "sequences_fit_texts": [[1, 2, 3], [1]], "other_texts": ["c\td"], "sequences_other_texts": [[2, 3]], "sequences_to_texts_fit": ["a b c d", "a b"], "extra_sequences": [[0, 1, 2, 999, -1], [0, 1, 2, 3, 4, 5]], "sequences_to_texts_extra": ["a b c", "a b c d"]}
]}
"""##

    @Test func pythonReferenceCases() throws {
        let root = J(try JSONDecoder().decode(JSON.self, from: Data(Self.pythonCases.utf8)), "pythonCases")
        let cases = root["cases"].array
        #expect(cases.count == 13)
        for c in cases {
            let name = try c["name"].string()
            var tok = try makeTokenizer(c["config"], name)
            tok.fit(on: try c["fit_texts"].strings())
            try checkFitted(tok, c, name)
            let extra = tok.texts(for: try c["extra_sequences"].intRows())
            let want = try c["sequences_to_texts_extra"].strings()
            #expect(extra.map { Array($0.unicodeScalars) } == want.map { Array($0.unicodeScalars) },
                    "\(name): sequences_to_texts of unknown indices")
            let decoded = try JSONDecoder().decode(KerasTokenizer.self, from: try JSONEncoder().encode(tok))
            try checkFitted(decoded, c, "\(name) (decoded)")
        }
    }

    @Test func emptySplitIsRejected() throws {
        #expect(throws: TextDataError.self) { try KerasTokenizer(split: "") }
        do {
            _ = try KerasTokenizer(split: "")
        } catch {
            #expect("\(error)".contains("split"), "\(error)")
        }
        // Character level never splits, so an empty split is fine there.
        #expect(throws: Never.self) { try KerasTokenizer(split: "", charLevel: true) }
    }

    @Test func unfittedTokenizer() throws {
        let tok = try KerasTokenizer(oovToken: "<OOV>")
        #expect(!tok.isFitted)
        #expect(tok.vocabulary.isEmpty && tok.oovIndex == nil)
        #expect(tok.sequence(for: "a b") == [])
        #expect(tok.text(for: [1, 2]) == "")
        #expect(tok.embeddingInputDim == 1)

        // Fitting on nothing indexes the OOV token (Keras: word_index == {oov: 1}).
        var empty = tok
        empty.fit(on: [String]())
        #expect(empty.isFitted && empty.documentCount == 0)
        #expect(empty.vocabulary == ["<OOV>"] && empty.oovIndex == 1)
        #expect(empty.sequence(for: "a b") == [1, 1])

        // Unfitted state survives a Codable round trip.
        let back = try JSONDecoder().decode(KerasTokenizer.self, from: try JSONEncoder().encode(tok))
        #expect(!back.isFitted && back.vocabulary.isEmpty)
    }

    @Test func fitsALazySequenceAndKeepsConfiguration() throws {
        var tok = try KerasTokenizer(numWords: 3, filters: "!", lower: false, split: "-", charLevel: false,
                                     oovToken: "?")
        tok.fit(on: (1...3).lazy.map { "w\($0)-W!x-x" })
        #expect(tok.documentCount == 3)
        #expect(tok.vocabulary == ["?", "x", "W", "w1", "w2", "w3"])
        #expect(tok.tokens(in: "A!b-c") == ["A", "b", "c"])
        #expect(tok.sequence(for: "W-x-w1") == [1, 2, 1])
        #expect(tok.embeddingInputDim == 3)
        let back = try JSONDecoder().decode(KerasTokenizer.self, from: try JSONEncoder().encode(tok))
        #expect(back.numWords == 3 && back.filters == "!" && !back.lower && back.split == "-" && back.oovToken == "?")
        #expect(back.vocabulary == tok.vocabulary && back.wordCounts == tok.wordCounts && back.wordDocs == tok.wordDocs)
    }

    @Test func corruptStoredTokenizerIsRejected() throws {
        func decode(_ json: String) throws -> KerasTokenizer {
            try JSONDecoder().decode(KerasTokenizer.self, from: Data(json.utf8))
        }
        let head = #"{"filters":"","lower":true,"split":" ","charLevel":false,"fitted":true,"documentCount":2,"words":"#
        #expect(throws: Never.self) {
            _ = try decode(head + #"[{"word":"a","count":3,"documents":2}]}"#)
        }
        // The same word twice.
        #expect(throws: DecodingError.self) {
            _ = try decode(head + #"[{"word":"a","count":1,"documents":1},{"word":"a","count":1,"documents":1}]}"#)
        }
        // More documents than texts.
        #expect(throws: DecodingError.self) {
            _ = try decode(head + #"[{"word":"a","count":5,"documents":3}]}"#)
        }
        // An empty split at word level.
        #expect(throws: DecodingError.self) {
            _ = try decode(#"{"filters":"","lower":true,"split":"","charLevel":false,"fitted":false,"documentCount":0,"words":[]}"#)
        }
    }
}

@Suite struct PythonLowercasing {
    /// `lowercased` copies the scalars of these blocks without looking up their case
    /// properties; every one of them must indeed be caseless.
    @Test func caselessFastPathHasNoCasedScalar() {
        for range in PythonText.caselessRanges {
            for v in range {
                guard let c = Unicode.Scalar(v) else { continue }
                #expect(!c.properties.changesWhenLowercased, "U+\(String(v, radix: 16, uppercase: true)) has a lowercase form")
                #expect(PythonText.isCaseless(v))
            }
            #expect(!PythonText.isCaseless(range.lowerBound - 1) && !PythonText.isCaseless(range.upperBound + 1))
        }
        #expect(PythonText.lowercased(Array("ÀΣ天ＡＢ한".unicodeScalars)) == Array("àς天ａｂ한".unicodeScalars))
    }
}
