import COpenBLAS
import Foundation

// Choosing OpenBLAS's kernel at start-up.
//
// Why: OpenBLAS built with DYNAMIC_ARCH picks a kernel family from CPUID when it loads. An
// OpenBLAS older than the CPU (Debian 12's 0.3.21 on a 2023 Xeon) does not know the model and
// falls back to a generic SSE kernel (Prescott), 5–8× slower on every GEMM-bound model. It
// reads OPENBLAS_CORETYPE only while loading, so the only sound fix is to set the variable and
// execute the program again, once, before any BLAS work. A user's own OPENBLAS_CORETYPE is
// always respected. After the choice, a self-check compares a few sgemm products with a
// double-precision reference: a kernel that computes wrong numbers (older builds do on some
// CPUs) is replaced by a safer one, and the user is told once.
//
// Everything here is a pure function of its inputs (the environment, OpenBLAS's kernel name,
// the CPU's flags) so the choice table and the loop guard are unit-tested; the executable
// applies the decision (`BLASKernelStartup`).

/// The CPU's instruction-set flags and vendor, as Linux's /proc/cpuinfo lists them (the kernel
/// clears flags the OS does not enable, e.g. AVX-512 without its XSAVE state).
public struct CPUFeatures: Sendable, Equatable {
    public var vendor: String
    public var flags: Set<String>
    /// The `model name` line, e.g. "AMD EPYC" ("unknown" when absent).
    public var model: String

    public init(vendor: String, flags: Set<String>, model: String = "unknown") {
        self.vendor = vendor
        self.flags = flags
        self.model = model
    }

    /// The first processor's `vendor_id`, `model name` and `flags` lines.
    public static func parse(procCPUInfo text: String) -> CPUFeatures {
        var vendor = "", model = "", flags: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...]
            if key == "vendor_id", vendor.isEmpty { vendor = value.trimmingCharacters(in: .whitespaces) }
            if key == "model name", model.isEmpty { model = value.trimmingCharacters(in: .whitespaces) }
            if key == "flags", flags.isEmpty { flags = Set(value.split(separator: " ").map(String.init)) }
            if !vendor.isEmpty && !model.isEmpty && !flags.isEmpty { break }
        }
        return CPUFeatures(vendor: vendor, flags: flags, model: model.isEmpty ? "unknown" : model)
    }

    /// This machine's features (empty where /proc/cpuinfo does not exist), read once.
    public static let current: CPUFeatures = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return CPUFeatures(vendor: "", flags: [])
        }
        return parse(procCPUInfo: text)
    }()

    public var hasAVX: Bool { flags.contains("avx") }
    public var hasAVX2FMA: Bool { flags.contains("avx2") && flags.contains("fma") }
    /// The AVX-512 subsets OpenBLAS's SkylakeX kernels use.
    public var hasAVX512: Bool {
        hasAVX2FMA && ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(flags.contains)
    }
    public var hasAVX512BF16: Bool { hasAVX512 && flags.contains("avx512_bf16") }
    public var hasAMX: Bool { hasAVX512BF16 && flags.contains("amx_bf16") && flags.contains("amx_tile") && flags.contains("avx512_fp16") }
    public var isAMD: Bool { vendor == "AuthenticAMD" || vendor == "HygonGenuine" }
}

/// OpenBLAS's x86-64 kernel families and what each needs of the CPU.
public enum BLASKernelTable {
    /// The instruction level a kernel family is written for, lowest first.
    public enum Level: Int, Comparable, Sendable {
        case sse = 0, avx, avx2, avx512, avx512bf16, amx
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    /// Kernel names as `openblas_get_corename` spells them, lower-cased.
    static let levels: [String: Level] = [
        "katmai": .sse, "coppermine": .sse, "northwood": .sse, "prescott": .sse, "banias": .sse,
        "core2": .sse, "penryn": .sse, "dunnington": .sse, "nehalem": .sse, "atom": .sse, "nano": .sse,
        "athlon": .sse, "opteron": .sse, "opteron_sse3": .sse, "barcelona": .sse, "bobcat": .sse,
        "sandybridge": .avx, "bulldozer": .avx, "piledriver": .avx, "steamroller": .avx, "excavator": .avx,
        "haswell": .avx2, "zen": .avx2,
        "skylakex": .avx512, "cooperlake": .avx512bf16, "sapphirerapids": .amx,
    ]

