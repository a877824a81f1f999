import Testing
@testable import Engine

@Suite struct BLASTests {
    /// The single-row fast path (sgemv) must agree with a plain triple loop for every
    /// transpose combination, with beta 0 and 1.
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func gemmMatchesNaiveLoop(_ trans: (Bool, Bool)) {
        let (ta, tb) = trans
        var rng = SeededGenerator(seed: 5)
        for m in [1, 3] {
            let n = 7, k = 5
            let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }   // op(A) [m, k]
            let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }   // op(B) [k, n]
            let c0 = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
            // Stored layouts: A is [m, k] or [k, m]; B is [k, n] or [n, k].
            func A(_ i: Int, _ p: Int) -> Float { ta ? a[p * m + i] : a[i * k + p] }
            func B(_ p: Int, _ j: Int) -> Float { tb ? b[j * k + p] : b[p * n + j] }
            for beta: Float in [0, 1] {
                var c = c0
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    BLAS.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5,
                              a: ap.baseAddress!, lda: ta ? m : k, b: bp.baseAddress!, ldb: tb ? k : n,
                              beta: beta, c: cp.baseAddress!, ldc: n)
                } } }
                for i in 0..<m {
                    for j in 0..<n {
                        var s: Float = 0
                        for p in 0..<k { s += A(i, p) * B(p, j) }
                        let want = 0.5 * s + beta * c0[i * n + j]
                        #expect(abs(c[i * n + j] - want) < 1e-5, "m=\(m) transA=\(ta) transB=\(tb) beta=\(beta) at (\(i),\(j))")
                    }
                }
            }
        }
    }
}
