import Foundation

/// The activations Dense and Conv1D support, with Keras's names.
public enum Activation: String, Codable, Sendable, CaseIterable {
    case linear, relu, sigmoid, tanh, softmax

    /// Parses a Keras activation name, naming the layer when it is unknown.
    public static func named(_ name: String, layer: String) throws -> Activation {
        guard let a = Activation(rawValue: name) else {
            throw EngineError.unknownActivation(layer: layer, name: name)
        }
        return a
    }

    /// Applies the activation in place to `rows` rows of `cols` values (softmax is per row).
    public func apply(_ p: UnsafeMutableBufferPointer<Float>, rows: Int, cols: Int) {
        let n = rows * cols
        switch self {
        case .linear: return
        case .relu: for i in 0..<n { p[i] = max(p[i], 0) }   // branch-free: vectorises
        case .sigmoid: sigmoidInPlace(p.baseAddress!, n)
        case .tanh: tanhInPlace(p.baseAddress!, n)
        case .softmax:
            for r in 0..<rows {
                let row = UnsafeMutableBufferPointer(rebasing: p[r * cols ..< (r + 1) * cols])
                softmaxInPlace(row)
            }
        }
    }

    /// Turns dL/dy into dL/dz in place, from the activation's output y (every supported
    /// activation's derivative is a function of its output).
    public func backward(output y: UnsafeBufferPointer<Float>, grad g: UnsafeMutableBufferPointer<Float>,
                         rows: Int, cols: Int) {
        let n = rows * cols
        switch self {
        case .linear: return
        case .relu:
            // A multiply by a 0/1 select rather than a conditional store, so it vectorises.
            for i in 0..<n { g[i] *= y[i] > 0 ? 1 : 0 }
        case .sigmoid: for i in 0..<n { g[i] *= y[i] * (1 - y[i]) }
        case .tanh: for i in 0..<n { g[i] *= 1 - y[i] * y[i] }
        case .softmax:
            for r in 0..<rows {
                var dot: Float = 0
                for c in 0..<cols { dot += g[r * cols + c] * y[r * cols + c] }
                for c in 0..<cols { let i = r * cols + c; g[i] = y[i] * (g[i] - dot) }
            }
        }
    }
}

/// The exact logistic function, stable for large |x|.
@inlinable
public func logistic(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x)
    return e / (1 + e)
}

/// Numerically stable softmax of one row, in place.
@inlinable
public func softmaxInPlace(_ row: UnsafeMutableBufferPointer<Float>) {
    var m = -Float.infinity
    for v in row where v > m { m = v }
    var s: Float = 0
    for i in row.indices { let e = Foundation.exp(row[i] - m); row[i] = e; s += e }
    let inv = 1 / s
    for i in row.indices { row[i] *= inv }
}
