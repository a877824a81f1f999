/// One line of a chart: a run's metric such as "train loss". A value type; every point is
/// kept (hundreds of thousands per series are normal), the renderer downsamples per column.
///
/// Points are drawn in column order; x should normally increase (steps, seconds). Points
/// with a non-finite x or y (or, on a log scale, y ≤ 0) are skipped.
public struct Series: Sendable {
    public var name: String
    /// A stable colour slot chosen by the caller (e.g. the run's index); the render reports it
    /// in `ChartRole.series(slot:faint:)` and `.legend(slot:)` so the caller picks the colour.
    public var slot: Int
    public var points: [(x: Double, y: Double)]
    /// Hidden series are not drawn and not listed in the legend.
    public var isVisible: Bool
    /// Draws the whole series (raw and smoothed) in the faint style, e.g. an unselected run.
    public var isFaint: Bool

    public init(name: String, slot: Int, points: [(x: Double, y: Double)] = [],
                isVisible: Bool = true, isFaint: Bool = false) {
        self.name = name
        self.slot = slot
        self.points = points
        self.isVisible = isVisible
        self.isFaint = isFaint
    }

    /// A series whose x values are the indices 0, 1, 2, ...
    public init(name: String, slot: Int, values: [Double], isVisible: Bool = true, isFaint: Bool = false) {
        var points: [(x: Double, y: Double)] = []
        points.reserveCapacity(values.count)
        for (i, v) in values.enumerated() { points.append((x: Double(i), y: v)) }
        self.init(name: name, slot: slot, points: points, isVisible: isVisible, isFaint: isFaint)
    }

    public mutating func append(x: Double, y: Double) {
        points.append((x: x, y: y))
    }
}
