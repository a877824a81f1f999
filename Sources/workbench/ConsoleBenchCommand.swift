import ArgumentParser
import Dispatch
import Engine
import Foundation
import Sessions
import WorkbenchApp

/// How long the workbench's console waits for a classification while a model trains: the
/// real service over a scratch session on the bundled data, training the preset, asked to
/// classify (and explain) one line at a time as the console does on every keystroke.
struct ConsoleBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console-bench",
        abstract: "Measure console classification latency while a model trains (use a release build).")

    @Option(help: "Classifications to time.") var keys = 200
    @Option(help: "Milliseconds between two (a typist's pace).") var intervalMs = 30
    @Option(help: "The preset that trains meanwhile.") var preset = "lstm"

    func run() async throws {
        guard let p = ModelPreset(rawValue: preset) else {
            throw ValidationError("--preset: unknown preset '\(preset)' (\(ModelPreset.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let scratch = try await ScratchSession.launch(preset: p, epochs: 1_000)
        defer { scratch.remove() }
        let service = scratch.service
        _ = await service.snapshot()
        _ = await service.startTraining()
        // Training for real before the first key: wait for its first batches.
        var batches = 0
        for await e in service.events {
            if case .batch = e { batches += 1 }
            if batches >= 3 { break }
        }
        let line = "房间很干净，服务也好，就是早餐一般"
        var latencies: [Double] = []
        for i in 0..<keys {
            let text = String(line.prefix(1 + i % line.count))
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = await service.predict(text)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            try await Task.sleep(for: .milliseconds(intervalMs))
        }
        await service.shutdown()
        latencies.sort()
        func q(_ f: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * f))] }
        print("console-bench: \(preset) training, \(keys) classifications \(intervalMs) ms apart, BLAS kernel \(BLAS.coreName)")
        print(String(format: "latency: median %.2f ms, p99 %.2f ms, max %.2f ms", q(0.5), q(0.99), latencies.last ?? 0))
    }
}
