import ArgumentParser
import Foundation
import Sessions
import TerminalUI
import WorkbenchUI

/// Render time of one full workbench frame (all four panes, the status line; state → cell
/// grid) and of the diff against the previous frame, at a given size, with a run of
/// `batches` training points in the chart.
///
/// The panes show a real session (a throwaway one on the bundled data set, from the real
/// service); the chart's points are generated here as the `batch` events a run would send,
/// since training `batches` batches for real would take minutes.
struct UIBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui-bench", abstract: "Measure the time to render one workbench frame (no terminal needed).")
    @Option(help: "Frame width.") var width = 200
    @Option(help: "Frame height.") var height = 60
    @Option(help: "Training batches shown in the chart.") var batches = 20_000
    @Option(help: "Frames to time.") var frames = 200

    func run() async throws {
        let scratch = try await ScratchSession.launch(preset: .lstm, epochs: 3)
        defer { scratch.remove() }
        var state = WorkbenchState(size: Size(width: width, height: height))
        _ = state.update(.reply(.snapshot(await scratch.service.snapshot())))
        await scratch.service.shutdown()
        for event in Self.trainingEvents(batches: max(1, batches)) { _ = state.update(.service(event)) }

        var render: [Double] = [], fresh: [Double] = [], diff: [Double] = []
        var previous = state.render().grid
        // New chart data every frame (as while training): the chart is drawn from all points.
        for i in 0..<20 {
            // Each frame past the pane's refresh interval for big charts, so every render really redraws.
            state.chart.setCharts(state.chart.charts)
            _ = state.update(.frame(Double(i + 1)))
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = state.render()
            fresh.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        // Unchanged chart data (a keystroke, a resize of another pane): the chart render is reused.
        for _ in 0..<frames {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let (grid, _) = state.render()
            let t1 = DispatchTime.now().uptimeNanoseconds
            _ = grid.diff(from: previous)
            let t2 = DispatchTime.now().uptimeNanoseconds
            render.append(Double(t1 - t0) / 1e6)
            diff.append(Double(t2 - t1) / 1e6)
            previous = grid
        }
        render.sort(); diff.sort(); fresh.sort()
        print(String(format: "%d×%d frame, %d chart points: render with new chart data median %.2f ms (p99 %.2f); "
                     + "with the chart unchanged median %.2f ms (p99 %.2f); diff against the previous frame median %.3f ms",
                     width, height, batches, fresh[fresh.count / 2], fresh[min(fresh.count - 1, fresh.count * 99 / 100)],
                     render[render.count / 2], render[min(render.count - 1, render.count * 99 / 100)], diff[diff.count / 2]))
    }

    /// The events of one run of `batches` batches (500 per epoch) with a smooth, slightly
    /// noisy loss and accuracy curve: what the service would send while training.
    static func trainingEvents(batches: Int) -> [ServiceEvent] {
        let perEpoch = 500, epochs = (batches + perEpoch - 1) / perEpoch
        let secondsPerBatch = 0.05, start = 1_700_000_000.0
        var events: [ServiceEvent] = [.runStarted(RunInfo(id: "1", name: "run 1")), .stateChanged(.training)]
        events.reserveCapacity(batches + epochs + 2)
        for step in 1...batches {
            let t = Double(step)
            let wiggle = 0.02 * sin(t * 0.7) + 0.01 * sin(t * 2.3)
            let loss = 0.25 + 0.45 * exp(-t / 3_000) + wiggle
            let accuracy = min(0.99, 0.97 - 0.45 * exp(-t / 2_500) - wiggle)
            let epoch = (step - 1) / perEpoch + 1
            events.append(.batch(BatchProgress(run: "1", epoch: epoch, epochs: epochs, batch: (step - 1) % perEpoch + 1,
                                               batchesPerEpoch: perEpoch, step: step, loss: loss, accuracy: accuracy,
                                               samplesPerSecond: 640, eta: Double(batches - step) * secondsPerBatch,
                                               relativeTime: t * secondsPerBatch, wallTime: start + t * secondsPerBatch)))
            if step % perEpoch == 0 || step == batches {
                events.append(.epochEnded(EpochMetrics(run: "1", epoch: epoch, epochs: epochs, step: step, trainLoss: loss,
                                                       trainAccuracy: accuracy, validationLoss: loss + 0.05,
                                                       validationAccuracy: accuracy - 0.03,
                                                       relativeTime: t * secondsPerBatch, wallTime: start + t * secondsPerBatch)))
            }
        }
        return events
    }
}
