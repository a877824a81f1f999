import Foundation
import Testing
import TextData

/// Parity with Keras's text utilities: every case of tokenizer.json and pad_sequences.json,
/// built from each case's own configuration.
@Suite struct KerasParityText {
    @Test func tokenizer() throws {
        for c in try Fixtures.cases("tokenizer.json") {
            let name = try c["name"].string()
            var tok = try makeTokenizer(c["config"], name)
            let fitTexts = try c["fit_texts"].strings()
            tok.fit(on: fitTexts)
            try checkFitted(tok, c, name)

            // Fitting in two calls accumulates to the same state.
            var twice = try makeTokenizer(c["config"], name)
            let half = fitTexts.count / 2
            twice.fit(on: fitTexts[..<half])
            twice.fit(on: fitTexts[half...])
            try checkFitted(twice, c, "\(name) (fitted in two calls)")

            // A Codable round trip keeps everything.
            let decoded = try JSONDecoder().decode(KerasTokenizer.self, from: try JSONEncoder().encode(tok))
            try checkFitted(decoded, c, "\(name) (decoded)")
        }
    }

    @Test func padSequences() throws {
        for c in try Fixtures.cases("pad_sequences.json") {
            let name = try c["name"].string()
            let kw = c["kwargs"]
            try expectOnly(kw, ["maxlen", "dtype", "padding", "truncating", "value"], name)
            let dtype = try kw["dtype"].string()
            #expect(dtype == "int32", "\(name): dtype \(dtype) is not supported (int32 only)")
            let maxLength = try kw["maxlen"].optionalInt()
            let padding = try side(kw["padding"], name)
            let truncating = try side(kw["truncating"], name)
            let value = try kw["value"].int()
            let seqs = try c["sequences"].intRows()
            let want = try c["output"].intRows()

            let got = TextData.padSequences(seqs, maxLength: maxLength, padding: padding,
                                            truncating: truncating, value: value)
            #expect(got == want, "\(name): pad_sequences")

            // The flat Float variants give the same rows.
            var flat: [Float] = [7, 7, 7]   // a reused buffer with stale contents
            let length = TextData.padSequences(seqs, maxLength: maxLength, padding: padding,
                                               truncating: truncating, value: Float(value), into: &flat)
            #expect(length == want.first?.count ?? 0, "\(name): resolved length")
            #expect(flat == want.flatMap { $0.map(Float.init) }, "\(name): flat [n, maxLength] buffer")

            var storage = [Float](repeating: .nan, count: seqs.count * length)
            try storage.withUnsafeMutableBufferPointer {
                try TextData.padSequences(seqs, maxLength: length, padding: padding,
                                          truncating: truncating, value: Float(value), into: $0)
            }
            #expect(storage == want.flatMap { $0.map(Float.init) }, "\(name): caller-owned buffer")
        }
    }

    /// model_seed.json's data: the seed's tokenisation, V and padded input, from its own config.
    @Test func seedModelData() throws {
        for c in try Fixtures.cases("model_seed.json") {
            let name = try c["name"].string()
            let data = c["data"]
            var tok = try makeTokenizer(data["tokenizer_config"], name)
            let texts = try data["texts"].strings()
            tok.fit(on: texts)
            let wordIndex = try data["word_index"].pairs()
            #expect(tok.vocabulary == wordIndex.map(\.0), "\(name): word_index order")
            #expect(wordIndex.allSatisfy { tok.index(of: $0.0) == $0.1 }, "\(name): word_index")
            let seqs = tok.sequences(for: texts)
            #expect(seqs == (try data["sequences"].intRows()), "\(name): sequences")
            #expect(tok.embeddingInputDim == (try data["vocab_size_V"].int()), "\(name): V")

            let pad = data["pad"]
            try expectOnly(pad, ["maxlen", "padding", "truncating"], "\(name) pad")
            var flat: [Float] = []
            TextData.padSequences(seqs, maxLength: try pad["maxlen"].optionalInt(),
                                  padding: try side(pad["padding"], name),
                                  truncating: try side(pad["truncating"], name), into: &flat)
            let x = c["inputs"]["x"]
            #expect(try x["shape"].ints() == [seqs.count, try c["model"]["input_length"].int()], "\(name): x shape")
            #expect(flat == (try x["values"].intRows()).flatMap { $0.map(Float.init) }, "\(name): padded x")
        }
    }
}

// MARK: - Helpers

