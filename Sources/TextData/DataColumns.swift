import CSV
import Foundation

/// The first records of a data file as raw cells, and a guess of its text and label columns:
/// what the workbench shows before the user confirms how to read a file. Pure apart from
/// reading at most `limit` records.
public struct DataSample: Sendable, Equatable {
    /// The format the sample was read in.
    public var format: DatasetFormat
    /// Whether the first record is taken as the header (CSV / TSV).
    public var hasHeader: Bool
    /// Column names: the header's cells, the JSONL keys of the first object, or "0", "1", …
    /// for a table without a header; empty for `label-tab-text` and folders.
    public var columns: [String]
    /// The records after the header, cells in column order (JSONL values as text).
    public var rows: [[String]]

    public init(format: DatasetFormat, hasHeader: Bool, columns: [String], rows: [[String]]) {
        self.format = format
        self.hasHeader = hasHeader
        self.columns = columns
        self.rows = rows
    }
}

public enum DataColumns {
    /// Records sampled for a guess.
    public static let sampleSize = 200

    /// The format to read `path` in when none is chosen: as `DatasetFormat.inferred`, except
    /// that a `.tsv` / `.txt` file whose first line is only column names (`text<TAB>label`) is
    /// a TSV with a header, not `label<TAB>text` data with a header row read as an example.
    public static func guessFormat(path: String) throws -> (format: DatasetFormat, hasHeader: Bool?) {
        let format = try DatasetFormat.inferred(path: path)
        guard format == .labelTabText else { return (format, nil) }
        guard let first = try firstLineCells(path: path, separator: "\t"), first.count >= 2,
              first.allSatisfy(DataWarnings.isColumnName) else { return (format, nil) }
        return (.tsv, true)
    }

    /// The first `limit` records of `path` as cells (a folder gives no records).
    public static func sample(path: String, format: DatasetFormat, hasHeader: Bool?, limit: Int = sampleSize) throws -> DataSample {
        let header = hasHeader ?? true
        var rows: [[String]] = []
        struct Enough: Error {}
        switch format {
        case .tsv, .labelTabText:
            do {
                try LineReader(path: path, chunkSize: 64 * 1024).forEachLine { number, bytes in
                    if bytes.allSatisfy(LabelledTextReader.isASCIIWhitespace) { return }
                    var line = try DatasetReader.decodeUTF8(bytes, path: path, line: number)
                    if rows.isEmpty, line.hasPrefix("\u{FEFF}") { line.removeFirst() }
                    if format == .labelTabText {
                        rows.append(line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).map(String.init))
                    } else {
                        rows.append(line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init))
                    }
                    if rows.count > limit { throw Enough() }
                }
            } catch is Enough {}
            if format == .labelTabText { return DataSample(format: format, hasHeader: false, columns: [], rows: rows) }
        case .csv:
            try CSVRecords.checkQuotesAndLengths(path: path)
            guard let stream = InputStream(fileAtPath: path), let reader = try? CSVReader(stream: stream, hasHeaderRow: false, trimFields: false) else {
                throw TextDataError.file(path: path, reason: "cannot open for reading")
            }
            while rows.count <= limit, var fields = reader.next() {
                if fields.count == 1 && fields[0].utf8.allSatisfy(LabelledTextReader.isASCIIWhitespace) { continue }
                if rows.isEmpty, let first = fields.first, first.hasPrefix("\u{FEFF}") { fields[0] = String(first.dropFirst()) }
                rows.append(fields)
            }
        case .jsonl:
            var keys: [String] = []
            do {
                try LineReader(path: path, chunkSize: 64 * 1024).forEachLine { number, bytes in
                    if bytes.allSatisfy(LabelledTextReader.isASCIIWhitespace) { return }
                    guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return }
                    if keys.isEmpty { keys = object.keys.sorted() }
                    rows.append(keys.map { k in object[k].map { "\($0)" } ?? "" })
                    if rows.count >= limit { throw Enough() }
                }
            } catch is Enough {}
            return DataSample(format: format, hasHeader: false, columns: keys, rows: rows)
        case .directory:
            return DataSample(format: format, hasHeader: false, columns: [], rows: [])
        }
        if header, !rows.isEmpty {
            let names = rows.removeFirst()
            return DataSample(format: format, hasHeader: true, columns: names, rows: Array(rows.prefix(limit)))
        }
        let width = rows.map(\.count).max() ?? 0
        return DataSample(format: format, hasHeader: false, columns: (0..<width).map(String.init), rows: Array(rows.prefix(limit)))
    }

    /// The text and label columns of a sample (indices into `columns`), or nil when there are
    /// fewer than two. A column named like a label (`label`, `category`, `class`…) or a text
    /// (`text`, `review`, `sentence`…) is taken first; otherwise the label is the column with
    /// the fewest distinct short values and the text the one with the longest values.
    public static func guess(_ sample: DataSample) -> (text: Int, label: Int)? {
        let n = sample.columns.count
        guard n >= 2 else { return nil }
        let names = sample.columns.map { Substring($0).trimmingASCIIWhitespace().lowercased() }
        let labelNames = ["label", "labels", "category", "class", "target", "sentiment", "intent", "topic", "tag", "polarity", "y"]
        let textNames = ["text", "sentence", "review", "content", "body", "document", "message", "tweet", "comment", "question", "x", "title"]
        func cells(_ c: Int) -> [String] { sample.rows.map { c < $0.count ? $0[c] : "" } }
        func meanLength(_ c: Int) -> Double {
            let v = cells(c)
            return v.isEmpty ? 0 : Double(v.reduce(0) { $0 + $1.unicodeScalars.count }) / Double(v.count)
        }
        func distinct(_ c: Int) -> Int { Set(cells(c)).count }
        let columns = Array(0..<n)
        // Columns whose values are all distinct numbers are ids, neither text nor label.
        let ids = Set(columns.filter { c in
            let v = cells(c)
            return v.count > 1 && v.allSatisfy { Int($0) != nil } && Set(v).count == v.count
        })
        let text = textNames.lazy.compactMap { names.firstIndex(of: $0) }.first
            ?? columns.filter { !ids.contains($0) }.max { meanLength($0) < meanLength($1) }
        guard let text else { return nil }
        let label = labelNames.lazy.compactMap { names.firstIndex(of: $0) }.first(where: { $0 != text })
            ?? columns.filter { $0 != text && !ids.contains($0) }.min { (distinct($0), meanLength($0)) < (distinct($1), meanLength($1)) }
            ?? columns.first { $0 != text }
        guard let label else { return nil }
        return (text, label)
    }

    /// The cells of the first non-blank line split at `separator`, or nil for an empty file.
    static func firstLineCells(path: String, separator: Character) throws -> [String]? {
        struct Found: Error { let cells: [String] }
        do {
            try LineReader(path: path, chunkSize: 64 * 1024).forEachLine { number, bytes in
                if bytes.allSatisfy(LabelledTextReader.isASCIIWhitespace) { return }
                var line = try DatasetReader.decodeUTF8(bytes, path: path, line: number)
                if line.hasPrefix("\u{FEFF}") { line.removeFirst() }
                throw Found(cells: line.split(separator: separator, omittingEmptySubsequences: false).map(String.init))
            }
        } catch let f as Found {
            return f.cells
        }
        return nil
    }
}
