/// SplitMix64 (Steele, Lea and Flood 2014): a small seeded generator whose output depends
/// only on the seed, on every platform and Swift version. Use `index(below:)` and
/// `shuffle(_:)` rather than the standard library's `random(in:using:)` / `shuffled(using:)`,
/// whose algorithms are not guaranteed to stay the same.
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable, Equatable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// What the state moves by at each draw (2^64 divided by the golden ratio, odd).
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// The output function: a state scrambled into a well-spread 64-bit word. Also a seed
    /// mixer on its own: `mix(s &+ k &* increment)` is the k-th draw of a generator seeded `s`.
    public static func mix(_ state: UInt64) -> UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<n` (Lemire's multiply-and-reject, unbiased); 0 when `n <= 1`.
    public mutating func index(below n: Int) -> Int {
        guard n > 1 else { return 0 }
        let bound = UInt64(n)
        let threshold = (0 &- bound) % bound      // 2^64 mod n
        while true {
            let (high, low) = next().multipliedFullWidth(by: bound)
            if low >= threshold { return Int(high) }
        }
    }

    /// Fisher–Yates shuffle in place, from the last element down.
    public mutating func shuffle<T>(_ a: inout [T]) {
        var i = a.count - 1
        while i > 0 {
            let j = index(below: i + 1)
            if i != j { a.swapAt(i, j) }
            i -= 1
        }
    }
}
