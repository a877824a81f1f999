/// Text attributes a cell can carry on top of its role's colours.
public struct TextAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = TextAttributes(rawValue: 1 << 0)
    public static let dim = TextAttributes(rawValue: 1 << 1)
    public static let reverse = TextAttributes(rawValue: 1 << 2)
    public static let underline = TextAttributes(rawValue: 1 << 3)

    /// Names as written in theme files, in a fixed order.
    public static let names: [(name: String, value: TextAttributes)] = [
        ("bold", .bold), ("dim", .dim), ("reverse", .reverse), ("underline", .underline),
    ]
}

/// How a cell is drawn: a theme role (its colours) and extra attributes.
public struct Style: Hashable, Sendable {
    public var role: ThemeRole
    public var attributes: TextAttributes

    public init(_ role: ThemeRole = .text, _ attributes: TextAttributes = []) {
        self.role = role
        self.attributes = attributes
    }

    public static let text = Style(.text)

    /// The same role with `extra` attributes added.
    public func with(_ extra: TextAttributes) -> Style {
        Style(role, attributes.union(extra))
    }
}
