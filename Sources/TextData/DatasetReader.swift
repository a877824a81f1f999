import Foundation

/// Reads a labelled data set in any supported layout (see `DatasetFormat`), streaming record
/// by record: only the kept examples stay in memory.
///
/// Common rules, for every format:
/// - UTF-8, with or without a byte order mark; `\n`, `\r\n` or `\r` line ends. Invalid UTF-8
///   throws `TextDataError.invalidUTF8` naming the file, line and byte.
/// - Only regular files are read (a folder for the folder-per-class layout): a FIFO or a
///   device is refused before reading. A line (a CSV record, a folder's text file) longer
///   than 8 MiB is an error, so input without line breaks cannot grow without bound.
/// - A data set without a single example is an error naming it (`read`).
/// - Blank lines / records are skipped. The label has surrounding ASCII whitespace removed and
///   must not be empty; the text is kept as it is (it may be empty).
/// - Every error names the file (for a folder: the file inside it), the 1-based line where the
///   record starts, and what was expected, e.g.
///   `data.csv:12: expected at least 2 fields (label column 0, text column 1), found 1 field`.
///   Input quoted in a message has its control characters escaped (`Quoted`).
public enum DatasetReader {
    /// Every example of the data set at `path`, in file order (for a folder: labels sorted,
    /// then files sorted). `format` nil infers it from the path (`DatasetFormat.inferred`).
    /// A data set without a single example throws `TextDataError.file` naming it.
    public static func read(path: String, format: DatasetFormat? = nil,
                            options: ReadOptions = ReadOptions()) throws -> [LabelledText] {
        var out: [LabelledText] = []
        try forEach(path: path, format: format, options: options) { out.append($0) }
        if out.isEmpty { throw TextDataError.file(path: path, reason: "no examples (the data set is empty or holds only blank lines)") }
        return out
    }

    /// Calls `body` for every example, in the order `read` returns them, without keeping them.
    public static func forEach(path: String, format: DatasetFormat? = nil, options: ReadOptions = ReadOptions(),
                               _ body: (LabelledText) throws -> Void) throws {
        try forEachLocated(path: path, format: format, options: options) { example, _, _ in try body(example) }
    }

    /// Throws for the first example whose label is not one of `known` (the training data's
    /// labels), naming its file and line: `valid.tsv:3: expected one of the training data's
    /// labels ('neg', 'pos'), found the label 'zzz'`.
    public static func checkLabels(path: String, format: DatasetFormat? = nil, options: ReadOptions = ReadOptions(),
                                   known: [String]) throws {
        let set = Set(known)
        let shown = known.prefix(20).map { "'\($0)'" }.joined(separator: ", ") + (known.count > 20 ? ", … (\(known.count) in all)" : "")
        try forEachLocated(path: path, format: format, options: options) { example, file, line in
            guard !set.contains(example.label) else { return }
            guard let line else {
                throw TextDataError.file(path: file, reason: "its folder's label '\(example.label)' is not one of the training data's labels (\(shown))")
            }
            throw TextDataError.malformedLine(path: file, line: line, expected: "one of the training data's labels (\(shown))",
                                              found: "the label '\(example.label)'")
        }
    }

    /// `body` gets each example with its file (the data set's path, or for a folder the
    /// example's own file) and the 1-based line where its record starts (nil for a folder).
    static func forEachLocated(path: String, format: DatasetFormat?, options: ReadOptions,
                               _ body: (LabelledText, String, Int?) throws -> Void) throws {
        let format = try format ?? DatasetFormat.inferred(path: path, options: options)
        if options.choosesColumns && format != .tsv && format != .csv {
            throw TextDataError.invalidConfiguration(
                what: path, reason: "text/label columns and hasHeader apply to the tsv and csv formats, not \(format.rawValue)")
        }
        if options.choosesKeys && format != .jsonl {
            throw TextDataError.invalidConfiguration(
                what: path, reason: "text/label keys apply to the jsonl format, not \(format.rawValue)")
        }
        switch format {
        case .labelTabText:
            try LabelledTextReader(path: path).forEachWithLine { try body($0, path, $1) }
        case .tsv:
            var table = try TableRecords(path: path, options: options)
            try LineReader(path: path, chunkSize: 64 * 1024).forEachLine { number, bytes in
                if bytes.allSatisfy(LabelledTextReader.isASCIIWhitespace) { return }
                let line = try decodeUTF8(bytes, path: path, line: number)
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                if let example = try table.consume(fields, line: number) { try body(example, path, number) }
            }
        case .csv:
            try CSVRecords.forEach(path: path, options: options) { try body($0, path, $1) }
        case .jsonl:
            try JSONLinesRecords.forEach(path: path, options: options) { try body($0, path, $1) }
        case .directory:
            try FolderRecords.forEach(path: path) { try body($0, $1, nil) }
        }
    }

