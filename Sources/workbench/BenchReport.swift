import Engine
import Foundation

/// What `workbench bench --json` prints: one object with the settings, the machine, one entry
/// per model and the sgemm figures. Keys are snake_case (`train_samples_per_second`, …).
struct BenchReport: Codable {
    var tool = "workbench bench"
    var date: String
    var settings: BenchSettings
    var machine: MachineInfo
    var models: [BenchModelResult]
    var sgemm: SgemmReport?

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }
}

/// The configuration every model was measured with.
struct BenchSettings: Codable {
    var data: String
    var trainExamples: Int
    var testExamples: Int
    var tokenizer: String
    var vocabSize: Int
    var maxLength: Int
    var batchSize: Int
    var optimizer: String
    var learningRate: Float
    var epochs: Int
    var seed: UInt64
    var blasThreads: Int
    var predictCalls: Int
    /// "child process per model" or "one process".
    var isolation: String
    /// How the training figure is taken.
    var throughputRule: String
}

/// One model's figures. Latencies are microseconds for one raw text.
///
/// Neural rows carry every field but `trainSeconds` and `modelBytes`; learner rows (`svm`,
/// `fasttext:epochs=25`, …) carry `modelBytes` and `trainSeconds` instead of the per-epoch,
/// GEMM and token-checksum figures, which mean nothing for them. Absent fields are left out
/// of the JSON, so the neural rows read as they always have.
struct BenchModelResult: Codable {
    var name: String
    var description: String
    var parameters: Int?
    var epochSeconds: [Double]?
    var epochSamplesPerSecond: [Double]?
    /// Neural: median over epochs 2…N (epoch 1 is the warm-up); epoch 1 alone when N = 1.
    /// Learners: training examples ÷ `trainSeconds`.
    var trainSamplesPerSecond: Double
    /// Learners: wall seconds of the whole fit, tokenising and feature extraction included.
    var trainSeconds: Double?
    var timedEpochs: [Int]?
    var stepMilliseconds: Double?
    /// Process CPU time ÷ wall time over the timed epochs (learners: over the fit; 1.0 = one
    /// core busy).
    var trainCpuUtilisation: Double
    var trainLoss: Double?
    var trainAccuracy: Double?
    /// Mean cross-entropy on test.tsv (learners: of `predictProbabilities`, p clipped at 1e-7).
    var testLoss: Double
    var testAccuracy: Double
    /// Tokenise + pad + forward + probabilities, through `TextClassifier.probabilities`
    /// (learners: `predictProbabilities` of the raw text).
    var predictLatencyUsMedian: Double
    var predictLatencyUsP99: Double
    /// `Sequential.forward` of an already padded [1, length] row (learners: features and
    /// model on an already tokenised text, `predictProbabilities(tokens:)`).
    var forwardLatencyUsMedian: Double
    var forwardLatencyUsP99: Double
    /// Tokenise + pad alone (learners: `tokens(in:)`).
    var tokenizeLatencyUsMedian: Double
    var peakRssMb: Double
    /// "process" when the model ran in its own process; "cumulative" when models shared one.
    var peakRssScope: String
    var vocabularyFound: Int?
    /// "count:sum:weighted" over the padded train then test id matrices (row-major);
    /// Benchmarks/reference.py computes the same for the Keras tokens.
    var tokensChecksum: String?
    var gemm: GemmStepFigures?
    /// Learners: the size of the saved model (`LearnerIO.encode`), in bytes.
    var modelBytes: Int?

    /// Learner rows carry a model size; neural rows never do.
    var isLearner: Bool { modelBytes != nil }
}

