/// One token of a console line with how much it pushed the decision: positive scores push
/// towards the predicted class, negative ones away from it. The scale is the service's; the
/// pane colours by sign and by magnitude relative to the largest in the line.
public struct TokenAttribution: Hashable, Sendable {
    public var text: String
    public var score: Double
    /// False for a token the model has no entry for (out of its vocabulary): it cannot
    /// have pushed the decision, and the console marks it.
    public var known: Bool

    public init(_ text: String, score: Double, known: Bool = true) {
        self.text = text
        self.score = score
        self.known = known
    }
}

/// A classified console line: what the console pane shows under the input.
public struct ConsoleSnapshot: Hashable, Sendable {
    /// The line that was classified.
    public var text: String
    /// Class names in the model's order.
    public var classNames: [String]
    /// One probability per class, same order.
    public var probabilities: [Double]
    /// The line's tokens in order, each with its attribution.
    public var tokens: [TokenAttribution]
    /// True while the answering run has no trained weights: its probabilities mean nothing,
    /// and the console says "untrained" instead of showing them.
    public var isUntrained: Bool

    public init(text: String, classNames: [String], probabilities: [Double], tokens: [TokenAttribution] = [],
                isUntrained: Bool = false) {
        self.text = text
        self.classNames = classNames
        self.probabilities = probabilities
        self.tokens = tokens
        self.isUntrained = isUntrained
    }

    /// Tokens out of the model's vocabulary.
    public var unknownTokenCount: Int { tokens.filter { !$0.known }.count }

    /// The index of the most probable class (nil without probabilities).
    public var predictedIndex: Int? {
        var best: Int?
        for (i, p) in probabilities.enumerated() where p.isFinite {
            if best.map({ p > probabilities[$0] }) ?? true { best = i }
        }
        return best
    }

    /// Class indices by falling probability (ties keep class order).
    public var ranking: [Int] {
        probabilities.indices.sorted { a, b in
            let pa = probabilities[a].isFinite ? probabilities[a] : -1
            let pb = probabilities[b].isFinite ? probabilities[b] : -1
            return pa != pb ? pa > pb : a < b
        }
    }
}
