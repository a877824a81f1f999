import Basics
import Foundation

/// A small, fast, seedable generator (SplitMix64 seeding a xoshiro256**), so every run with
/// the same seed draws the same numbers on every platform.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    public private(set) var state: [UInt64]

    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        state = [seeder.next(), seeder.next(), seeder.next(), seeder.next()]
    }

    enum CodingKeys: String, CodingKey { case state }

    /// A saved state, checked: one that cannot drive the generator (`problem(with:)`) is a
    /// decoding error naming the field, never a generator that draws 0 for ever (a shuffle
    /// with it would never end).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let state = try c.decode([UInt64].self, forKey: .state)
        if let why = Self.problem(with: state) {
            throw DecodingError.dataCorruptedError(forKey: .state, in: c, debugDescription: why)
        }
        self.state = state
    }

    /// Why `state` cannot be a xoshiro256** state, or nil: it has four words, not all zero
    /// (from all zeros the generator never moves). Every other state lies on its one cycle of
    /// length 2^256 − 1: the generator never gets stuck.
    public static func problem(with state: [UInt64]) -> String? {
        guard state.count == 4 else { return "a xoshiro256** state has 4 words, got \(state.count)" }
        guard state.contains(where: { $0 != 0 }) else {
            return "an all-zero xoshiro256** state never changes: the generator would draw 0 for ever"
        }
        return nil
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotl(state[3], 45)
        return result
    }

     func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / Float(1 << 24))
    }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * nextUniform()
    }

    /// Standard normal (Box–Muller, in Double for accuracy).
    public mutating func normal() -> Double {
        var u1 = Double(next() >> 11) * (1.0 / 9007199254740992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9007199254740992.0)
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// A derived generator, so sub-systems (dropout, shuffling, initialisers) draw from
    /// independent streams that do not shift when another sub-system draws more.
    public mutating func fork() -> SeededGenerator {
        SeededGenerator(seed: next())
    }
}
