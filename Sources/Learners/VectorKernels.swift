/// Element-wise float loops over raw pointers, eight lanes at a time, for fastText's
/// dim-sized rows. The compiler does not vectorise the plain loops (it cannot prove the rows
/// apart), and these run once per input row per example. Every element gets exactly the
/// operation of the scalar loop (`y[d] += x[d]`, `y[d] += a * x[d]`: no fused multiply-add,
/// no reordering), so the results are bit-identical to it.
enum VectorKernels {
    /// `y[d] += x[d]` for `d` in `0..<n`.
    @inline(__always)
    static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
        var d = 0
        while d + 8 <= n {
            let s = load(x + d) + load(y + d)
            UnsafeMutableRawPointer(y + d).storeBytes(of: s, as: SIMD8<Float>.self)
            d += 8
        }
        while d < n {
            y[d] += x[d]
            d += 1
        }
    }

    /// `y[d] += a * x[d]` for `d` in `0..<n`.
    @inline(__always)
    static func addScaled(_ a: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
        let va = SIMD8<Float>(repeating: a)
        var d = 0
        while d + 8 <= n {
            let s = load(y + d) + va * load(x + d)
            UnsafeMutableRawPointer(y + d).storeBytes(of: s, as: SIMD8<Float>.self)
            d += 8
        }
        while d < n {
            y[d] += a * x[d]
            d += 1
        }
    }

    /// `y[d] *= a` for `d` in `0..<n`.
    @inline(__always)
    static func scale(_ y: UnsafeMutablePointer<Float>, by a: Float, count n: Int) {
        let va = SIMD8<Float>(repeating: a)
        var d = 0
        while d + 8 <= n {
            UnsafeMutableRawPointer(y + d).storeBytes(of: load(y + d) * va, as: SIMD8<Float>.self)
            d += 8
        }
        while d < n {
            y[d] *= a
            d += 1
        }
    }

    /// `Σ x[d]·y[d]`, summed in index order as the scalar loop does (a dot product's order
    /// changes its rounding, so this one stays scalar).
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Float {
        var s: Float = 0
        for d in 0..<n { s += x[d] * y[d] }
        return s
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    private static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
}
