import TerminalUI

extension WorkbenchState {
    /// A click focuses the pane under it (when no overlay or prompt is open) and selects the
    /// example or layer clicked, or puts the chart cursor on the step clicked.
    mutating func click(x: Int, y: Int) -> [Effect] {
        guard overlay == nil, case .hints = bottom, !Layout.isTooSmall(size) else { return [] }
        guard let hit = paneRects().first(where: { $0.value.contains(Point(x: x, y: y)) }) else { return [] }
        setFocus(hit.key)
        switch hit.key {
        case .dataset: dataset.click(row: y, rect: hit.value.inset(by: 1))
        case .model: model.click(row: y, rect: hit.value.inset(by: 1))
        case .chart: _ = chart.click(x: x, y: y)
        case .console: break
        }
        return []
    }
}
