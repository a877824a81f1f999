import ArgumentParser
import Foundation
import TerminalUI
import WorkbenchUI

/// Render time of one full workbench frame (all four panes, the status line; state → cell
/// grid) and of the diff against the previous frame, at a given size, with a run of
/// `batches` training points in the chart.
struct UIBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui-bench", abstract: "Measure the time to render one workbench frame (no terminal needed).")
    @Option(help: "Frame width.") var width = 200
    @Option(help: "Frame height.") var height = 60
    @Option(help: "Training batches shown in the chart.") var batches = 20_000
    @Option(help: "Frames to time.") var frames = 200

    func run() async throws {
        let service = FakeWorkbenchService(configuration: .init(epochs: 1_000, batchesPerEpoch: 500, batchInterval: nil))
        let backend = FakeBackend(size: Size(width: width, height: height))
        let app = WorkbenchApp(backend: backend, service: service)
        try app.start()
        _ = await app.settle(timeout: 30)
        app.handle(.key(.character("t")))
        _ = await app.settle(timeout: 30)
        await service.advance(batches: batches)
        _ = await app.settle(timeout: 60)
        var render: [Double] = [], fresh: [Double] = [], diff: [Double] = []
        var state = app.state
        var previous = state.render().grid
        // New chart data every frame (as while training): the chart is drawn from all points.
        for _ in 0..<20 {
            // Past the pane's refresh interval for big charts, so every render really redraws.
            try await Task.sleep(for: .milliseconds(160))
            state.chart.setCharts(state.chart.charts)
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
        await service.shutdown()
    }
}