    /// A line as a String, or `TextDataError.invalidUTF8` naming the first bad byte.
    static func decodeUTF8(_ bytes: ArraySlice<UInt8>, path: String, line: Int) throws -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else {
            let bad = LabelledTextReader.firstInvalidByte(bytes)
            throw TextDataError.invalidUTF8(path: path, line: line, byte: bad + 1, value: bytes[bytes.startIndex + bad])
        }
        return s
    }

    /// The first invalid UTF-8 byte of a file, as `TextDataError.invalidUTF8` with its line, or
    /// nil if the whole file is valid. For readers that learn of bad bytes without a position.
    static func locateInvalidUTF8(path: String) throws -> TextDataError? {
        var found: TextDataError?
        struct Stop: Error {}
        do {
            try LineReader(path: path, chunkSize: 64 * 1024).forEachLine { number, bytes in
                if String(validating: bytes, as: UTF8.self) == nil {
                    let bad = LabelledTextReader.firstInvalidByte(bytes)
                    found = .invalidUTF8(path: path, line: number, byte: bad + 1, value: bytes[bytes.startIndex + bad])
                    throw Stop()
                }
            }
        } catch is Stop {}
        return found
    }
}

/// Column-based records (TSV, CSV): finds the text and label columns from the options and
/// the header, then turns each record into an example.
struct TableRecords {
    let path: String
    let hasHeader: Bool
    let textColumn: ReadOptions.Column
    let labelColumn: ReadOptions.Column
    /// Resolved indices; nil until the header has been read.
    private(set) var text: Int?
    private(set) var label: Int?

    init(path: String, options: ReadOptions) throws {
        self.path = path
        hasHeader = options.hasHeader ?? true
        textColumn = options.textColumn ?? (hasHeader ? .name("text") : .index(1))
        labelColumn = options.labelColumn ?? (hasHeader ? .name("label") : .index(0))
        for (role, col) in [("text", textColumn), ("label", labelColumn)] {
            switch col {
            case .index(let i) where i < 0:
                throw TextDataError.invalidConfiguration(
                    what: path, reason: "\(role) column \(i) is negative (expected a 0-based index)")
            case .name(let n) where !hasHeader:
                throw TextDataError.invalidConfiguration(
                    what: path, reason: "\(role) column '\(n)' is chosen by name, but the file has no header (hasHeader is false)")
            default: break
            }
        }
        if !hasHeader, case .index(let t) = textColumn, case .index(let l) = labelColumn {
            try Self.checkDistinct(text: t, label: l, path: path)
            text = t
            label = l
        }
    }

    private static func checkDistinct(text: Int, label: Int, path: String) throws {
        if text == label {
            throw TextDataError.invalidConfiguration(
                what: path, reason: "the text and label columns are the same column (\(text))")
        }
    }

    /// The example of one record, or nil for a blank record or the header.
    mutating func consume<S: StringProtocol>(_ fields: [S], line: Int) throws -> LabelledText? {
        if fields.count == 1 && fields[0].utf8.allSatisfy(LabelledTextReader.isASCIIWhitespace) { return nil }
        guard let t = text, let l = label else {
            try readHeader(fields.map { String($0) }, line: line)
            return nil
        }
        let needed = max(t, l) + 1
        guard fields.count >= needed else {
            throw TextDataError.malformedLine(
                path: path, line: line,
                expected: "at least \(needed) fields (\(columnsDescription))",
                found: fields.count == 1 ? "1 field" : "\(fields.count) fields")
        }
        let labelText = Substring(fields[l]).trimmingASCIIWhitespace()
        guard !labelText.isEmpty else {
            throw TextDataError.malformedLine(path: path, line: line, expected: "a label in column \(labelColumnName)",
                                              found: "an empty label")
        }
        return LabelledText(label: labelText, text: String(fields[t]))
    }

    private var labelColumnName: String {
        if case .name(let n) = labelColumn, let l = label { return "'\(n)' (\(l))" }
        return "\(label ?? 0)"
    }

    private var columnsDescription: String {
        func show(_ c: ReadOptions.Column, _ i: Int?) -> String {
            if case .name(let n) = c, let i { return "'\(n)' (\(i))" }
            return "\(i ?? 0)"
        }
        return "label column \(show(labelColumn, label)), text column \(show(textColumn, text))"
    }

    private mutating func readHeader(_ header: [String], line: Int) throws {
        func find(_ c: ReadOptions.Column) throws -> Int {
            switch c {
            case .index(let i):
                guard i < header.count else {
                    throw TextDataError.malformedLine(
                        path: path, line: line, expected: "a header with a column \(i) (counted from 0)",
                        found: "\(header.count) column\(header.count == 1 ? "" : "s"): \(Self.list(header))")
                }
                return i
            case .name(let n):
                if let i = header.firstIndex(where: { ExactKey($0) == ExactKey(n) }) { return i }
                // Else a unique match ignoring case and surrounding whitespace.
                let want = n.trimmingCharacters(in: .whitespaces).lowercased()
                let loose = header.indices.filter {
                    header[$0].trimmingCharacters(in: .whitespaces).lowercased() == want
                }
                if loose.count == 1 { return loose[0] }
                throw TextDataError.malformedLine(
                    path: path, line: line, expected: "a column '\(n)' in the header",
                    found: loose.isEmpty ? "columns \(Self.list(header))"
                        : "\(loose.count) columns matching it: \(Self.list(loose.map { header[$0] }))")
            }
        }
        let t = try find(textColumn)
        let l = try find(labelColumn)
        try Self.checkDistinct(text: t, label: l, path: path)
        text = t
        label = l
    }

    /// Column names for messages: quoted, at most 20.
    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(20).map { "'\($0)'" }.joined(separator: ", ")
        return names.count > 20 ? shown + ", … (\(names.count) in all)" : shown
    }
}
