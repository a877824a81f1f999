/// A terminal colour: the terminal's own default, or an index into the 256-colour palette
/// (0–7 are the basic colours every colour terminal has, 8–15 their bright variants).
public enum TerminalColor: Hashable, Sendable, CustomStringConvertible {
    case terminalDefault
    case index(UInt8)

    public static let black = TerminalColor.index(0)
    public static let red = TerminalColor.index(1)
    public static let green = TerminalColor.index(2)
    public static let yellow = TerminalColor.index(3)
    public static let blue = TerminalColor.index(4)
    public static let magenta = TerminalColor.index(5)
    public static let cyan = TerminalColor.index(6)
    public static let white = TerminalColor.index(7)

    /// The eight basic names, in palette order.
    public static let basicNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    public var description: String {
        switch self {
        case .terminalDefault: return "default"
        case let .index(i) where i < 8: return Self.basicNames[Int(i)]
        case let .index(i) where i < 16: return "bright-" + Self.basicNames[Int(i) - 8]
        case let .index(i): return String(i)
        }
    }

    /// Parses a colour for 256-colour terminals: an integer 0–255, "default", one of the eight
    /// basic names or "bright-<name>", or "#rrggbb" (mapped to the nearest palette entry).
    public init?(value256 text: String) {
        let t = text.lowercased()
        if t == "default" {
            self = .terminalDefault
        } else if let i = Self.basicNames.firstIndex(of: t) {
            self = .index(UInt8(i))
        } else if t.hasPrefix("bright-"), let i = Self.basicNames.firstIndex(of: String(t.dropFirst(7))) {
            self = .index(UInt8(i + 8))
        } else if t.hasPrefix("#"), t.count == 7, let rgb = UInt32(t.dropFirst(), radix: 16) {
            self = .index(Self.nearest256(r: Int(rgb >> 16), g: Int((rgb >> 8) & 0xFF), b: Int(rgb & 0xFF)))
        } else {
            return nil
        }
    }

    /// Parses a colour for 8-colour terminals: 0–7, "default", or one of the eight basic names.
    public init?(value8 text: String) {
        let t = text.lowercased()
        if t == "default" {
            self = .terminalDefault
        } else if let i = Self.basicNames.firstIndex(of: t) {
            self = .index(UInt8(i))
        } else {
            return nil
        }
    }

    /// The xterm palette entry (16–255) closest to an RGB colour: the 6×6×6 cube or the
    /// 24-step grey ramp, whichever is nearer.
    public static func nearest256(r: Int, g: Int, b: Int) -> UInt8 {
        let levels = [0, 95, 135, 175, 215, 255]
        func cubeIndex(_ v: Int) -> Int {
            var best = 0
            for i in 1..<levels.count where abs(levels[i] - v) < abs(levels[best] - v) { best = i }
            return best
        }
        let (ri, gi, bi) = (cubeIndex(r), cubeIndex(g), cubeIndex(b))
        let cube = (levels[ri], levels[gi], levels[bi])
        let grey = max(0, min(23, ((r + g + b) / 3 - 8 + 5) / 10))
        let greyValue = 8 + grey * 10
        func dist(_ c: (Int, Int, Int)) -> Int {
            (c.0 - r) * (c.0 - r) + (c.1 - g) * (c.1 - g) + (c.2 - b) * (c.2 - b)
        }
        if dist((greyValue, greyValue, greyValue)) < dist(cube) { return UInt8(232 + grey) }
        return UInt8(16 + 36 * ri + 6 * gi + bi)
    }
}

/// How many colours the UI uses.
public enum ColorMode: Hashable, Sendable {
    /// No colour: attributes only (`NO_COLOR`, or a terminal without colours).
    case monochrome
    /// The basic eight colours: the theme's 8-colour fallback.
    case eight
    /// The 256-colour palette.
    case palette256

    /// The mode for a terminal reporting `colorCount` colours under `environment`. A non-empty
    /// `NO_COLOR` turns colour off (https://no-color.org).
    public static func detect(colorCount: Int, environment: [String: String]) -> ColorMode {
        if let v = environment["NO_COLOR"], !v.isEmpty { return .monochrome }
        if colorCount >= 256 { return .palette256 }
        if colorCount >= 8 { return .eight }
        return .monochrome
    }
}
