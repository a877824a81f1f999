import ArgumentParser
import Engine
import Foundation
import Learners
import Sessions
import TextData

/// `workbench bench`: training throughput, test accuracy, one-text latency and peak memory
/// of each bench model on the bundled zh-reviews data, with the Keras reference recipe's
/// settings (char tokens, 5,000 words, length 100, batch 32, Adam 0.001), plus sgemm
/// GFLOP/s at the shapes the models use and how much of it a training step reaches.
///
/// `--models` also takes the `Learners` module's models as `workbench compare` does (`svm`,
/// `fasttext:epochs=25:ngrams=2`, …): trained on the same train.tsv, measured on test.tsv,
/// with the model size beside the other figures.
///
/// Each model runs in a fresh child process (`workbench bench --model NAME --json`), so its
/// peak resident memory is its own; `Benchmarks/compare` calls that single-model form
/// directly, interleaved with the Keras runs.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the bench models on the bundled zh-reviews data (use a release build).",
        discussion: """
            Training samples/s is the median over epochs 2…N (epoch 1 is a warm-up, as in the Keras \
            reference figures); accuracy is on test.tsv after the N epochs. Latency is one raw text: \
            tokenise + pad + forward (and forward alone), median and p99 over --predict-calls calls.
            Models: \(BenchModels.all.joined(separator: ", ")) (seed-gru = Embedding 10 → GRU 10), or attention; \
            and the learners \(LearnerKind.allCases.map(\.rawValue).joined(separator: ", ")) with settings as `compare` \
            takes them (e.g. fasttext:epochs=25:ngrams=2, svm:c=0.5). A learner is timed over its whole fit \
            (training texts ÷ seconds, tokenising and features included), with its tokens chosen from the data \
            as `compare --analyzer auto` does; the options below about tokens, epochs and the optimiser are for \
            the neural models.
            """)

    @Option(help: "Models, comma-separated (neural presets or learner specs); each runs in its own child process.")
    var models = BenchModels.all.joined(separator: ",")
    @Option(help: "Run this one model in this process (what the parent runs in each child).")
    var model: String?
    @Option(help: """
        Epochs of the neural models (the first is the warm-up; at least 2 for a warm throughput figure); \
        a learner takes its own, e.g. fasttext:epochs=25.
        """)
    var epochs = 3
    @Option(help: "Tokenizer: keras-char (the Keras reference: char_level=True), keras, script, script-bigrams.")
    var tokenizer = "keras-char"
    @Option(help: "Vocabulary size (Keras's num_words).") var vocabSize = 5000
    @Option(help: "Padded sequence length.") var maxLength = 100
    @Option(help: "Batch size.") var batchSize = 32
    @Option(help: "Adam learning rate.") var learningRate: Float = 0.001
    @Option(help: "Seed for weights and shuffling.") var seed: UInt64 = 42
    @Option(help: "OpenBLAS threads.") var threads = 1
    @Option(help: "One-text predictions to time per model.") var predictCalls = 1000
    @Option(help: "Folder with train.tsv and test.tsv (default: the bundled Data/zh-reviews).") var data: String?
    @Flag(help: "Print one JSON object instead of the table.") var json = false
    @Flag(help: "Skip the sgemm measurements.") var noSgemm = false
    @Flag(help: "Only measure sgemm (at 1024³ and the --models' training shapes).") var sgemmOnly = false
    @Flag(help: "Run every model in this process (peak memory then accumulates).") var inProcess = false

    static let childIsolation = "child process per model"

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1…256, got \(threads)") }
        guard predictCalls >= 1 else { throw ValidationError("--predict-calls must be at least 1, got \(predictCalls)") }
        guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning-rate must be positive") }
        guard !modelList.isEmpty else { throw ValidationError("--models lists no model") }
        for name in modelList where !BenchModels.isNeural(name) {
            guard try BenchLearner.parse(name) != nil else { throw ValidationError(BenchModels.unknown(name)) }
        }
        _ = try textOptions().makeTokenizer()
    }

    private var modelList: [String] {
        if let model { return [model] }
        return models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private func textOptions() throws -> TextOptions {
        try TextOptions.parse(["--tokenizer", tokenizer, "--vocab-size", "\(vocabSize)", "--max-length", "\(maxLength)"])
    }

    func run() throws {
        let loadAtStart = MachineInfo.loadAverage()
        let started = ISO8601DateFormatter().string(from: Date())
        BLAS.setThreads(threads)
        if MachineInfo.build == "debug" {
            note("warning: this is a debug build; timings mean little (swift build -c release)")
        }
        let folder = try data.map { URL(fileURLWithPath: $0) } ?? BundledData.folder()
        var results: [BenchModelResult] = []
        var counts = (train: 0, test: 0)
        let isolation: String
        if sgemmOnly {
            isolation = "none (sgemm only)"
        } else if model != nil || inProcess {
            isolation = model != nil ? "own process" : "one process"
            let bench = try BenchData(folder: folder)
            counts = (bench.train.count, bench.test.count)
            for (i, name) in modelList.enumerated() {
                let rssScope = i == 0 ? "process" : "cumulative"
                if let learner = try BenchLearner.parse(name) {
                    let run = BenchLearnerRun(learner: learner, settings: settings(folder.path, counts, isolation), data: bench,
                                              rssScope: rssScope, progress: note)
                    results.append(try run.run())
                    continue
                }
                let run = BenchModelRun(name: name, settings: settings(folder.path, counts, isolation), text: try textOptions(),
                                        data: bench, rssScope: rssScope, progress: note)
                results.append(try run.run())
            }
        } else {
            isolation = Self.childIsolation
            for name in modelList {
                let child = try runChild(name, folder: folder.path)
                counts = (child.settings.trainExamples, child.settings.testExamples)
                results.append(contentsOf: child.models)
            }
        }

        var sgemm: SgemmReport? = nil
        if !noSgemm || sgemmOnly {
            let shapes = sgemmOnly ? try plannedShapes() : results.flatMap { $0.gemm?.calls.map(\.shape) ?? [] }
            // After any model was built (building applies the app's one-thread default).
            BLAS.setThreads(threads)
            let report = SgemmBench.report(shapes: shapes, progress: note)
            for i in results.indices {
                guard var gemm = results[i].gemm, let step = results[i].stepMilliseconds else { continue }
                SgemmBench.annotate(&gemm, stepSeconds: step / 1000, with: report)
                results[i].gemm = gemm
            }
            sgemm = report
        }
        let report = BenchReport(date: started, settings: settings(folder.path, counts, isolation),
                                 machine: MachineInfo.current(loadAtStart: loadAtStart), models: results, sgemm: sgemm)
        if json {
            let bytes = try BenchReport.encoder().encode(report)
            print(String(decoding: bytes, as: UTF8.self))
        } else {
            print(BenchTable.render(report))
        }
    }

    private func settings(_ folder: String, _ counts: (train: Int, test: Int), _ isolation: String) -> BenchSettings {
        BenchSettings(data: folder, trainExamples: counts.train, testExamples: counts.test, tokenizer: tokenizer,
                      vocabSize: vocabSize, maxLength: maxLength, batchSize: batchSize, optimizer: "adam",
                      learningRate: learningRate, epochs: epochs, seed: seed, blasThreads: threads,
                      predictCalls: predictCalls, isolation: isolation,
                      throughputRule: epochs > 2 ? "median of epochs 2…\(epochs) (epoch 1 = warm-up)"
                          : epochs == 2 ? "epoch 2 (epoch 1 = warm-up)" : "epoch 1 (includes the warm-up)")
    }

    /// The sgemm shapes the listed models' training steps use, without training them.
    private func plannedShapes() throws -> [GemmShape] {
        try modelList.filter(BenchModels.isNeural).flatMap { name in
            let spec = ModelSpec(inputLength: maxLength, vocabularySize: vocabSize, layers: try BenchModels.layers(name, classes: 2))
            return GemmWorkload.trainingStep(try Sequential(spec: spec, seed: seed), batch: batchSize).calls.map(\.shape)
        }
    }

    /// Runs `bench --model NAME --json --no-sgemm` in a fresh process of this executable.
    private func runChild(_ name: String, folder: String) throws -> BenchReport {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = ["bench", "--model", name, "--json", "--no-sgemm", "--epochs", "\(epochs)",
                             "--tokenizer", tokenizer, "--vocab-size", "\(vocabSize)", "--max-length", "\(maxLength)",
                             "--batch-size", "\(batchSize)", "--learning-rate", "\(learningRate)", "--seed", "\(seed)",
                             "--threads", "\(threads)", "--predict-calls", "\(predictCalls)", "--data", folder]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        note("\(name): training in a child process…")
        do {
            try process.run()
        } catch {
            throw ValidationError("could not start \(exe) for model \(name): \(error)")
        }
        let bytes = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw ValidationError("the child process for model \(name) failed (status \(process.terminationStatus))")
        }
        do {
            let report = try BenchReport.decoder().decode(BenchReport.self, from: bytes)
            guard report.models.count == 1 else { throw ValidationError("expected one model, got \(report.models.count)") }
            return report
        } catch {
            throw ValidationError("the child process for model \(name) printed no valid report: \(ModelDirectory.describe(error))")
        }
    }

    /// Progress and warnings go to standard error, so `--json` output stays one object.
    private func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
