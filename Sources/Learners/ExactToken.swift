/// A dictionary key equal only for identical code units: cheaper than `String`, whose keys
/// compare by canonical equivalence and hash the normalised text (slow for non-ASCII). A
/// spelling of up to 15 UTF-8 bytes (a character, a character bigram, most words) is packed
/// into two integers with its length, so hashing and comparing it is integer work; longer
/// ones keep the string and compare byte by byte.
struct ExactToken: Hashable, Sendable {
    /// Bytes 0…7, then bytes 8…14 with the length in the top byte (`UInt64.max`: see `long`).
    private let low: UInt64
    private let high: UInt64
    private let long: String?

    init(_ string: String) {
        var copy = string
        let packed = copy.withUTF8 { bytes -> (UInt64, UInt64)? in
            guard bytes.count <= 15 else { return nil }
            var low: UInt64 = 0, high: UInt64 = 0
            for (i, byte) in bytes.enumerated() {
                if i < 8 { low |= UInt64(byte) << (8 * i) } else { high |= UInt64(byte) << (8 * (i - 8)) }
            }
            return (low, high | UInt64(bytes.count) << 56)
        }
        if let (low, high) = packed {
            self.low = low
            self.high = high
            long = nil
        } else {
            low = 0
            high = .max
            long = string
        }
    }

    static func == (a: ExactToken, b: ExactToken) -> Bool {
        guard a.low == b.low, a.high == b.high else { return false }
        guard let x = a.long, let y = b.long else { return true }
        return x.utf8.elementsEqual(y.utf8)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(low)
        hasher.combine(high)
        if let long {
            for byte in long.utf8 { hasher.combine(byte) }
        }
    }
}

/// A `[String: V]` lookup that first tries the exact spelling. Swift's `String` keys compare
/// by canonical equivalence and hash the normalised text, which is the slow part of looking a
/// non-ASCII token up; a token spelled exactly as a key (the usual case) is found through
/// `ExactToken` instead, and only the rest fall back to the `String` lookup, so every answer
/// is the one `[String: V]` would give. Keys must be distinct as Swift strings.
struct TokenIndex<Value>: Sendable where Value: Sendable {
    private let exact: [ExactToken: Value]
    private let canonical: [String: Value]

    init(_ pairs: [(String, Value)]) {
        var exact: [ExactToken: Value] = [:], canonical: [String: Value] = [:]
        exact.reserveCapacity(pairs.count)
        canonical.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            exact[ExactToken(key)] = value
            canonical[key] = value
        }
        self.exact = exact
        self.canonical = canonical
    }

    var count: Int { canonical.count }

    subscript(key: String) -> Value? {
        if let v = exact[ExactToken(key)] { return v }
        return canonical[key]
    }
}
