import Foundation

/// The layout of a labelled data set on disk.
public enum DatasetFormat: String, Codable, Sendable, CaseIterable {
    /// `label<TAB>text` lines, no header; the text is everything after the first tab
    /// (`LabelledTextReader`). The default for `.tsv` and `.txt`.
    case labelTabText = "label-tab-text"
    /// Tab-separated columns (no quoting), with or without a header; the text and label
    /// columns are chosen in `ReadOptions`. Used for `.tsv` / `.txt` when a column or
    /// `hasHeader` is given.
    case tsv
    /// Comma-separated values (RFC 4180 quoting: quoted fields may hold commas, quotes as "",
    /// and newlines), with or without a header. `.csv`.
    case csv
    /// One JSON object per line; the text and label under `ReadOptions.textKey` / `labelKey`.
    /// `.jsonl`, `.ndjson`.
    case jsonl
    /// One subfolder per class, named after its label, each `.txt` file inside (at any depth)
    /// one example, like Keras's `text_dataset_from_directory`.
    case directory

    /// The format implied by `path`: a directory, else its extension (case-insensitive). A
    /// `.tsv` / `.txt` file is `labelTabText` unless `options` chooses columns or a header,
    /// which makes it `tsv`.
    public static func inferred(path: String, options: ReadOptions = ReadOptions()) throws -> DatasetFormat {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw TextDataError.file(path: path, reason: "no such file or directory")
        }
        if isDir.boolValue { return .directory }
        let ext = (path as NSString).pathExtension.lowercased()
        switch ext {
        case "tsv", "txt":
            return options.choosesColumns ? .tsv : .labelTabText
        case "csv":
            return .csv
        case "jsonl", "ndjson":
            return .jsonl
        default:
            let shown = ext.isEmpty ? "no extension" : "the extension '.\(ext)'"
            throw TextDataError.file(
                path: path,
                reason: "cannot tell the data set format from \(shown) (expected .tsv, .txt, .csv, .jsonl, .ndjson or a directory); choose the format explicitly")
        }
    }
}

/// How to find the text and label in a data set file.
public struct ReadOptions: Sendable, Equatable, Codable {
    /// A column of a TSV or CSV file: by header name, or by 0-based index.
    public enum Column: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
                        CustomStringConvertible {
        case name(String)
        case index(Int)

        /// A command-line value: only ASCII digits → an index, anything else → a name.
        public init(parsing text: String) {
            if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let i = Int(text) {
                self = .index(i)
            } else {
                self = .name(text)
            }
        }
        public init(stringLiteral value: String) { self = .name(value) }
        public init(integerLiteral value: Int) { self = .index(value) }

        public var description: String {
            switch self {
            case .name(let n): return "'\(n)'"
            case .index(let i): return "\(i)"
            }
        }
    }

    /// TSV / CSV: the text column. Default: the column named `text` with a header, else index 1.
    public var textColumn: Column?
    /// TSV / CSV: the label column. Default: the column named `label` with a header, else index 0.
    public var labelColumn: Column?
    /// TSV / CSV: whether the first non-blank record names the columns. Default true.
    public var hasHeader: Bool?
    /// JSONL: the key of the text (a string). Default `text`.
    public var textKey: String?
    /// JSONL: the key of the label (a string, an integer or a boolean). Default `label`.
    public var labelKey: String?

    public init(textColumn: Column? = nil, labelColumn: Column? = nil, hasHeader: Bool? = nil,
                textKey: String? = nil, labelKey: String? = nil) {
        self.textColumn = textColumn
        self.labelColumn = labelColumn
        self.hasHeader = hasHeader
        self.textKey = textKey
        self.labelKey = labelKey
    }

    /// Any TSV / CSV option set.
    var choosesColumns: Bool { textColumn != nil || labelColumn != nil || hasHeader != nil }
    /// Any JSONL option set.
    var choosesKeys: Bool { textKey != nil || labelKey != nil }
}

/// A column is stored as its name (a JSON string) or its index (a JSON integer).
extension ReadOptions.Column: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) {
            self = .index(i)
        } else {
            self = .name(try c.decode(String.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .name(let n): try c.encode(n)
        case .index(let i): try c.encode(i)
        }
    }
}
