import CSV
import Foundation

/// CSV data sets, parsed by CSV.swift (RFC 4180: quoted fields with commas, `""` and line
/// breaks) from a stream, so only the current record is held. CSV.swift does not count lines;
/// a record's line is worked out from the line breaks of the records before it.
enum CSVRecords {
    static func forEach(path: String, options: ReadOptions, _ body: (LabelledText, Int) throws -> Void) throws {
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
        // CSV.swift reads an unclosed quote to the end of the file as one field, swallowing
        // the records after it, and holds a record whole however long: check first.
        try checkQuotesAndLengths(path: path)
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
            for f in fields { line += lineBreaks(in: f) }
            if let example = try table.consume(fields, line: start) { try body(example, start) }
        }
        try check(reader, stream, path: path, line: line)
    }

    /// Line breaks inside a field: `\r\n`, `\n` and a lone `\r` count one each.
    static func lineBreaks(in field: String) -> Int {
        var n = 0
        var afterCR = false
        for b in field.utf8 {
            if b == 0x0D { n += 1 } else if b == 0x0A && !afterCR { n += 1 }
            afterCR = b == 0x0D
        }
        return n
    }

    /// Reads the file once the way CSV.swift splits it (RFC 4180 quotes; `\r`, `\n` and
    /// `\r\n` end a record) and throws, naming the line, for a quoted field that is never
    /// closed or a record longer than `LineReader.maxLineBytes`.
    static func checkQuotesAndLengths(path: String) throws {
        enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
        let handle = try LineReader.open(path)
        defer { try? handle.close() }
        var state = State.fieldStart
        var line = 1, quoteLine = 1, recordLine = 1, recordBytes = 0
        var afterCR = false, skipLF = false, first = true
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 64 * 1024) } catch {
                throw TextDataError.file(path: path, reason: "read failed: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            var bytes = [UInt8](chunk)[...]
            if first, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            first = false
            for b in bytes {
                // Line numbers: `\n`, `\r\n` and a lone `\r` end a line, inside quotes too.
                if b == 0x0D || (b == 0x0A && !afterCR) { line += 1 }
                afterCR = b == 0x0D
                if skipLF {
                    skipLF = false
                    if b == 0x0A { continue }
                }
                recordBytes += 1
                if recordBytes > LineReader.maxLineBytes {
                    throw TextDataError.file(path: path, reason: "the record starting on line \(recordLine) is longer than \(LineReader.maxLineBytes >> 20) MiB (an unclosed quote?)")
                }
                let rowEnd = b == 0x0D || b == 0x0A
                switch state {
                case .fieldStart, .unquoted, .quoteInQuoted:
                    if rowEnd {
                        state = .fieldStart
                        skipLF = b == 0x0D
                        recordLine = line
                        recordBytes = 0
                    } else if b == 0x2C {
                        state = .fieldStart
                    } else if b == 0x22 && state == .fieldStart {
                        state = .quoted
                        quoteLine = line
                    } else if state == .quoteInQuoted {
                        // `""` is a quote inside the field; CSV.swift also stays in the field
                        // after a stray character following a closing quote.
                        state = .quoted
                    } else {
                        state = .unquoted
                    }
                case .quoted:
                    if b == 0x22 { state = .quoteInQuoted }
                }
            }
        }
        if state == .quoted {
            throw TextDataError.malformedLine(path: path, line: quoteLine, expected: "a closing quote (\") for the quoted field that starts here",
                                              found: "none before the end of the file")
        }
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
