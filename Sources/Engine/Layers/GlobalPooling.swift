/// Shape rules shared by the global pooling layers: a sequence (steps ≥ 1, channels) becomes
/// (channels).
enum GlobalPooling {
    static func outputShape(_ layer: String, _ className: String, reduction: String, _ s: [Int]) throws -> [Int] {
        guard s.count == 2 else {
            throw EngineError.incompatibleLayer(layer: layer, inputShape: s,
                                                reason: "\(className) takes sequences of shape (None, steps, channels)")
        }
        guard s[0] >= 1 else {
            throw EngineError.incompatibleLayer(layer: layer, inputShape: s,
                                                reason: "the \(reduction) over \(s[0]) steps is undefined")
        }
        return [s[1]]
    }

    /// Checks a batch [B, T, C] with T ≥ 1, building no shape array on the way.
    static func checkInput(_ layer: String, _ className: String, reduction: String, _ x: Tensor) throws {
        guard x.rank == 3 else { throw EngineError.shapeMismatch(layer: layer, expected: [-1, -1, -1], got: x.shape) }
        if x.shape[1] < 1 { _ = try outputShape(layer, className, reduction: reduction, Array(x.shape.dropFirst())) }
    }
}
