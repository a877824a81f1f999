/// Which end of a sequence padding is added to, or truncation removes from.
public enum PadSide: String, Codable, Sendable, CaseIterable {
    case pre, post
}

/// `keras.utils.pad_sequences` (dtype int32): every sequence becomes exactly `maxLength`
/// long. `maxLength` nil means the longest sequence (0 for no sequences). Truncating `.pre`
/// keeps the LAST `maxLength` items, `.post` the FIRST; padding `.pre` puts `value` before
/// the sequence, `.post` after it. An empty sequence becomes a row of `value`.
/// A negative `maxLength` is treated as 0 (Keras raises an error).
public func padSequences(_ seqs: [[Int]], maxLength: Int? = nil, padding: PadSide = .pre,
                         truncating: PadSide = .pre, value: Int = 0) -> [[Int]] {
    let length = resolvedPadLength(seqs, maxLength)
    return seqs.map { s in
        var row = [Int](repeating: value, count: length)
        let (src, dst) = padPlacement(count: s.count, length: length, padding: padding, truncating: truncating)
        for k in 0..<src.count { row[dst + k] = s[src.lowerBound + k] }
        return row
    }
}

/// `padSequences` into a flat row-major `[n, maxLength]` Float buffer (the engine's integer
/// input layout; ids are exact in Float up to 2^24). The buffer is resized to
/// `n * maxLength`, keeping its capacity, so a reused buffer allocates nothing once large
/// enough. Returns the length used (the longest sequence when `maxLength` is nil).
@discardableResult
public func padSequences<C: Collection>(_ seqs: C, maxLength: Int? = nil, padding: PadSide = .pre,
                                        truncating: PadSide = .pre, value: Float = 0,
                                        into buffer: inout [Float]) -> Int where C.Element == [Int] {
    let length = resolvedPadLength(seqs, maxLength)
    let total = seqs.count * length
    if buffer.count > total {
        buffer.removeLast(buffer.count - total)
    } else if buffer.count < total {
        buffer.append(contentsOf: repeatElement(value, count: total - buffer.count))
    }
    buffer.withUnsafeMutableBufferPointer { fillPadded(seqs, length: length, padding: padding,
                                                       truncating: truncating, value: value, into: $0) }
    return length
}

/// `padSequences` into caller-owned storage of exactly `seqs.count * maxLength` Floats
/// (e.g. a tensor's buffer reshaped to `[n, maxLength]`); throws
/// `TextDataError.bufferSize` otherwise.
public func padSequences<C: Collection>(_ seqs: C, maxLength: Int, padding: PadSide = .pre,
                                        truncating: PadSide = .pre, value: Float = 0,
                                        into buffer: UnsafeMutableBufferPointer<Float>) throws
where C.Element == [Int] {
    let length = max(0, maxLength)
    guard buffer.count == seqs.count * length else {
        throw TextDataError.bufferSize(what: "padSequences of \(seqs.count) sequences to length \(length)",
                                       expected: seqs.count * length, got: buffer.count)
    }
    fillPadded(seqs, length: length, padding: padding, truncating: truncating, value: value, into: buffer)
}

// MARK: - Shared rules

private func resolvedPadLength<C: Collection>(_ seqs: C, _ maxLength: Int?) -> Int where C.Element == [Int] {
    if let m = maxLength { return max(0, m) }
    return seqs.reduce(0) { max($0, $1.count) }
}

/// For a sequence of `count` items in a row of `length`: the source range kept and the
/// destination offset it is written to.
private func padPlacement(count: Int, length: Int, padding: PadSide,
                          truncating: PadSide) -> (src: Range<Int>, dst: Int) {
    let kept = min(count, length)
    let src = truncating == .pre ? (count - kept)..<count : 0..<kept
    let dst = padding == .pre ? length - kept : 0
    return (src, dst)
}

private func fillPadded<C: Collection>(_ seqs: C, length: Int, padding: PadSide, truncating: PadSide,
                                       value: Float, into out: UnsafeMutableBufferPointer<Float>)
where C.Element == [Int] {
    guard let base = out.baseAddress else { return }
    var row = base
    for s in seqs {
        row.update(repeating: value, count: length)
        let (src, dst) = padPlacement(count: s.count, length: length, padding: padding, truncating: truncating)
        s.withUnsafeBufferPointer { p in
            for k in 0..<src.count { row[dst + k] = Float(p[src.lowerBound + k]) }
        }
        row += length
    }
}
