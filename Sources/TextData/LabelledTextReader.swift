/// Reads `label<TAB>text` files (the layout of Data/*/train.tsv), streaming line by
/// line in chunks.
///
/// - UTF-8, with or without a byte order mark; `\n`, `\r\n` or `\r` line ends.
/// - Blank lines (empty, or only spaces, tabs and other ASCII whitespace) are skipped.
/// - The label is everything before the first tab, with surrounding whitespace removed, and
///   must not be empty; the text is everything after it, unchanged (it may be empty).
/// - Any other line throws a `TextDataError` naming the file, the 1-based line number and
///   what was expected, e.g. `data.tsv:17: expected label<TAB>text, found no tab`.
public struct LabelledTextReader: Sendable {
    public let path: String
    /// Bytes read from the file at a time.
    public let chunkSize: Int

    public init(path: String, chunkSize: Int = 64 * 1024) {
        self.path = path
        self.chunkSize = max(1, chunkSize)
    }

    /// Reads every example of the file at `path`.
    public static func read(_ path: String) throws -> [LabelledText] {
        try LabelledTextReader(path: path).readAll()
    }

    /// Every example, in file order.
    public func readAll() throws -> [LabelledText] {
        var out: [LabelledText] = []
        try forEach { out.append($0) }
        return out
    }

    /// Calls `body` for every example, in file order, without keeping them.
    public func forEach(_ body: (LabelledText) throws -> Void) throws {
        try forEachWithLine { example, _ in try body(example) }
    }

    /// The same, with each example's 1-based line.
    func forEachWithLine(_ body: (LabelledText, Int) throws -> Void) throws {
        try LineReader(path: path, chunkSize: chunkSize).forEachLine { number, bytes in
            if bytes.allSatisfy(Self.isASCIIWhitespace) { return }
            guard let line = String(validating: bytes, as: UTF8.self) else {
                let bad = Self.firstInvalidByte(bytes)
                throw TextDataError.invalidUTF8(path: path, line: number, byte: bad + 1,
                                                value: bytes[bytes.startIndex + bad])
            }
            guard let tab = line.firstIndex(of: "\t") else {
                throw TextDataError.malformedLine(path: path, line: number, expected: "label<TAB>text",
                                                  found: "no tab in \(Self.excerpt(line))")
            }
            let label = line[..<tab].trimmingASCIIWhitespace()
            guard !label.isEmpty else {
                throw TextDataError.malformedLine(path: path, line: number, expected: "label<TAB>text",
                                                  found: "an empty label")
            }
            try body(LabelledText(label: label, text: String(line[line.index(after: tab)...])), number)
        }
    }

    static func isASCIIWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D)
    }

    /// Offset (from 0) of the first byte that does not start a valid UTF-8 sequence.
    static func firstInvalidByte(_ bytes: ArraySlice<UInt8>) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var it = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &it) {
            case .valid(let encoded): offset += encoded.count
            case .error: return offset
            case .emptyInput: return max(0, bytes.count - 1)
            }
        }
    }

    /// The start of a line, quoted and with control characters escaped, for error messages.
    static func excerpt(_ line: String) -> String {
        Quoted.excerpt(line)
    }
}

extension Substring {
    func trimmingASCIIWhitespace() -> String {
        let ws: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        guard let first = firstIndex(where: { !ws($0) }), let last = lastIndex(where: { !ws($0) }) else { return "" }
        return String(self[first...last])
    }
}
