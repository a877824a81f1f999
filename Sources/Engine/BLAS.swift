import COpenBLAS
import Foundation

/// Thin, typed wrappers over the CBLAS calls the engine uses. Row-major throughout.
public enum BLAS {
    /// C = alpha · op(A) · op(B) + beta · C, with op(A) of shape [m, k] and op(B) [k, n].
    /// Leading dimensions are the row strides of the matrices as stored.
    @inlinable
    public static func gemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if m == 1 && !transA {
            // A single row (one text at a time, prediction): sgemv skips sgemm's packing,
            // several times faster at these sizes. c[0, :] = alpha · op(B)ᵀ · a[0, :] + beta · c.
            cblas_sgemv(CblasRowMajor, transB ? CblasNoTrans : CblasTrans,
                        Int32(transB ? n : k), Int32(transB ? k : n), alpha, b, Int32(ldb),
                        a, 1, beta, c, 1)
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans,
                    transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Sets the number of OpenBLAS threads. The app uses one: two-thread sgemm collapses when
    /// another process takes a core, and exiting during a two-thread call can hang.
    public static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(n))
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell
    /// MAX_THREADS=64" (the kernel family it runs is part of it).
    public static var configuration: String {
        guard let p = openblas_get_config() else { return "unknown" }
        return String(cString: p).trimmingCharacters(in: .whitespaces)
    }

    /// The kernel family OpenBLAS runs on this CPU (auto-detected, or forced by
    /// OPENBLAS_CORETYPE), e.g. "Haswell", "Cooperlake".
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p).trimmingCharacters(in: .whitespaces)
    }

    /// One BLAS thread unless OPENBLAS_NUM_THREADS says otherwise; called when a model is
    /// built. (Debian's OpenBLAS otherwise starts one thread per core.)
    static let configureOnce: Void = {
        if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil { openblas_set_num_threads(1) }
    }()
}
