import Engine
import Foundation

/// Keras-like progress on a terminal (one bar per epoch, redrawn in place), plain lines
/// otherwise (one per epoch plus a few per epoch for long ones).
struct ProgressPrinter {
    let isTerminal = isatty(STDOUT_FILENO) == 1
    let epochs: Int
    private var lastDraw: Double = 0
    private var lastPlainBatch = 0

    init(epochs: Int) { self.epochs = epochs }

    mutating func handle(_ event: TrainingEvent) {
        switch event {
        case let .batchEnd(b):
            if b.batch == 1 && isTerminal { print("Epoch \(b.epoch)/\(epochs)") }
            if isTerminal {
                let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
                guard now - lastDraw > 0.05 || b.batch == b.batchesPerEpoch else { return }
                lastDraw = now
                let width = 20
                let done = Int(Double(width) * Double(b.batch) / Double(b.batchesPerEpoch))
                let bar = String(repeating: "━", count: done) + String(repeating: "─", count: width - done)
                let perStep = b.epochElapsed / Double(b.batch)
                let eta = perStep * Double(b.batchesPerEpoch - b.batch)
                let timing = b.batch == b.batchesPerEpoch
                    ? String(format: "%.0fs %.0fms/step", b.epochElapsed, perStep * 1000)
                    : "ETA \(Self.duration(eta))"
                let line = String(format: "%5d/%d %@ %@ - accuracy: %.4f - loss: %.4f - %.0f samples/s",
                                  b.batch, b.batchesPerEpoch, bar, timing, b.accuracy, b.loss, b.samplesPerSecond)
                // `try?`: after SIGHUP the terminal may be gone, and a failed write must not trap
                // before training has stopped and saved.
                try? FileHandle.standardOutput.write(contentsOf: Data(("\r\u{1B}[K" + line).utf8))
            } else if b.batchesPerEpoch >= 200 && b.batch - lastPlainBatch >= b.batchesPerEpoch / 4 && b.batch < b.batchesPerEpoch {
                lastPlainBatch = b.batch
                print(String(format: "epoch %d batch %d/%d loss %.4f accuracy %.4f %.0f samples/s",
                             b.epoch, b.batch, b.batchesPerEpoch, b.loss, b.accuracy, b.samplesPerSecond))
            }
        case let .epochEnd(e):
            lastPlainBatch = 0
            var s = String(format: "epoch %d/%d: loss %.4f accuracy %.4f", e.epoch, epochs, e.loss, e.accuracy)
            if let vl = e.validationLoss, let va = e.validationAccuracy { s += String(format: " - val_loss %.4f val_accuracy %.4f", vl, va) }
            s += String(format: " - %.1fs, %.0f samples/s", e.seconds, e.samplesPerSecond)
            if isTerminal { print("\n" + s) } else { print(s) }
        }
    }

    static func duration(_ s: Double) -> String {
        s >= 60 ? String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) : String(format: "%.0fs", s)
    }
}
