/// Window geometry shared by MaxPooling1D and AveragePooling1D (Keras 3, channels_last):
/// windows of `poolSize` steps, `strides` apart, over [batch, steps, channels].
///
/// - valid: no padding, outLength = ⌊(L − poolSize) / strides⌋ + 1 (L ≥ poolSize);
/// - same:  outLength = ⌈L / strides⌉, total = max((outLength − 1)·strides + poolSize − L, 0),
///          left = ⌊total / 2⌋ (the odd extra step goes at the END), as TensorFlow's SAME.
///          Padded steps never count: the maximum and the mean are over the real steps of
///          each window only (every window holds at least one).
public enum Pooling1D {
    public enum Padding: String, Codable, Sendable, CaseIterable {
        case valid, same
    }

    /// Throws `EngineError.invalidSpec` unless pool_size and strides are at least 1.
    static func validate(name: String, poolSize: Int, strides: Int) throws {
        for (field, v) in [("pool_size", poolSize), ("strides", strides)] where v < 1 {
            throw EngineError.invalidSpec(field: "\(name).\(field)", reason: "must be at least 1, got \(v)")
        }
    }

    /// `(steps, channels)` → `(outLength, channels)`, or why the layer cannot follow.
    static func outputShape(_ layer: String, _ className: String, poolSize: Int, strides: Int, padding: Padding,
                            _ s: [Int]) throws -> [Int] {
        guard s.count == 2 else {
            throw EngineError.incompatibleLayer(layer: layer, inputShape: s,
                                                reason: "\(className) takes sequences of shape (None, steps, channels)")
        }
        return [try geometry(layer, className, poolSize: poolSize, strides: strides, padding: padding,
                             length: s[0], channels: s[1]).outLength, s[1]]
    }

    /// Output length and left padding for `length` steps; throws when the configuration is
    /// invalid or the output would be empty.
    static func geometry(_ layer: String, _ className: String, poolSize: Int, strides: Int, padding: Padding,
                         length: Int, channels: Int) throws -> (outLength: Int, padLeft: Int) {
        try validate(name: layer, poolSize: poolSize, strides: strides)
        let out: Int, left: Int
        switch padding {
        case .valid:
            out = length >= poolSize ? (length - poolSize) / strides + 1 : 0
            left = 0
        case .same:
            out = length > 0 ? (length + strides - 1) / strides : 0
            left = max((out - 1) * strides + poolSize - length, 0) / 2
        }
        guard out >= 1 else {
            throw EngineError.incompatibleLayer(
                layer: layer, inputShape: [length, channels],
                reason: "\(className): a sequence of \(length) steps is too short for pool_size \(poolSize) with padding '\(padding.rawValue)' (the output would have no steps)")
        }
        return (out, left)
    }

    /// The input steps of output step `t`: [lo, hi), clipped to the sequence.
    @inline(__always)
    static func window(_ t: Int, strides: Int, padLeft: Int, poolSize: Int, length: Int) -> Range<Int> {
        let start = t * strides - padLeft
        return max(start, 0)..<min(start + poolSize, length)
    }
}

/// What MaxPooling1D and AveragePooling1D share: their settings, the geometry of the last
/// forward, its output and the input-gradient buffer, and the checks at the start of forward
/// and backward.
public class Pooling1DCore {
    public let name: String
    public let poolSize: Int
    public let strides: Int
    public let padding: Pooling1D.Padding
    /// Keras's class name, for errors.
    let kind: String

    var batch = 0, length = 0, channels = 0, outLength = 0, padLeft = 0
    var y = Tensor.empty       // [B, Lout, C]
    var dx = Tensor.empty      // [B, L, C]

    /// `strides` nil means `poolSize`, as Keras.
    init(kind: String, name: String, poolSize: Int, strides: Int?, padding: Pooling1D.Padding) {
        self.kind = kind
        self.name = name
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
    }

    public var parameters: [Parameter] { [] }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try Pooling1D.outputShape(name, kind, poolSize: poolSize, strides: strides, padding: padding, s)
    }

    /// Checks `input` is [B, L, C] with a non-empty output, records the geometry (batch,
    /// length, channels, outLength, padLeft) and sizes y [B, Lout, C].
    func beginForward(_ input: Tensor) throws {
        guard input.rank == 3 else { throw EngineError.shapeMismatch(layer: name, expected: [-1, -1, -1], got: input.shape) }
        let B = input.shape[0], L = input.shape[1], C = input.shape[2]
        let (lout, left) = try Pooling1D.geometry(name, kind, poolSize: poolSize, strides: strides,
                                                  padding: padding, length: L, channels: C)
        batch = B; length = L; channels = C; outLength = lout; padLeft = left
        y.reshape(B, lout, C)
    }

    /// Checks dy against the last output and sets dx [B, L, C] to zeros (the windows add to it).
    func beginBackward(_ dy: Tensor) {
        precondition(dy.shape == y.shape, "\(name): backward got dL/dy of shape \(dy.shape) for an output of shape \(y.shape)")
        dx.reshape(batch, length, channels)
        dx.fill(0)
    }
}