    public static func level(of kernel: String) -> Level? { levels[kernel.lowercased()] }

    /// The generic kernels OpenBLAS falls back to for a CPU it does not know (and "Unknown"):
    /// Intel's pre-AVX2 families. AMD's own families (Bulldozer…Excavator) are deliberate
    /// choices for those CPUs, never replaced.
    static let fallbacks: Set<String> = [
        "katmai", "coppermine", "northwood", "prescott", "banias", "core2", "penryn", "dunnington",
        "nehalem", "atom", "nano", "sandybridge", "unknown", "",
    ]

    public static func isGenericFallback(_ kernel: String) -> Bool { fallbacks.contains(kernel.lowercased()) }

    /// Kernels that can run on `cpu`, best first: the ones worth trying when OpenBLAS fell back.
    /// Names a given OpenBLAS build lacks are tried and skipped (it then keeps its own choice).
    public static func candidates(for cpu: CPUFeatures) -> [String] {
        var list: [String] = []
        if cpu.hasAMX { list.append("SapphireRapids") }
        if cpu.hasAVX512BF16 { list.append("Cooperlake") }
        if cpu.hasAVX512 { list.append("SkylakeX") }
        if cpu.hasAVX2FMA { list += cpu.isAMD ? ["Zen", "Haswell"] : ["Haswell"] }
        return list
    }

    /// Kernels below `kernel`'s level that `cpu` can run, best first, ending with the plain SSE3
    /// kernel every x86-64 CPU runs: where to go when a kernel fails the self-check.
    public static func saferKernels(than kernel: String, for cpu: CPUFeatures) -> [String] {
        let ceiling = level(of: kernel) ?? .amx
        var list = candidates(for: cpu).filter { (level(of: $0) ?? .amx) < ceiling }
        if cpu.hasAVX, ceiling > .avx { list.append("Sandybridge") }
        if ceiling > .sse || kernel.lowercased() != "prescott" { list.append("Prescott") }
        return list.filter { $0.lowercased() != kernel.lowercased() }
    }
}

/// How the kernel in use came to be chosen.
public enum BLASKernelSource: Sendable, Equatable {
    /// OpenBLAS's own choice.
    case detected
    /// The user's OPENBLAS_CORETYPE.
    case user
    /// Workbench chose it because OpenBLAS fell back to `detected`.
    case automatic(detected: String)
    /// `failed` computed wrong numbers in the self-check; this one replaced it.
    case fallback(failed: String)
    /// OpenBLAS fell back to `detected` and no better kernel of this build runs here.
    case noBetterKernel(detected: String)

    public var summary: String {
        switch self {
        case .detected: return "detected by OpenBLAS"
        case .user: return "set by OPENBLAS_CORETYPE"
        case .automatic(let d): return "chosen by workbench; OpenBLAS had fallen back to \(d)"
        case .fallback(let f): return "chosen by workbench after \(f) failed the self-check"
        case .noBetterKernel(let d): return "OpenBLAS fell back to \(d); no better kernel of this build runs here"
        }
    }

    /// Short name for JSON: detected, user, automatic, fallback, no-better-kernel.
    public var tag: String {
        switch self {
        case .detected: return "detected"
        case .user: return "user"
        case .automatic: return "automatic"
        case .fallback: return "fallback"
        case .noBetterKernel: return "no-better-kernel"
        }
    }
}

/// What the process carries across its own re-executions, in `WORKBENCH_BLAS_AUTO`:
/// the kernel OpenBLAS detected first, the kernels tried (in order), and the kernel that failed
/// the self-check, if one did. Child processes inherit it, so they keep the same kernel and
/// report how it was chosen.
public struct BLASKernelState: Sendable, Equatable {
    public var detected: String
    public var tried: [String]
    public var failed: String?

    public init(detected: String, tried: [String], failed: String? = nil) {
        self.detected = detected
        self.tried = tried
        self.failed = failed
    }

    public var encoded: String {
        var parts = ["detected=\(detected)", "tried=\(tried.joined(separator: ","))"]
        if let failed { parts.append("failed=\(failed)") }
        return parts.joined(separator: ";")
    }

