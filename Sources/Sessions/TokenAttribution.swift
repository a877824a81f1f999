import Engine
import TextData

/// How much each token of a text moved the decision, by occlusion: the drop in the predicted
/// class's probability when that token alone is removed (positive = the token supported the
/// decision, negative = it argued against it). One batched forward pass of n + 1 rows.
public struct TokenAttribution: Sendable, Equatable {
    public struct Token: Sendable, Equatable {
        public var text: String
        /// False when the token is outside the vocabulary (it has no effect on the model).
        public var known: Bool
        public var score: Float
    }
    public var probabilities: [Float]
    public var predicted: Int
    public var tokens: [Token]
}

extension TextClassifier {
    /// Classifies `text` and attributes the decision to its tokens (at most `maxLength` of
    /// them are scored, as only those reach the model).
    public func explain(_ text: String) throws -> TokenAttribution {
        let tokens = config.tokenizer.tokens(in: text)
        let ids = tokens.map { config.tokenizer.vocab.lookup($0) }
        let full = ids.compactMap { $0 }
        // Variants: the full sequence, then each known token removed in turn.
        var rows: [[Int]] = [full]
        var rowOfToken: [Int?] = []
        var position = 0
        for id in ids {
            if id == nil { rowOfToken.append(nil); continue }
            var v = full
            v.remove(at: position)
            rowOfToken.append(rows.count)
            rows.append(v)
            position += 1
        }
        var x = Tensor(shape: [rows.count, config.maxLength])
        x.withUnsafeMutableBufferPointer { p in
            try? padSequences(rows, maxLength: config.maxLength, padding: config.padding, truncating: config.truncating, into: p)
        }
        let out = try model.predict(x, batchSize: 128)
        let probs = Self.classProbabilities(out, binary: isBinary)
        let base = probs[0]
        let predicted = base.indices.max { base[$0] < base[$1] } ?? 0
        let scored = zip(tokens, rowOfToken).map { token, row in
            TokenAttribution.Token(text: token, known: row != nil, score: row.map { base[predicted] - probs[$0][predicted] } ?? 0)
        }
        return TokenAttribution(probabilities: base, predicted: predicted, tokens: scored)
    }
}
