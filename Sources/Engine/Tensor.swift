/// A contiguous row-major block of Float32 with a shape.
///
/// A value type: copying a tensor shares storage until one side writes (copy-on-write).
/// Layers keep their working tensors in properties and reshape them in place, so a
/// training step reuses the same storage batch after batch. `reshape(to:)` only grows the
/// storage; a smaller batch (the last of an epoch) keeps the larger buffer.
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    /// The dimensions, outermost first.
    public private(set) var shape: [Int]
    /// Storage; its first `count` elements are the tensor's values (it may be longer).
    var storage: [Float]

    /// Number of elements, the product of `shape`.
    public var count: Int { shape.reduce(1, *) }

    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.storage = [Float](repeating: value, count: shape.reduce(1, *))
    }

    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) values, got \(scalars.count)")
        self.shape = shape
        self.storage = scalars
    }

    /// An empty tensor of shape [0].
    public static var empty: Tensor { Tensor(shape: [0]) }

    /// The values in row-major order (exactly `count` of them).
    public var scalars: [Float] {
        let n = count
        return storage.count == n ? storage : Array(storage[0..<n])
    }

    public var rank: Int { shape.count }

    /// Changes the shape, growing the storage when needed. Values are left as they were
    /// (callers overwrite them); growth fills with zeros.
    
    public mutating func reshape(to newShape: [Int]) {
        if newShape != shape { shape = newShape }
        let n = newShape.reduce(1, *)
        if storage.count < n { storage.append(contentsOf: repeatElement(0, count: n - storage.count)) }
    }

    /// Allocation-free forms of `reshape(to:)` for the hot path: a shape array is only built
    /// when the shape really changes.
    public mutating func reshape(_ d0: Int) {
        if shape.count != 1 || shape[0] != d0 { shape = [d0] }
        grow(to: d0)
    }
    public mutating func reshape(_ d0: Int, _ d1: Int) {
        if shape.count != 2 || shape[0] != d0 || shape[1] != d1 { shape = [d0, d1] }
        grow(to: d0 * d1)
    }
    public mutating func reshape(_ d0: Int, _ d1: Int, _ d2: Int) {
        if shape.count != 3 || shape[0] != d0 || shape[1] != d1 || shape[2] != d2 { shape = [d0, d1, d2] }
        grow(to: d0 * d1 * d2)
    }
    public mutating func reshape(_ d0: Int, _ d1: Int, _ d2: Int, _ d3: Int) {
        if shape.count != 4 || shape[0] != d0 || shape[1] != d1 || shape[2] != d2 || shape[3] != d3 { shape = [d0, d1, d2, d3] }
        grow(to: d0 * d1 * d2 * d3)
    }
    /// Same shape as `other` (no allocation when it already is).
    public mutating func reshape(like other: Tensor) {
        if shape != other.shape { shape = other.shape }
        grow(to: other.count)
    }
    private mutating func grow(to n: Int) {
        if storage.count < n { storage.append(contentsOf: repeatElement(0, count: n - storage.count)) }
    }

    /// Sets every element to `value`.
    public mutating func fill(_ value: Float) {
        let n = count
        storage.withUnsafeMutableBufferPointer { p in
            for i in 0..<n { p[i] = value }
        }
    }

    /// Copies another tensor's shape and values into this one's storage.
    public mutating func assign(_ other: Tensor) {
        reshape(like: other)
        let n = other.count
        storage.withUnsafeMutableBufferPointer { dst in
            other.storage.withUnsafeBufferPointer { src in
                dst.baseAddress!.update(from: src.baseAddress!, count: n)
            }
        }
    }

    
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let n = count
        return try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<n])) }
    }

    
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        let n = count
        return try storage.withUnsafeMutableBufferPointer { try body(UnsafeMutableBufferPointer(rebasing: $0[0..<n])) }
    }

    /// Element access by flat index (not for hot loops).
    public subscript(flat i: Int) -> Float {
        get { storage[i] }
        set { storage[i] = newValue }
    }

    public static func == (a: Tensor, b: Tensor) -> Bool {
        a.shape == b.shape && a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
            pa.elementsEqual(pb) } }
    }

    public var description: String {
        let vals = scalars.prefix(8).map { String(format: "%.5g", $0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(vals)\(count > 8 ? ", …" : "")]"
    }
}

extension Array where Element == Int {
    /// Renders a shape Keras-style with the batch dimension as `None`: (None, 100, 64).
    public var shapeDescription: String {
        "(" + (["None"] + map(String.init)).joined(separator: ", ") + ")"
    }
}
