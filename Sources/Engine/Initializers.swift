import Foundation

/// Keras's default weight initialisers, drawn from a seeded generator.
public enum Initializer {
    /// Keras's fan computation: the last two axes are (in, out); earlier axes form the
    /// receptive field (kernel size for Conv1D).
    static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        case 2: return (shape[0], shape[1])
        default:
            let receptive = shape.dropLast(2).reduce(1, *)
            return (shape[shape.count - 2] * receptive, shape[shape.count - 1] * receptive)
        }
    }

    /// Glorot (Xavier) uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)). Keras's kernel default.
    public static func glorotUniform(_ shape: [Int], rng: inout SeededGenerator) -> Tensor {
        let (fi, fo) = fans(shape)
        let limit = Float((6.0 / Double(fi + fo)).squareRoot())
        return uniform(shape, -limit, limit, rng: &rng)
    }

    /// U(lo, hi). Embedding's default is U(-0.05, 0.05).
    public static func uniform(_ shape: [Int], _ lo: Float, _ hi: Float, rng: inout SeededGenerator) -> Tensor {
        var t = Tensor(shape: shape)
        t.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = rng.uniform(lo, hi) }
        }
        return t
    }

    /// Orthogonal: the Q of a QR decomposition of a standard-normal matrix, signs fixed by
    /// R's diagonal, as Keras does for recurrent kernels. Shape [rows, cols] (leading axes
    /// flattened into rows).
    public static func orthogonal(_ shape: [Int], gain: Float = 1, rng: inout SeededGenerator) -> Tensor {
        let cols = shape.last ?? 1
        let rows = shape.dropLast().reduce(1, *)
        // Work on the tall orientation: n vectors of length m, m >= n.
        let (m, n) = rows >= cols ? (rows, cols) : (cols, rows)
        var a = [[Double]](repeating: [Double](repeating: 0, count: m), count: n) // n columns
        for j in 0..<n { for i in 0..<m { a[j][i] = rng.normal() } }
        // Modified Gram–Schmidt in Double; r_jj > 0 by construction, which is the sign fix.
        for j in 0..<n {
            for k in 0..<j {
                var dot = 0.0
                for i in 0..<m { dot += a[k][i] * a[j][i] }
                for i in 0..<m { a[j][i] -= dot * a[k][i] }
            }
            var norm = 0.0
            for i in 0..<m { norm += a[j][i] * a[j][i] }
            norm = norm.squareRoot()
            for i in 0..<m { a[j][i] /= max(norm, 1e-30) }
        }
        var t = Tensor(shape: shape)
        t.withUnsafeMutableBufferPointer { p in
            for r in 0..<rows {
                for c in 0..<cols {
                    // Tall: column c holds vector c. Wide: row r holds vector r.
                    let v = rows >= cols ? a[c][r] : a[r][c]
                    p[r * cols + c] = gain * Float(v)
                }
            }
        }
        return t
    }
}
