/// Opening a data file from the workbench, as values: the UI lists folders, previews a file
/// and asks for a summary through the service (`WorkbenchService.listDirectory`,
/// `previewData`, `newSession(named:data:)`) and does no file I/O of its own.

/// One entry of a folder listing.
public struct FileEntry: Hashable, Sendable {
    public var name: String
    public var isDirectory: Bool
    /// Bytes (files only).
    public var size: Int?
    /// A data set the reader can open by its extension (.tsv, .txt, .csv, .jsonl, .ndjson).
    public var isDataFile: Bool

    public init(name: String, isDirectory: Bool, size: Int? = nil, isDataFile: Bool = false) {
        self.name = name
        self.isDirectory = isDirectory
        self.size = size
        self.isDataFile = isDataFile
    }
}

/// A folder's readable subfolders and files, folders first, each group by name.
public struct DirectoryListing: Hashable, Sendable {
    /// The folder's absolute path.
    public var path: String
    /// Its parent (nil at the root).
    public var parent: String?
    public var entries: [FileEntry]

    public init(path: String, parent: String?, entries: [FileEntry]) {
        self.path = path
        self.parent = parent
        self.entries = entries
    }

    /// The path of an entry of this folder.
    public func path(of entry: FileEntry) -> String {
        path.hasSuffix("/") ? path + entry.name : path + "/" + entry.name
    }
}

public enum DirectoryResult: Hashable, Sendable {
    case listed(DirectoryListing)
    case refused(String)
}

/// How to read a data file: the format and columns as the `train` flags name them
/// (`--format`, `--text-column`, `--label-column`, `--header`, `--text-key`, `--label-key`);
/// nil leaves each to the reader's default or the service's guess.
public struct DataReading: Hashable, Sendable {
    public var format: String?
    /// CSV / TSV: a column name (with a header) or a 0-based index; JSONL: a key.
    public var textColumn: String?
    public var labelColumn: String?
    /// CSV / TSV: whether the first row names the columns.
    public var header: Bool?

    public init(format: String? = nil, textColumn: String? = nil, labelColumn: String? = nil, header: Bool? = nil) {
        self.format = format
        self.textColumn = textColumn
        self.labelColumn = labelColumn
        self.header = header
    }
}

/// What a data file holds as the reader parses it with a reading (the service's guess of
/// the columns filled in), and, when it could be read whole, its summary.
public struct DataPreview: Hashable, Sendable {
    public var path: String
    /// The format read (`label-tab-text`, `tsv`, `csv`, `jsonl`, `directory`).
    public var format: String
    /// The reading used, every choice filled in (the guess when none was given).
    public var reading: DataReading
    /// The columns (or JSONL keys) to choose the text and label from; empty when the format
    /// fixes them (`label-tab-text`, `directory`).
    public var columns: [String]
    /// The first examples, as (label, text).
    public var rows: [PreviewRow]
    /// The whole file's summary, or why it could not be read with this reading.
    public var summary: DataSummary?
    public var problem: String?

    public init(path: String, format: String, reading: DataReading, columns: [String], rows: [PreviewRow],
                summary: DataSummary?, problem: String?) {
        self.path = path
        self.format = format
        self.reading = reading
        self.columns = columns
        self.rows = rows
        self.summary = summary
        self.problem = problem
    }
}

public struct PreviewRow: Hashable, Sendable {
    public var label: String
    public var text: String
    public init(label: String, text: String) {
        self.label = label
        self.text = text
    }
}

/// A data set in numbers: examples, classes with counts (largest first), text lengths in
/// characters (nearest-rank percentiles), and what looks wrong (`TextData.DataWarnings`).
public struct DataSummary: Hashable, Sendable {
    public struct ClassCount: Hashable, Sendable {
        public var label: String
        public var count: Int
        public init(label: String, count: Int) {
            self.label = label
            self.count = count
        }
    }

    public var examples: Int
    public var classes: [ClassCount]
    public var lengthP50: Int
    public var lengthP90: Int
    public var lengthP99: Int
    public var lengthMax: Int
    public var warnings: [String]

    public init(examples: Int, classes: [ClassCount], lengthP50: Int, lengthP90: Int, lengthP99: Int, lengthMax: Int,
                warnings: [String]) {
        self.examples = examples
        self.classes = classes
        self.lengthP50 = lengthP50
        self.lengthP90 = lengthP90
        self.lengthP99 = lengthP99
        self.lengthMax = lengthMax
        self.warnings = warnings
    }

    /// The smallest class's share of the largest (1: balanced).
    public var balance: Double {
        guard let top = classes.map(\.count).max(), let bottom = classes.map(\.count).min(), top > 0 else { return 1 }
        return Double(bottom) / Double(top)
    }
}

public enum DataPreviewResult: Hashable, Sendable {
    case preview(DataPreview)
    case refused(String)
}

/// The data-file part of the service. Default answers refuse, so a service that offers no
/// data files (a fake, a demo) need not implement them.
public protocol DataFileService: Sendable {
    /// The folder at `path` (nil: the working directory).
    func listDirectory(_ path: String?) async -> DirectoryResult
    /// The file at `path` read with `reading` (the service guesses what is nil).
    func previewData(path: String, reading: DataReading) async -> DataPreviewResult
    /// A new session named `name` on the file, read with `reading`; a session of that name
    /// that exists is refused (never reused for another file).
    func newSession(named name: String, data path: String, reading: DataReading) async -> SessionResult
}

extension WorkbenchService {
    /// The service's data-file part, if it has one.
    var dataFiles: (any DataFileService)? { self as? any DataFileService }
}

/// The session name a data file suggests: its folder's name for `train.*`, else its name
/// without the extension, kept to the characters a session name allows.
public func suggestedSessionName(forDataFile path: String) -> String {
    let parts = path.split(separator: "/").map(String.init)
    guard let file = parts.last else { return "data" }
    let stem = file.lastIndex(of: ".").map { String(file[..<$0]) } ?? file
    let base = stem == "train" && parts.count > 1 ? parts[parts.count - 2] : stem
    let cleaned = String(base.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
    return cleaned.isEmpty ? "data" : cleaned
}
