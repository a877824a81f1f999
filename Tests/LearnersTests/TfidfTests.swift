import Foundation
import Learners
import Testing

/// Golden values from scikit-learn 1.9.1 (`TfidfVectorizer` with the settings named in each
/// test), rounded to 9 decimals.
private let corpus = ["The cat sat on the mat.", "The cat ate; the dog sat!", "A dog, a cat and I"]

private func fitted(_ options: TfidfVectorizer.Options, tokenizer: FeatureTokenizer = .words,
                    docs: [String] = corpus) throws -> (TfidfVectorizer, SparseMatrix) {
    var v = TfidfVectorizer(options: options)
    let x = try v.fit(docs.map { tokenizer.tokens(in: $0) })
    return (v, x)
}

/// Checks the vocabulary, idf and rows against scikit-learn's, by term (`rename` maps a
/// scikit-learn term to ours).
private func expectMatches(_ v: TfidfVectorizer, _ x: SparseMatrix, idf: [String: Double], rows: [[String: Double]],
                           rename: (String) -> String = { $0 }, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(Set(v.terms) == Set(idf.keys.map(rename)), sourceLocation: sourceLocation)
    #expect(v.terms == v.terms.sorted(), sourceLocation: sourceLocation)
    for (term, value) in idf {
        guard let j = v.column(of: rename(term)) else {
            Issue.record("missing term '\(term)'", sourceLocation: sourceLocation)
            continue
        }
        #expect(abs(Double(v.idf[j]) - value) < 1e-6, "idf of '\(term)'", sourceLocation: sourceLocation)
    }
    #expect(x.rows == rows.count, sourceLocation: sourceLocation)
    for (r, expected) in rows.enumerated() {
        let got = Dictionary(uniqueKeysWithValues: x.row(r).map { (v.terms[$0.column], Double($0.value)) })
        #expect(got.count == expected.count, "row \(r): \(got.count) entries, expected \(expected.count)",
                sourceLocation: sourceLocation)
        for (term, value) in expected {
            #expect(abs((got[rename(term)] ?? -1) - value) < 1e-6, "row \(r), '\(term)'", sourceLocation: sourceLocation)
        }
    }
}

@Suite struct LearnersTfidf {
    @Test func scikitLearnWordAndCharacterAnalyzers() {
        #expect(FeatureTokenizer.words.tokens(in: "The cat sat on the mat.") == ["the", "cat", "sat", "on", "the", "mat"])
        #expect(FeatureTokenizer.words.tokens(in: "A dog, a cat and I") == ["dog", "cat", "and"])
        #expect(FeatureTokenizer.words.tokens(in: "don't @Bob_99 x2 Ünïcode 3.14") == ["don", "bob_99", "x2", "ünïcode", "14"])
        #expect(FeatureTokenizer.characters.tokens(in: "Ab  c。") == ["a", "b", " ", "c", "。"])
        #expect(FeatureTokenizer.nonSpaceCharacters.tokens(in: "天气 好!") == ["天", "气", "好", "!"])
        #expect(FeatureTokenizer.whitespace.tokens(in: " The  cat\tsat. ") == ["The", "cat", "sat."])
        #expect(FeatureTokenizer.punctuatedWords.tokens(in: "It's GREAT (really)!") == ["it", "'", "s", "great", "(", "really", ")", "!"])
        #expect(FeatureTokenizer.automatic.resolved(for: ["天气很好", "ok 不好"], fastText: false).name == "characters")
        #expect(FeatureTokenizer.automatic.resolved(for: ["天气很好"], fastText: true).name == "non-space characters")
        #expect(FeatureTokenizer.automatic.resolved(for: ["the weather is fine 好"], fastText: false).name == "words")
        #expect(FeatureTokenizer.automatic.resolved(for: ["the weather is fine"], fastText: true).name == "words and punctuation")
    }

    @Test func unigramsMatchScikitLearn() throws {
        let (v, x) = try fitted(.init(ngrams: 1))
        expectMatches(v, x, idf: ["and": 1.693147181, "ate": 1.693147181, "cat": 1.0, "dog": 1.287682072, "mat": 1.693147181,
                                  "on": 1.693147181, "sat": 1.287682072, "the": 1.287682072],
                      rows: [["cat": 0.257991545, "mat": 0.436817657, "on": 0.436817657, "sat": 0.332211087, "the": 0.664422174],
                             ["ate": 0.455524183, "cat": 0.269039921, "dog": 0.346437883, "sat": 0.346437883, "the": 0.692875765],
                             ["and": 0.720333449, "cat": 0.425440539, "dog": 0.547832155]])
    }

