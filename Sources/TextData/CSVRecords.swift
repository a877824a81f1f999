import CSV
import Foundation

/// CSV data sets, parsed by CSV.swift (RFC 4180: quoted fields with commas, `""` and line
/// breaks) from a stream, so only the current record is held. CSV.swift does not count lines;
/// a record's line is worked out from the line breaks of the records before it.
enum CSVRecords {
    static func forEach(path: String, options: ReadOptions, _ body: (LabelledText) throws -> Void) throws {
        let handle = try LineReader.open(path)     // the same missing / directory / permission errors
        let head: Data
        do {
            head = try handle.read(upToCount: 2) ?? Data()
            try handle.close()
        } catch {
            throw TextDataError.file(path: path, reason: "read failed: \(error.localizedDescription)")
        }
        // CSV.swift would skip a UTF-16 byte order mark and read the rest as UTF-8.
        if head.count == 2, (head.first == 0xFF && head.last == 0xFE) || (head.first == 0xFE && head.last == 0xFF) {
            throw TextDataError.invalidUTF8(path: path, line: 1, byte: 1, value: head[head.startIndex])
        }
        guard let stream = InputStream(fileAtPath: path) else {
            throw TextDataError.file(path: path, reason: "cannot open for reading")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: false, trimFields: false)
        } catch {
            throw TextDataError.file(path: path, reason: "cannot open for reading (\(error))")
        }

        var table = try TableRecords(path: path, options: options)
        var line = 1
        while let fields = reader.next() {
            try check(reader, stream, path: path, line: line)
            let start = line
            line += 1
            for f in fields { line += f.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
            if let example = try table.consume(fields, line: start) { try body(example) }
        }
        try check(reader, stream, path: path, line: line)
    }

    /// Throws the reader's error, if any. On Linux the stream reports bytes available at the
    /// end of the file, so CSV.swift's last read fails with `cannotReadFile` there: that one,
    /// with the stream at its end, is the normal end of input.
    private static func check(_ reader: CSVReader, _ stream: InputStream, path: String, line: Int) throws {
        guard let e = reader.error else { return }
        if case CSVError.cannotReadFile = e, stream.streamStatus == .atEnd { return }
        throw try translate(e, path: path, line: line)
    }

    /// A CSV.swift error as a `TextDataError`; bad UTF-8 is located by a second scan.
    private static func translate(_ error: Error, path: String, line: Int) throws -> TextDataError {
        if case CSVError.unicodeDecoding = error, let located = try DatasetReader.locateInvalidUTF8(path: path) {
            return located
        }
        return .file(path: path, reason: "read failed near line \(line): \(error)")
    }
}
