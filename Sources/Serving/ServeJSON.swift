import Foundation
import Sessions

/// The JSON of a classification, shared by `workbench predict --json` and `POST /v1/classify`
/// so that both print the same digits: the same keys, the Float probabilities widened to
/// Double the same way, and the same serializer.
public enum ServeJSON {
    /// `{"text", "label", "probabilities": {class: p}}`: one line of `predict --json`.
    public static func prediction(text: String, label: String, classes: [String], probabilities: [Float]) -> [String: Any] {
        ["text": text, "label": label,
         "probabilities": Dictionary(zip(classes, probabilities.map(Double.init)), uniquingKeysWith: { first, _ in first })]
    }

    /// `{"text", "score", "known"}` per token, in the text's order.
    public static func tokens(_ attribution: TokenAttribution) -> [[String: Any]] {
        attribution.tokens.map { ["text": $0.text, "score": Double($0.score), "known": $0.known] }
    }

    /// The object serialized with sorted keys (one line, no spaces), as `predict --json` prints it.
    public static func data(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    public static func line(_ object: Any) throws -> String {
        String(decoding: try data(object), as: UTF8.self)
    }

    /// The label with the highest probability (the first on a tie), as `Prediction` picks it.
    public static func label(classes: [String], probabilities: [Float]) -> String {
        let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        return classes.indices.contains(best) ? classes[best] : ""
    }

    /// ISO 8601 with fractional seconds, UTC.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
