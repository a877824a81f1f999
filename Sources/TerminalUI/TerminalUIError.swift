/// Every error the terminal UI throws. Descriptions name the file and key (for theme and key
/// files) or the terminal condition, and what was expected.
public enum TerminalUIError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file that cannot be opened or read.
    case file(path: String, reason: String)
    /// A file that is not valid TOML; `line` and `column` are 1-based.
    case syntax(path: String, line: Int, column: Int, reason: String)
    /// A key (dotted, e.g. `colors.boder`) that the file's schema does not know.
    case unknownKey(path: String, key: String, known: [String])
    /// A key whose value is not what the schema expects.
    case invalidValue(path: String, key: String, expected: String, found: String)
    /// The interactive UI cannot start or run (no TTY, unusable TERM, …).
    case terminal(String)

    public var description: String {
        switch self {
        case let .file(path, reason):
            return "\(path): \(reason)"
        case let .syntax(path, line, column, reason):
            return "\(path):\(line):\(column): \(reason)"
        case let .unknownKey(path, key, known):
            let shown = known.prefix(40).joined(separator: ", ")
            let more = known.count > 40 ? ", … (\(known.count) in all)" : ""
            return "\(path): \(key): unknown key (expected one of: \(shown)\(more))"
        case let .invalidValue(path, key, expected, found):
            return "\(path): \(key): expected \(expected), found \(found)"
        case let .terminal(reason):
            return reason
        }
    }
}
