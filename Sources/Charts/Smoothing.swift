/// TensorBoard's scalar smoothing (the "classic" slider): a debiased exponential moving average,
///
///     last = last * w + (1 - w) * y;  n += 1;  smoothed = last / (1 - w^n)
///
/// starting from last = 0. Non-finite values are passed through unchanged and do not advance
/// the average; a constant series (every y == the first y, NaN never equal) is returned as is.
public enum Smoothing {
    /// The smoothed values of `values` with weight `w` (clamped to 0...1; NaN means 0).
    public static func tensorBoard(_ values: [Double], weight w: Double) -> [Double] {
        let first = values.first ?? 0
        var smoother = TensorBoardSmoother(weight: w, constant: values.allSatisfy { $0 == first })
        return values.map { smoother.next($0) }
    }
}

/// The streaming form, used by the renderer so smoothing allocates nothing.
struct TensorBoardSmoother {
    let weight: Double
    let passThrough: Bool
    private var last = 0.0
    private var count = 0.0

    init(weight: Double, constant: Bool) {
        let w = weight.isNaN ? 0 : min(max(weight, 0), 1)
        self.weight = w
        passThrough = constant || w == 0
    }

    @inline(__always) mutating func next(_ y: Double) -> Double {
        guard !passThrough, y.isFinite else { return y }
        last = last * weight + (1 - weight) * y
        count += 1
        let debias = weight == 1 ? 1 : 1 - CMath.pow(weight, count)
        return last / debias
    }
}
