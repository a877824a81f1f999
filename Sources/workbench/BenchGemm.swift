import Engine
import Foundation

/// One sgemm as the engine calls it: C[m, n] = op(A)[m, k] · op(B)[k, n], row-major.
struct GemmShape: Codable, Hashable, Comparable {
    var transA: Bool
    var transB: Bool
    var m: Int
    var n: Int
    var k: Int

    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }

    /// "[32×64]·[64×256]", with ᵀ on a transposed operand ("[64×3200]ᵀ…" means A is stored
    /// [3200, 64] and used transposed).
    var label: String {
        let a = transA ? "[\(k)×\(m)]ᵀ" : "[\(m)×\(k)]"
        let b = transB ? "[\(n)×\(k)]ᵀ" : "[\(k)×\(n)]"
        return "\(a)·\(b)"
    }

    static func < (l: GemmShape, r: GemmShape) -> Bool {
        (l.flops, l.m, l.n, l.k, l.transA ? 1 : 0, l.transB ? 1 : 0)
            < (r.flops, r.m, r.n, r.k, r.transA ? 1 : 0, r.transB ? 1 : 0)
    }
}

/// A matrix product a training step makes, how often, and what for.
struct GemmCall: Codable {
    var layer: String
    var role: String
    var shape: GemmShape
    var label: String
    var callsPerStep: Int
    var flopsPerStep: Double

    init(layer: String, role: String, shape: GemmShape, calls: Int) {
        self.layer = layer; self.role = role; self.shape = shape; label = shape.label
        callsPerStep = calls; flopsPerStep = shape.flops * Double(calls)
    }
}

/// The sgemm calls of one training step (forward, then backward), counted from the layer
/// kinds and shapes exactly as the engine's layers make them.
enum GemmWorkload {
    static func trainingStep(_ model: Sequential, batch B: Int) -> (calls: [GemmCall], uncounted: [String]) {
        var calls: [GemmCall] = []
        var uncounted: [String] = []
        for (i, spec) in model.spec.layers.enumerated() {
            let name = model.layers[i].name
            let inShape = i == 0 ? [model.spec.inputLength] : model.outputShapes[i - 1]
            let outShape = model.outputShapes[i]
            func add(_ role: String, _ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, _ count: Int = 1) {
                guard count > 0, m > 0, n > 0, k > 0 else { return }
                calls.append(GemmCall(layer: name, role: role, shape: GemmShape(transA: tA, transB: tB, m: m, n: n, k: k), calls: count))
            }
            // A recurrent layer's calls; Bidirectional makes them once per direction.
            func recurrent(_ rnn: LayerSpec, _ direction: String) -> Bool {
                let units: Int, gates: Int
                switch rnn {
                case let .lstm(u, _): units = u; gates = 4 * u
                case let .gru(u, _): units = u; gates = 3 * u
                case let .simpleRNN(u, _): units = u; gates = u
                default: return false
                }
                guard inShape.count == 2 else { return false }
                let T = inShape[0], D = inShape[1], U = units, G = gates, rows = T * B
                add("\(direction)input projection X·W", false, false, rows, G, D)
                add("\(direction)recurrent h·U (per step)", false, false, B, G, U, T - 1)
                add("\(direction)backward dh = dZ·Uᵀ (per step)", false, true, B, U, G, T - 1)
                add("\(direction)backward dU = Hᵀ·dZ", true, false, U, G, rows)
                add("\(direction)backward dW = Xᵀ·dZ", true, false, D, G, rows)
                add("\(direction)backward dX = dZ·Wᵀ", false, true, rows, D, G)
                return true
            }
            switch spec {
            case .embedding, .globalMaxPooling1D, .globalAveragePooling1D, .dropout, .layerNormalization, .positionEmbedding,
                 .maxPooling1D, .averagePooling1D, .flatten, .spatialDropout1D:
                break   // gathers, reductions, copies and element-wise work: no sgemm
            case .lstm, .gru, .simpleRNN:
                if !recurrent(spec, "") { uncounted.append(name) }
            case let .bidirectional(inner, _):
                if !recurrent(inner, "forward ") || !recurrent(inner, "backward ") { uncounted.append(name) }
            case let .conv1D(filters, kernelSize, _, _, _, _):
                guard inShape.count == 2, outShape.count == 2 else { uncounted.append(name); continue }
                let rows = B * outShape[0], kc = kernelSize * inShape[1]
                add("im2col forward cols·W", false, false, rows, filters, kc)
                add("backward dW = colsᵀ·dZ", true, false, kc, filters, rows)
                add("backward dcols = dZ·Wᵀ", false, true, rows, kc, filters)
            case let .dense(units, _, _):
                guard let k = inShape.last else { uncounted.append(name); continue }
                let rows = B * inShape.dropLast().reduce(1, *)
                add("forward X·W", false, false, rows, units, k)
                add("backward dW = Xᵀ·dZ", true, false, k, units, rows)
                add("backward dX = dZ·Wᵀ", false, true, rows, k, units)
            case .multiHeadAttention, .transformerEncoder:
                uncounted.append(name)
            }
        }
        return (calls, uncounted)
    }
}