/// The sgemm work of one training step, counted from the layer shapes, and what it reaches.
struct GemmStepFigures: Codable {
    var flopsPerStep: Double
    /// GEMM FLOPs per step ÷ measured step time.
    var achievedGflops: Double
    /// Layers whose matrix products are not counted (none for the bench presets).
    var uncountedLayers: [String]
    var calls: [GemmCall]
    /// achievedGflops ÷ sgemm GFLOP/s at 1024³ (same threads), when sgemm was measured.
    var fractionOfSgemmPeak: Double?
    /// Σ calls × (time of that sgemm alone at its shape) ÷ step time: the share of the step
    /// that sgemm itself would take; the rest is element-wise work and overhead.
    var sgemmTimeShare: Double?
}

struct MachineInfo: Codable {
    var cpuModel: String
    var logicalCores: Int
    var memoryGb: Double
    var os: String
    var openblasConfig: String
    var openblasCore: String
    /// How the kernel was chosen: detected, user, automatic, fallback, no-better-kernel
    /// (`BLASKernelSource.tag`), and in words.
    var openblasKernelSource: String?
    var openblasKernelChoice: String?
    /// The kernel OpenBLAS picked by itself when workbench replaced it.
    var openblasDetectedKernel: String?
    /// The start-up sgemm self-check's largest relative error.
    var blasSelfCheckMaxError: Double?
    /// OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE / OPENBLAS_NUM_THREADS as set in the environment.
    var openblasEnvironment: [String: String]
    var blasThreads: Int
    var swiftCompiler: String
    var build: String
    var loadAverageStart: String
    var loadAverageEnd: String

    static func current(loadAtStart: String) -> MachineInfo {
        let env = ProcessInfo.processInfo.environment
        var blasEnv: [String: String] = [:]
        for k in ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS"] { blasEnv[k] = env[k] }
        let kernel = BLASKernelReport.current
        var detected: String?
        switch kernel.source {
        case .automatic(let d), .noBetterKernel(let d): detected = d
        case .detected, .user, .fallback: detected = nil
        }
        return MachineInfo(
            cpuModel: Self.cpuModel(), logicalCores: ProcessInfo.processInfo.activeProcessorCount,
            memoryGb: (Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
            os: Self.osName(), openblasConfig: BLAS.configuration, openblasCore: BLAS.coreName,
            openblasKernelSource: kernel.source.tag, openblasKernelChoice: kernel.source.summary,
            openblasDetectedKernel: detected, blasSelfCheckMaxError: kernel.selfCheck.maxRelativeError,
            openblasEnvironment: blasEnv, blasThreads: BLAS.threads, swiftCompiler: Self.swiftCompiler,
            build: Self.build,
            loadAverageStart: loadAtStart, loadAverageEnd: Self.loadAverage())
    }

    /// The CPU's `model name` (read once, with its flags, by `CPUFeatures`).
    static func cpuModel() -> String { CPUFeatures.current.model }

    static func osName() -> String {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return "unknown"
    }

    /// The 1, 5 and 15 minute load averages, as /proc/loadavg has them.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// SwiftPM defines DEBUG in debug builds.
    #if DEBUG
    static let build = "debug"
    #else
    static let build = "release"
    #endif

    /// The compiler that built this binary (a compile-time check, so a range).
    static let swiftCompiler: String = {
        #if compiler(>=6.4)
        return "Swift 6.4 or later"
        #elseif compiler(>=6.3.1)
        return "Swift 6.3.1 or later 6.3.x"
        #elseif compiler(>=6.3)
        return "Swift 6.3"
        #else
        return "Swift before 6.3"
        #endif
    }()

    /// User + system CPU seconds of this process so far (every thread).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// Peak resident memory of this process (VmHWM), in MB.
    static func peakResidentMB() -> Double {
        if let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
                let digits = line.filter(\.isNumber)
                if let kb = Double(String(digits)) { return kb / 1024 }
            }
        }
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Double(usage.ru_maxrss) / 1024   // kB on Linux
    }
}

/// The sgemm figures: the 1024³ peak and each shape the models' training steps use.
struct SgemmReport: Codable {
    var threads: Int
    var openblasCore: String
    var peakGflops: Double
    var peakShape: String
    var shapes: [SgemmFigure]
}
