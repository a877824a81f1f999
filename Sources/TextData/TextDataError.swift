/// Every error the text pipeline throws. Descriptions name the file and 1-based line (for
/// input files), or the label / index / setting involved, and what was expected.
public enum TextDataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file that cannot be opened or read.
    case file(path: String, reason: String)
    /// A line of a `label<TAB>text` file that does not have that form.
    case malformedLine(path: String, line: Int, expected: String, found: String)
    /// A line that is not valid UTF-8; `byte` is the 1-based offset of the first bad byte
    /// in the line and `value` its value.
    case invalidUTF8(path: String, line: Int, byte: Int, value: UInt8)
    /// A label that the encoder was not fitted on.
    case unknownLabel(String, known: [String])
    /// A class index outside `0..<count`.
    case classIndexOutOfRange(Int, count: Int)
    /// A setting that cannot work (e.g. an empty `split` for a word-level tokenizer).
    case invalidConfiguration(what: String, reason: String)
    /// A caller's output buffer whose size does not match the padded batch.
    case bufferSize(what: String, expected: Int, got: Int)

    /// The message, with any control character from the input shown escaped (`Quoted`).
    public var description: String { Quoted.terminalSafe(rawDescription) }

    private var rawDescription: String {
        switch self {
        case let .file(path, reason):
            return "\(path): \(reason)"
        case let .malformedLine(path, line, expected, found):
            return "\(path):\(line): expected \(expected), found \(found)"
        case let .invalidUTF8(path, line, byte, value):
            let hex = String(value, radix: 16, uppercase: true)
            return "\(path):\(line): expected UTF-8 text, found invalid byte 0x\(hex.count == 1 ? "0" + hex : hex) at byte \(byte) of the line"
        case let .unknownLabel(label, known):
            let shown = known.prefix(20).map { "'\($0)'" }.joined(separator: ", ")
            let more = known.count > 20 ? ", … (\(known.count) in all)" : ""
            return "unknown label '\(label)' (expected one of: \(shown)\(more))"
        case let .classIndexOutOfRange(index, count):
            return "class index \(index) out of range (expected 0..<\(count))"
        case let .invalidConfiguration(what, reason):
            return "\(what): \(reason)"
        case let .bufferSize(what, expected, got):
            return "\(what): buffer holds \(got) elements, expected \(expected)"
        }
    }
}