/// One measured sgemm shape.
struct SgemmFigure: Codable {
    var label: String
    var shape: GemmShape
    /// Median over timed blocks, and the best block.
    var gflops: Double
    var gflopsBest: Double
    var microsecondsPerCall: Double
    /// Largest |C − C_ref| ÷ Σ|a·b| over sampled rows, C_ref in Double: a kernel check.
    var maxRelativeError: Double
}

/// Times sgemm through the engine's own `BLAS.gemm` (same threads as training).
enum SgemmBench {
    static let peakShape = GemmShape(transA: false, transB: false, m: 1024, n: 1024, k: 1024)

    /// Repeats the call in blocks of at least `blockSeconds`; `blocks` blocks.
    static func measure(_ s: GemmShape, blocks: Int = 7, blockSeconds: Double = 0.03) -> SgemmFigure {
        var rng = SeededGenerator(seed: 7)
        func randoms(_ n: Int) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 } }
        let a = randoms(s.m * s.k), b = randoms(s.k * s.n)
        var c = [Float](repeating: 0, count: s.m * s.n)
        let lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n
        func call() {
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                BLAS.gemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k,
                          a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb, c: cp.baseAddress!, ldc: s.n)
            } } }
        }
        call()
        // Kernel check on up to 8 rows spread over C.
        var maxErr = 0.0
        let rowStep = max(1, s.m / 8)
        for i in stride(from: 0, to: s.m, by: rowStep) {
            for j in 0..<s.n {
                var ref = 0.0, scale = 0.0
                for p in 0..<s.k {
                    let av = Double(s.transA ? a[p * lda + i] : a[i * lda + p])
                    let bv = Double(s.transB ? b[j * ldb + p] : b[p * ldb + j])
                    ref += av * bv
                    scale += abs(av * bv)
                }
                maxErr = max(maxErr, abs(Double(c[i * s.n + j]) - ref) / max(scale, 1e-30))
            }
        }
        // Calibrate the repetitions per block.
        var reps = 1
        while true {
            let t = time { for _ in 0..<reps { call() } }
            if t >= blockSeconds || reps >= 1 << 24 { break }
            reps = t <= 0 ? reps * 16 : max(reps * 2, Int(Double(reps) * blockSeconds / t * 1.2))
        }
        var rates: [Double] = []
        var perCall: [Double] = []
        for _ in 0..<blocks {
            let t = time { for _ in 0..<reps { call() } }
            rates.append(s.flops * Double(reps) / max(t, 1e-12) / 1e9)
            perCall.append(t / Double(reps) * 1e6)
        }
        return SgemmFigure(label: s.label, shape: s, gflops: Stats.median(rates), gflopsBest: rates.max() ?? 0,
                           microsecondsPerCall: Stats.median(perCall), maxRelativeError: maxErr)
    }

    /// The 1024³ peak and every shape in `shapes`, at the current BLAS thread count.
    static func report(shapes: [GemmShape], progress: (String) -> Void) -> SgemmReport {
        let peak = measure(peakShape)
        progress(String(format: "sgemm %@: %.1f GFLOP/s", peakShape.label, peak.gflops))
        var figures = [peak]
        for s in Set(shapes).sorted() where s != peakShape {
            let f = measure(s)
            progress(String(format: "sgemm %@: %.1f GFLOP/s", s.label, f.gflops))
            figures.append(f)
        }
        return SgemmReport(threads: BLAS.threads, openblasCore: BLAS.coreName, peakGflops: peak.gflops,
                           peakShape: peakShape.label, shapes: figures)
    }

    /// Fills in a model's fraction of the sgemm peak and the sgemm share of its step.
    static func annotate(_ g: inout GemmStepFigures, stepSeconds: Double, with report: SgemmReport) {
        guard report.peakGflops > 0, stepSeconds > 0 else { return }
        g.fractionOfSgemmPeak = BenchModelRun.round(g.achievedGflops / report.peakGflops, 4)
        var seconds = 0.0
        for c in g.calls {
            guard let f = report.shapes.first(where: { $0.shape == c.shape }) else { return }
            seconds += Double(c.callsPerStep) * f.microsecondsPerCall / 1e6
        }
        g.sgemmTimeShare = BenchModelRun.round(seconds / stepSeconds, 4)
    }

    static func time(_ body: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }
}

/// Medians and percentiles of measured samples.
enum Stats {
    static func median(_ v: [Double]) -> Double {
        guard !v.isEmpty else { return 0 }
        let s = v.sorted(), n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    /// Nearest-rank percentile (p in 0…100).
    static func percentile(_ v: [Double], _ p: Double) -> Double {
        guard !v.isEmpty else { return 0 }
        let s = v.sorted()
        let rank = Int((p / 100 * Double(s.count)).rounded(.up))
        return s[min(max(rank, 1), s.count) - 1]
    }
}