    @Test func bigramsMatchScikitLearn() throws {
        let (v, x) = try fitted(.init(ngrams: 2))
        expectMatches(v, x, idf: bigramIDF, rows: [
            ["cat": 0.18848062, "cat sat": 0.31912543, "mat": 0.31912543, "on": 0.31912543, "on the": 0.31912543,
             "sat": 0.242703115, "sat on": 0.31912543, "the": 0.485406231, "the cat": 0.242703115, "the mat": 0.31912543],
            ["ate": 0.326205273, "ate the": 0.326205273, "cat": 0.192662089, "cat ate": 0.326205273, "dog": 0.248087518,
             "dog sat": 0.326205273, "sat": 0.248087518, "the": 0.496175037, "the cat": 0.248087518, "the dog": 0.326205273],
            ["and": 0.50461134, "cat": 0.298031586, "cat and": 0.50461134, "dog": 0.383769931, "dog cat": 0.50461134],
        ])
    }

    @Test func sublinearTFMatchesScikitLearn() throws {
        let (v, x) = try fitted(.init(ngrams: 2, sublinearTF: true))
        expectMatches(v, x, idf: bigramIDF, rows: [
            ["cat": 0.195105107, "cat sat": 0.330341663, "mat": 0.330341663, "on": 0.330341663, "on the": 0.330341663,
             "sat": 0.251233349, "sat on": 0.330341663, "the": 0.425375037, "the cat": 0.251233349, "the mat": 0.330341663],
            ["ate": 0.338213432, "ate the": 0.338213432, "cat": 0.199754301, "cat ate": 0.338213432, "dog": 0.257220033,
             "dog sat": 0.338213432, "sat": 0.257220033, "the": 0.435511373, "the cat": 0.257220033, "the dog": 0.338213432],
            ["and": 0.50461134, "cat": 0.298031586, "cat and": 0.50461134, "dog": 0.383769931, "dog cat": 0.50461134],
        ])
    }

    @Test func minDFMatchesScikitLearn() throws {
        let (v, x) = try fitted(.init(ngrams: 2, minDF: 2))
        expectMatches(v, x, idf: ["cat": 1.0, "dog": 1.287682072, "sat": 1.287682072, "the": 1.287682072, "the cat": 1.287682072],
                      rows: [["cat": 0.302216183, "sat": 0.389158361, "the": 0.778316722, "the cat": 0.389158361],
                             ["cat": 0.281641249, "dog": 0.362664388, "sat": 0.362664388, "the": 0.725328775, "the cat": 0.362664388],
                             ["cat": 0.613355537, "dog": 0.789806929]])
    }

    @Test func chineseCharacterBigramsMatchScikitLearn() throws {
        // scikit-learn joins character n-grams without a separator; ours are token n-grams
        // joined by one space.
        let (v, x) = try fitted(.init(ngrams: 2), tokenizer: .characters, docs: ["天气很好。", "天气不好", "很好 很好"])
        func rename(_ t: String) -> String { t.count == 2 ? t.map(String.init).joined(separator: " ") : t }
        expectMatches(v, x, idf: [" ": 1.693147181, " 很": 1.693147181, "。": 1.693147181, "不": 1.693147181, "不好": 1.693147181,
                                  "天": 1.287682072, "天气": 1.287682072, "好": 1.0, "好 ": 1.693147181, "好。": 1.693147181,
                                  "很": 1.287682072, "很好": 1.287682072, "气": 1.287682072, "气不": 1.693147181, "气很": 1.693147181],
                      rows: [["。": 0.400293934, "天": 0.304433855, "天气": 0.304433855, "好": 0.236420046, "好。": 0.400293934,
                              "很": 0.304433855, "很好": 0.304433855, "气": 0.304433855, "气很": 0.400293934],
                             ["不": 0.443502558, "不好": 0.443502558, "天": 0.337295127, "天气": 0.337295127, "好": 0.261939755,
                              "气": 0.337295127, "气不": 0.443502558],
                             [" ": 0.33291735, " 很": 0.33291735, "好": 0.3932527, "好 ": 0.33291735, "很": 0.506384452,
                              "很好": 0.506384452]],
                      rename: rename)
    }

