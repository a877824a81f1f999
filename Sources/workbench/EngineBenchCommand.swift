import ArgumentParser
import Engine
import Foundation

/// Training throughput of the engine on synthetic token ids, at the shapes DESIGN.md names
/// (vocabulary 5,000, length 100, batch 32). Release builds only give meaningful numbers.
struct EngineBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine-bench",
        abstract: "Measure engine training samples/s and one-text prediction latency on synthetic data.")

    @Option(help: "Batches to time per model (after warm-up).") var batches = 60
    @Option(help: "Sequence length.") var length = 100
    @Option(help: "Vocabulary size.") var vocab = 5000
    @Option(help: "Batch size.") var batchSize = 32
    @Option(help: "OpenBLAS threads.") var threads = 1
    @Option(help: "Models to run: comma-separated from seed, lstm, gru, cnn.") var models = "seed,lstm,gru,cnn"

    func run() throws {
        BLAS.setThreads(threads)
        var rng = SeededGenerator(seed: 1)
        let n = batchSize * 8
        var x = Tensor(shape: [n, length])
        x.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = Float(Int(rng.next() % UInt64(vocab))) } }
        var y = Tensor(shape: [n])
        y.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = Float(rng.next() % 2) } }
        print("engine-bench: batch \(batchSize), length \(length), vocabulary \(vocab), \(threads) BLAS thread(s)")
        print("model                          train samples/s   predict 1 text (median)")
        for name in models.split(separator: ",").map(String.init) {
            let layers: [LayerSpec]
            switch name {
            case "seed": layers = [.embedding(dim: 10), .lstm(units: 10), .dense(units: 1, activation: .sigmoid)]
            case "lstm": layers = [.embedding(dim: 64), .lstm(units: 64), .dense(units: 1, activation: .sigmoid)]
            case "gru": layers = [.embedding(dim: 64), .gru(units: 64), .dense(units: 1, activation: .sigmoid)]
            case "cnn": layers = [.embedding(dim: 64), .conv1D(filters: 64, kernelSize: 5, activation: .relu),
                                  .globalMaxPooling1D, .dense(units: 1, activation: .sigmoid)]
            default: throw ValidationError("unknown model '\(name)' (seed, lstm, gru, cnn)")
            }
            let model = try Sequential(spec: ModelSpec(inputLength: length, vocabularySize: vocab, layers: layers), seed: 1)
            let opt = Optimizer(.adam())
            let data = try Dataset(x: x, y: y)
            let trainer = try Trainer(model: model, optimizer: opt, train: data,
                                      config: FitConfig(epochs: 1_000_000, batchSize: batchSize, seed: 3))
            for _ in 0..<5 { _ = try trainer.runBatch() }
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<batches { _ = try trainer.runBatch() }
            let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let sps = Double(batches * batchSize) / secs
            // One text: a [1, length] forward.
            var one = Tensor(shape: [1, length])
            one.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = Float(i % vocab) } }
            var lat: [Double] = []
            for _ in 0..<200 {
                let a = DispatchTime.now().uptimeNanoseconds
                _ = try model.forward(one, training: false)
                lat.append(Double(DispatchTime.now().uptimeNanoseconds - a) / 1e3)
            }
            lat.sort()
            print(String(format: "%-30@ %15.0f   %10.1f µs", "\(name) (\(model.parameterCount) params)" as NSString, sps, lat[lat.count / 2]))
        }
    }
}
