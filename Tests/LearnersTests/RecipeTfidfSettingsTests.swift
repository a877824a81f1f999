import Foundation
import Learners
import Testing
import TextData

/// The TF-IDF settings autotune searches, in the recipe grammar: the analyzer (words or
/// characters), sublinear tf and the minimum document frequency.
@Suite struct RecipeTfidfSettingsTests {
    @Test func theAnalyzerSublinearTfAndMinDfParse() throws {
        let r = try #require(try LearnerRecipe.parse("svm:c=0.5:analyzer=chars:ngrams=3:sublinear=1:mindf=2"))
        #expect(r.spec == "svm:c=0.5:analyzer=chars:ngrams=3:sublinear=1:mindf=2")
        guard case .characters = r.settings.tokenizer else { Issue.record("analyzer=chars: \(r.settings.tokenizer.name)"); return }
        #expect(r.settings.tfidf == TfidfVectorizer.Options(ngrams: 3, sublinearTF: true, minDF: 2))
        let words = try #require(try LearnerRecipe.parse("nb:analyzer=words:sublinear=0"))
        guard case .words = words.settings.tokenizer else { Issue.record("analyzer=words: \(words.settings.tokenizer.name)"); return }
        #expect(!words.settings.tfidf.sublinearTF)
        for kind in LearnerKind.allCases where kind != .fasttext {
            #expect(kind.settingNames.contains("analyzer") && kind.settingNames.contains("mindf") && kind.settingNames.contains("sublinear"))
        }
        #expect(!LearnerKind.fasttext.settingNames.contains("analyzer"))
    }

    @Test func badValuesAreRefusedWithTheReason() {
        for spec in ["svm:analyzer=bytes", "svm:sublinear=maybe", "svm:mindf=0", "svm:mindf=x", "fasttext:analyzer=chars", "logreg:mindf=-1"] {
            #expect(throws: LearnerError.self, "\(spec)") { try LearnerRecipe.parse(spec) }
        }
    }

    @Test func theCharacterAnalyzerTrainsOnCharacterNgrams() throws {
        let data = separableSet(classes: 2)
        let recipe = try #require(try LearnerRecipe.parse("svm:analyzer=chars:ngrams=2"))
        let trained = try recipe.fit(data, seed: 1).learner
        guard case .characters = trained.tokenizer else { Issue.record("tokenizer \(trained.tokenizer.name)"); return }
        let t = try #require(trained as? TfidfLearner)
        #expect(t.vectorizer.terms.allSatisfy { $0.unicodeScalars.count <= 3 }, "characters and character bigrams (joined by a space)")
        #expect(try trained.report(data).accuracy > 0.9)
        // minDF above every term's count: the fit fails with the reason, naming minDF.
        let strict = try #require(try LearnerRecipe.parse("svm:mindf=1000"))
        #expect(throws: LearnerError.self) { try strict.fit(data, seed: 1) }
    }
}
