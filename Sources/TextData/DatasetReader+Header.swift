import CSV
import Foundation

extension DatasetReader {
    /// The header row's cells of a CSV / TSV data set read with a header (the default for
    /// those formats), else nil: what `DataWarnings.check(_:header:)` compares with the data.
    /// The file is checked as `read` checks it (bounded lines, closed quotes, UTF-8).
    public static func header(path: String, format: DatasetFormat? = nil, options: ReadOptions = ReadOptions()) throws -> [String]? {
        let format = try format ?? DatasetFormat.inferred(path: path, options: options)
        guard format == .tsv || format == .csv, options.hasHeader ?? true else { return nil }
        struct Found: Error { let cells: [String] }
        do {
            switch format {
            case .tsv:
                try LineReader(path: path, chunkSize: 64 * 1024).forEachLine { number, bytes in
                    if bytes.allSatisfy(LabelledTextReader.isASCIIWhitespace) { return }
                    let line = try decodeUTF8(bytes, path: path, line: number)
                    throw Found(cells: line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init))
                }
            default:
                try CSVRecords.checkQuotesAndLengths(path: path)
                guard let stream = InputStream(fileAtPath: path), let reader = try? CSVReader(stream: stream, hasHeaderRow: false, trimFields: false) else {
                    throw TextDataError.file(path: path, reason: "cannot open for reading")
                }
                while let fields = reader.next() {
                    if fields.count == 1 && fields[0].utf8.allSatisfy(LabelledTextReader.isASCIIWhitespace) { continue }
                    throw Found(cells: fields)
                }
            }
        } catch let found as Found {
            var cells = found.cells
            if let first = cells.first, first.hasPrefix("\u{FEFF}") { cells[0] = String(first.dropFirst()) }
            return cells
        }
        return nil
    }

    /// The warnings for the data set at `path` read with these options (`DataWarnings`):
    /// what `train`, `data inspect` and the workbench show before training.
    public static func warnings(for examples: [LabelledText], path: String, format: DatasetFormat? = nil,
                                options: ReadOptions = ReadOptions()) -> [DataWarning] {
        let header = (try? header(path: path, format: format, options: options)) ?? nil
        return DataWarnings.check(examples, header: header)
    }
}