    /// nil for anything that is not a state this code wrote (it is then ignored).
    public init?(encoded: String) {
        var fields: [String: String] = [:]
        for part in encoded.split(separator: ";") {
            guard let eq = part.firstIndex(of: "=") else { return nil }
            fields[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        guard let detected = fields["detected"], let tried = fields["tried"] else { return nil }
        self.detected = detected
        self.tried = tried.split(separator: ",").map(String.init)
        self.failed = fields["failed"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

public enum BLASKernelDecision: Sendable, Equatable {
    /// Run with the kernel OpenBLAS loaded.
    case keep(BLASKernelSource)
    /// Set OPENBLAS_CORETYPE to `kernel` and WORKBENCH_BLAS_AUTO to `state`, then execute again.
    case reexecute(kernel: String, state: BLASKernelState)
}

public enum BLASKernelSelection {
    public static let stateVariable = "WORKBENCH_BLAS_AUTO"
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"
    /// At most this many re-executions, whatever the state says: the loop guard's backstop.
    public static let maximumAttempts = 4

    /// `WORKBENCH_BLAS_AUTO=off` turns the automatic choice off.
    public static let offValue = "off"
    /// `WORKBENCH_BLAS_AUTO=simulate-fallback` with `OPENBLAS_CORETYPE=Prescott` (say) acts as
    /// if OpenBLAS itself had fallen back to Prescott: how the choice is shown and measured on a
    /// machine whose OpenBLAS knows its CPU (the benchmark's out-of-the-box row, the CLI test).
    public static let simulateFallbackValue = "simulate-fallback"

    /// The decision at start-up, before any BLAS work.
    public static func decide(environment env: [String: String], coreName: String, cpu: CPUFeatures) -> BLASKernelDecision {
        let raw = env[stateVariable] ?? ""
        let requested = raw == simulateFallbackValue ? "" : env[coreTypeVariable] ?? ""
        if raw == offValue { return .keep(requested.isEmpty ? .detected : .user) }
        if let state = BLASKernelState(encoded: raw), !state.tried.isEmpty {
            // A process we executed (or a child of one): did OpenBLAS take the kernel we asked for?
            if requested.lowercased() == coreName.lowercased() {
                return .keep(state.failed.map { .fallback(failed: $0) } ?? .automatic(detected: state.detected))
            }
            let pool = state.failed.map { BLASKernelTable.saferKernels(than: $0, for: cpu) } ?? BLASKernelTable.candidates(for: cpu)
            return next(from: pool, state: state)
                ?? .keep(state.failed.map { .fallback(failed: $0) } ?? .noBetterKernel(detected: state.detected))
        }
        if !requested.isEmpty { return .keep(.user) }
        guard BLASKernelTable.isGenericFallback(coreName), cpu.hasAVX2FMA else { return .keep(.detected) }
        let fresh = BLASKernelState(detected: coreName, tried: [])
        return next(from: BLASKernelTable.candidates(for: cpu), state: fresh) ?? .keep(.noBetterKernel(detected: coreName))
    }

    /// The decision after the self-check found `coreName` computing wrong numbers. A user's own
    /// kernel is kept (the caller warns); otherwise the next safer kernel is tried.
    public static func afterFailedSelfCheck(environment env: [String: String], coreName: String, cpu: CPUFeatures) -> BLASKernelDecision {
        let raw = env[stateVariable] ?? ""
        let previous = BLASKernelState(encoded: raw)
        if raw == offValue || (previous == nil && raw != simulateFallbackValue && !(env[coreTypeVariable] ?? "").isEmpty) { return .keep(.user) }
        var state = previous ?? BLASKernelState(detected: coreName, tried: [])
        state.failed = coreName
        if !state.tried.contains(where: { $0.lowercased() == coreName.lowercased() }) { state.tried.append(coreName) }
        return next(from: BLASKernelTable.saferKernels(than: coreName, for: cpu), state: state) ?? .keep(.fallback(failed: coreName))
    }

    /// The first kernel of `pool` not tried yet, within the attempt limit.
    private static func next(from pool: [String], state: BLASKernelState) -> BLASKernelDecision? {
        guard state.tried.count < maximumAttempts else { return nil }
        let tried = Set(state.tried.map { $0.lowercased() })
        guard let kernel = pool.first(where: { !tried.contains($0.lowercased()) }) else { return nil }
        var nextState = state
        nextState.tried.append(kernel)
        return .reexecute(kernel: kernel, state: nextState)
    }
}

/// A few sgemm products (and the one-row sgemv path) against a double-precision reference.
public enum BLASSelfCheck {
    /// Largest error allowed, relative to Σ|a·b| of the element: float32 rounding over these
    /// depths stays below ~1e-6; a wrong kernel is off by order one.
    public static let tolerance = 1e-4

    public struct Result: Sendable, Equatable {
        public var maxRelativeError: Double
        public var passed: Bool { maxRelativeError.isFinite && maxRelativeError <= BLASSelfCheck.tolerance }
    }

    /// (transA, transB, m, n, k): square, odd and transposed shapes, and one row.
    static let shapes: [(Bool, Bool, Int, Int, Int)] = [
        (false, false, 64, 64, 64), (false, true, 33, 17, 65), (true, false, 31, 129, 7),
        (true, true, 16, 48, 100), (false, false, 1, 96, 70), (false, true, 1, 40, 33),
    ]

    /// The product under test: `BLAS.gemm`'s signature (transA, transB, m, n, k, a, lda, b, ldb, c, ldc).
    public typealias Gemm = (Bool, Bool, Int, Int, Int, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                             UnsafeMutablePointer<Float>, Int) -> Void

    /// Runs in about a millisecond on one thread. `gemm` is the engine's own unless a test
    /// hands in a wrong one to prove the check catches it.
    public static func run(gemm: Gemm? = nil) -> Result {
        _ = BLAS.configureOnce
        let product: Gemm = gemm ?? { ta, tb, m, n, k, a, lda, b, ldb, c, ldc in
            BLAS.gemm(transA: ta, transB: tb, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
        }
        var rng = SeededGenerator(seed: 0x5e1f_c4ec)
        var worst = 0.0
        for (ta, tb, m, n, k) in shapes {
            let a = (0..<(m * k)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 997 }
            let b = (0..<(k * n)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 991 }
            var c = [Float](repeating: .nan, count: m * n)
            let lda = ta ? m : k, ldb = tb ? k : n
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        product(ta, tb, m, n, k, ap.baseAddress!, lda, bp.baseAddress!, ldb, cp.baseAddress!, n)
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    var reference = 0.0, scale = 0.0
                    for p in 0..<k {
                        let x = Double(ta ? a[p * lda + i] : a[i * lda + p]) * Double(tb ? b[j * ldb + p] : b[p * ldb + j])
                        reference += x
                        scale += abs(x)
                    }
                    let error = abs(Double(c[i * n + j]) - reference) / max(scale, 1e-30)
                    // NaN (an element never written) counts as the worst error there is.
                    worst = error.isNaN ? .infinity : max(worst, error)
                }
            }
        }
        return Result(maxRelativeError: worst)
    }
}

/// The kernel this process runs and how it was chosen, for `--version` and `bench --json`.
public struct BLASKernelReport: Sendable, Equatable {
    public var kernel: String
    public var source: BLASKernelSource
    public var selfCheck: BLASSelfCheck.Result
    public var openblasConfiguration: String

    /// Computed once: the decision is a pure function of the environment the process started
    /// with, and the self-check runs once.
    public static let current: BLASKernelReport = {
        let env = ProcessInfo.processInfo.environment
        let decision = BLASKernelSelection.decide(environment: env, coreName: BLAS.coreName, cpu: .current)
        let source: BLASKernelSource
        switch decision {
        case .keep(let s): source = s
        // Only a process that skipped the start-up choice (a test runner) gets here.
        case .reexecute: source = .detected
        }
        return BLASKernelReport(kernel: BLAS.coreName, source: source, selfCheck: BLASSelfCheck.run(),
                                openblasConfiguration: BLAS.configuration)
    }()

    public var summary: String {
        let check = selfCheck.passed ? "passed" : "FAILED"
        return "OpenBLAS kernel \(kernel) (\(source.summary)); self-check \(check), max error "
            + String(format: "%.1e", selfCheck.maxRelativeError)
    }
}