    @Test func transformMatchesFitAndIgnoresUnknownTerms() throws {
        let (v, x) = try fitted(.init(ngrams: 2))
        for r in 0..<3 {
            let row = v.transform(FeatureTokenizer.words.tokens(in: corpus[r]))
            #expect(row.indices.map(Int.init) == x.row(r).map(\.column))
            #expect(row.values == x.row(r).map(\.value))
        }
        #expect(v.transform(["zebra", "unicorn"]).isEmpty)
        let catOnly = v.transform(["cat", "zebra"])
        #expect(catOnly.indices.map(Int.init) == [v.column(of: "cat")!] && catOnly.values == [1])
    }

    @Test func maxFeaturesKeepsTheMostFrequentTerms() throws {
        let (v, x) = try fitted(.init(ngrams: 1, maxFeatures: 3))
        // Counts: the 4, cat 3, sat 2, dog 2 → ties in term order keep dog.
        #expect(v.terms == ["cat", "dog", "the"])
        #expect(x.columns == 3)
    }

    @Test func emptiedVocabularyIsAnError() throws {
        var v = TfidfVectorizer(options: .init(minDF: 4))
        #expect(throws: LearnerError.self) { _ = try v.fit(corpus.map { FeatureTokenizer.words.tokens(in: $0) }) }
        do {
            _ = try v.fit(corpus.map { FeatureTokenizer.words.tokens(in: $0) })
        } catch {
            #expect("\(error)".contains("minDF 4 removes every term"))
        }
        var empty = TfidfVectorizer()
        #expect(throws: LearnerError.self) { _ = try empty.fit([[], []]) }
        var bad = TfidfVectorizer(options: .init(ngrams: 0))
        #expect(throws: LearnerError.self) { _ = try bad.fit([["a"]]) }
    }

    @Test func codableRoundTrip() throws {
        let (v, _) = try fitted(.init(ngrams: 2, sublinearTF: true))
        let data = try JSONEncoder().encode(v)
        let back = try JSONDecoder().decode(TfidfVectorizer.self, from: data)
        #expect(back.terms == v.terms && back.idf == v.idf && back.options == v.options)
        let tokens = FeatureTokenizer.words.tokens(in: "the cat sat on a dog")
        #expect(back.transform(tokens) == v.transform(tokens))
    }

    @Test func sparseMatrixStructureAndTranspose() throws {
        let m = try SparseMatrix(rows: 2, columns: 3, rowPtr: [0, 2, 3], colIdx: [0, 2, 1], values: [1, 2, 3])
        #expect(m[0, 2] == 2 && m[1, 0] == 0 && m[1, 1] == 3)
        let t = m.transposed()
        #expect(t.rows == 3 && t.columns == 2 && t.rowPtr == [0, 1, 2, 3] && t.colIdx == [0, 1, 0] && t.values == [1, 3, 2])
        #expect(m.selecting(rows: [1, 1]).values == [3, 3])
        #expect(throws: LearnerError.self) {
            _ = try SparseMatrix(rows: 1, columns: 2, rowPtr: [0, 2], colIdx: [1, 0], values: [1, 1])
        }
        #expect(throws: LearnerError.self) {
            _ = try SparseMatrix(rows: 1, columns: 2, rowPtr: [0, 1], colIdx: [2], values: [1])
        }
    }
}

private let bigramIDF: [String: Double] = [
    "and": 1.693147181, "ate": 1.693147181, "ate the": 1.693147181, "cat": 1.0, "cat and": 1.693147181,
    "cat ate": 1.693147181, "cat sat": 1.693147181, "dog": 1.287682072, "dog cat": 1.693147181, "dog sat": 1.693147181,
    "mat": 1.693147181, "on": 1.693147181, "on the": 1.693147181, "sat": 1.287682072, "sat on": 1.693147181,
    "the": 1.287682072, "the cat": 1.287682072, "the dog": 1.693147181, "the mat": 1.693147181,
]