/// A tokenizer from a Keras `Tokenizer` config (absent keys take Keras's defaults). A key
/// this tokenizer does not support fails, naming it.
func makeTokenizer(_ cfg: J, _ name: String) throws -> KerasTokenizer {
    try expectOnly(cfg, ["num_words", "filters", "lower", "split", "char_level", "oov_token",
                         "document_count", "analyzer"], name)
    if cfg["analyzer"].exists {
        throw FixtureError(description: "\(name): Tokenizer(analyzer=...) is not supported")
    }
    if let d = try cfg["document_count"].optionalInt(), d != 0 {
        throw FixtureError(description: "\(name): Tokenizer(document_count=\(d)) is not supported")
    }
    return try KerasTokenizer(
        numWords: try cfg["num_words"].optionalInt(),
        filters: cfg["filters"].exists ? try cfg["filters"].string() : KerasTokenizer.defaultFilters,
        lower: cfg["lower"].exists ? try cfg["lower"].bool() : true,
        split: cfg["split"].exists ? try cfg["split"].string() : " ",
        charLevel: cfg["char_level"].exists ? try cfg["char_level"].bool() : false,
        oovToken: try cfg["oov_token"].optionalString())
}

/// Fails naming any key of `obj` outside `known`.
func expectOnly(_ obj: J, _ known: Set<String>, _ name: String) throws {
    let unknown = obj.keys.filter { !known.contains($0) }
    if !unknown.isEmpty {
        throw FixtureError(description: "\(name): unsupported option(s) \(unknown) in \(obj.path)")
    }
}

func side(_ v: J, _ name: String) throws -> PadSide {
    let s = try v.string()
    guard let p = PadSide(rawValue: s) else { throw FixtureError(description: "\(name): \(v.path) '\(s)' is not pre/post") }
    return p
}

/// Exact-code-point view of a word list, so the comparisons are not fooled by Swift's
/// canonical equivalence.
private func scalars(_ words: [String]) -> [[UInt32]] { words.map { $0.unicodeScalars.map(\.value) } }

/// Checks a fitted tokenizer against every recorded field of a tokenizer.json case.
func checkFitted(_ tok: KerasTokenizer, _ c: J, _ name: String) throws {
    let wordIndex = try c["word_index"].pairs()
    // Index order: vocabulary[i - 1] is the word with index i. Keras's word_index can have a
    // gap only where the OOV token was also a fitted word (it keeps its later index); that
    // slot of `vocabulary` holds the OOV token.
    let top = wordIndex.map(\.1).max() ?? 0
    #expect(tok.vocabulary.count == top, "\(name): \(tok.vocabulary.count) indexed words, expected \(top)")
    var listed = Set<Int>()
    for (w, i) in wordIndex {
        listed.insert(i)
        #expect(tok.index(of: w) == i, "\(name): word_index['\(w)'] is \(tok.index(of: w).map(String.init) ?? "nil"), expected \(i)")
        if i >= 1 && i <= tok.vocabulary.count {
            #expect(scalars([tok.vocabulary[i - 1]]) == scalars([w]), "\(name): vocabulary[\(i - 1)]")
        }
    }
    for i in 1...max(1, top) where !listed.contains(i) && i <= tok.vocabulary.count {
        #expect(tok.oovToken != nil && tok.vocabulary[i - 1] == tok.oovToken, "\(name): index \(i) unexpected")
    }
    // The String-keyed view: canonically equivalent words share a key, the higher index wins.
    let wantIndex = Dictionary(wordIndex, uniquingKeysWith: { max($0, $1) })
    #expect(tok.wordIndex == wantIndex, "\(name): wordIndex dictionary")

    let counts = try c["word_counts"].pairs()
    #expect(scalars(tok.wordCounts.map(\.word)) == scalars(counts.map(\.0)), "\(name): word_counts order")
    #expect(tok.wordCounts.map(\.count) == counts.map(\.1), "\(name): word_counts")

    // word_docs: Keras's order is Python-set order; compare as a mapping.
    let docs = try c["word_docs"].pairs()
    let gotDocs = Dictionary(uniqueKeysWithValues: tok.wordDocs.map { ($0.word.unicodeScalars.map(\.value), $0.count) })
    let wantDocs = Dictionary(uniqueKeysWithValues: docs.map { ($0.0.unicodeScalars.map(\.value), $0.1) })
    #expect(gotDocs == wantDocs, "\(name): word_docs")

    #expect(tok.documentCount == (try c["document_count"].int()), "\(name): document_count")

    let fitTexts = try c["fit_texts"].strings()
    let fitSeqs = tok.sequences(for: fitTexts)
    #expect(fitSeqs == (try c["sequences_fit_texts"].intRows()), "\(name): texts_to_sequences(fit_texts)")
    let otherSeqs = tok.sequences(for: try c["other_texts"].strings())
    #expect(otherSeqs == (try c["sequences_other_texts"].intRows()), "\(name): texts_to_sequences(other_texts)")
    #expect(scalars(tok.texts(for: try c["sequences_fit_texts"].intRows()))
            == scalars(try c["sequences_to_texts_fit"].strings()), "\(name): sequences_to_texts")

    // Every emitted index fits an Embedding of embeddingInputDim rows.
    let highest = (fitSeqs + otherSeqs).joined().max() ?? 0
    #expect(highest < tok.embeddingInputDim,
            "\(name): index \(highest) >= embeddingInputDim \(tok.embeddingInputDim)")
}
