// What TOML.swift's reader returns: values and tables.

/// A TOML value.
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case array([TOMLValue])
    case table(TOMLTable)

    public var string: String? { if case let .string(s) = self { return s }; return nil }
    public var int: Int? { if case let .integer(i) = self { return Int(exactly: i) }; return nil }
    public var double: Double? { if case let .float(d) = self { return d }; return nil }
    public var bool: Bool? { if case let .boolean(b) = self { return b }; return nil }
    public var array: [TOMLValue]? { if case let .array(a) = self { return a }; return nil }
    public var table: TOMLTable? { if case let .table(t) = self { return t }; return nil }
}

/// A TOML table: keys to values (the order of the file is not kept).
public struct TOMLTable: Equatable, Sendable {
    public private(set) var values: [String: TOMLValue] = [:]

    public init() {}

    public var keys: Dictionary<String, TOMLValue>.Keys { values.keys }
    public subscript(key: String) -> TOMLValue? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// Parses a whole document. Errors are `TerminalUIError.syntax` with `path`.
    public static func parse(_ text: String, path: String) throws -> TOMLTable {
        var parser = TOMLParser(text, path: path)
        return try parser.document()
    }
}
