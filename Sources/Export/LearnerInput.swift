import Engine
import Foundation
import Learners
import TextData

/// The int64 ids an exported learner reads, and how a text becomes them. The ONNX graph cannot
/// run the learner's analyzer (Python's lowercasing and `\w`, character splitting, CJK), so the
/// analyzer runs outside it (`workbench tokenize`, or a user's port of the documented rules)
/// and the graph starts from the analyzer's tokens as ids:
/// - TF-IDF learners: id `i ≥ 1` is `tokens[i - 1]`, the sorted tokens that occur in some
///   n-gram of the vocabulary; every other token is 0. Unknown tokens keep their place (as 0)
///   so no n-gram forms across them, and 0 is in no n-gram of the graph's pool, so 0 also pads
///   a batch (at the end).
/// - fastText: one id per input row the text averages: its known words, `</s>`, then its word
///   n-gram buckets, row `r` as id `r + 1`; 0 pads.
public struct LearnerInput: Sendable {
    /// The TF-IDF vocabulary's tokens (id = index + 1); empty for fastText.
    public let tokens: [String]
    private let index: [String: Int]
    private let learner: any Learner

    public init(_ learner: any Learner) throws {
        self.learner = learner
        if let t = learner as? TfidfLearner {
            var seen = Set<String>()
            for term in t.vectorizer.terms {
                for token in try Self.split(term, tokenizer: t.tokenizer, ngrams: t.vectorizer.options.ngrams) { seen.insert(token) }
            }
            tokens = seen.sorted()
        } else {
            tokens = []
        }
        var index: [String: Int] = [:]
        for (i, token) in tokens.enumerated() { index[token] = i + 1 }
        self.index = index
    }

    /// The ids of one text (no padding; possibly empty).
    public func ids(_ text: String) -> [Int64] {
        let analyzed = learner.tokens(in: text)
        if let f = learner as? FastText { return f.denseRows(tokens: analyzed).map { Int64($0) + 1 } }
        return analyzed.map { Int64(index[$0] ?? 0) }
    }

    /// The id of a vocabulary token (nil when it is in no n-gram).
    func id(_ token: String) -> Int? { index[token] }

    /// The tokens of a vocabulary term, which `TfidfVectorizer.terms(of:ngrams:)` joined with
    /// one space. Character tokens are single code points (a space among them), so their terms
    /// alternate token and separator; other analyzers' tokens hold no space. Throws for a
    /// tokenizer whose tokens may hold a space, where the split would be ambiguous.
    static func split(_ term: String, tokenizer: FeatureTokenizer, ngrams: Int) throws -> [String] {
        switch tokenizer {
        case .characters, .nonSpaceCharacters:
            let scalars = Array(term.unicodeScalars)
            guard scalars.count % 2 == 1, stride(from: 1, to: scalars.count, by: 2).allSatisfy({ scalars[$0] == " " }) else {
                throw EngineError.invalidSpec(field: "vectorizer", reason: "the term '\(term)' is not a space-joined n-gram of characters")
            }
            return stride(from: 0, to: scalars.count, by: 2).map { String(scalars[$0]) }
        case let .tokenizer(.keras(k)) where k.charLevel || k.split != " ":
            throw EngineError.invalidSpec(
                field: "tokenizer",
                reason: "the Keras tokenizer with \(k.charLevel ? "char_level" : "split '\(k.split)'") gives tokens that may hold a space, so the vocabulary's n-grams cannot be split back into tokens; train with --tokenizer words or characters to export")
        default:
            let pieces = term.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= ngrams, !pieces.contains(where: \.isEmpty) else {
                throw EngineError.invalidSpec(field: "vectorizer", reason: "the term '\(term)' does not split into at most \(ngrams) tokens")
            }
            return pieces
        }
    }
}
