/// Session names become folder names under the sessions folder, so they are checked:
/// not empty, at most 100 UTF-8 bytes, no `/` or `\`, no `..`, no control or format characters
/// (Unicode Cc, Cf, line and paragraph separators), not starting with `.` (hidden and
/// temporary folders) and no leading or trailing whitespace.
public enum SessionName {
    public static let maxBytes = 100

    /// Throws `SessionError.invalidName` saying what is wrong.
    public static func validate(_ name: String) throws {
        func fail(_ why: String) -> SessionError { .invalidName(name, reason: why) }
        if name.isEmpty { throw fail("it is empty") }
        if name.utf8.count > maxBytes { throw fail("it is longer than \(maxBytes) bytes") }
        if name.contains("/") || name.contains("\\") { throw fail("it contains a path separator ('/' or '\\')") }
        if name.contains("..") { throw fail("it contains '..'") }
        if name.hasPrefix(".") { throw fail("it starts with '.'") }
        for s in name.unicodeScalars {
            switch s.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse:
                throw fail("it contains the control or invisible character U+\(String(s.value, radix: 16, uppercase: true))")
            default: break
            }
        }
        if name.first!.isWhitespace || name.last!.isWhitespace { throw fail("it starts or ends with whitespace") }
    }

    public static func isValid(_ name: String) -> Bool { (try? validate(name)) != nil }
}
