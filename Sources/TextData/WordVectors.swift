import Basics
import Foundation

/// Pretrained word vectors in the text formats fastText (`.vec`) and GloVe (`.txt`) write: one
/// token and its numbers a line, separated by spaces. A fastText file starts with a header
/// line `count dim`; a GloVe file does not. The file is streamed line by line (`LineReader`):
/// only the vectors of the tokens asked for are kept, so a file of millions of words is read
/// in the memory of the embedding matrix it fills.
public enum WordVectors {
    public enum Format: String, Sendable, Equatable {
        /// `count dim` on the first line.
        case fastText = "fastText .vec"
        /// No header: the first line is a vector.
        case glove = "GloVe .txt"
    }

    /// The largest dimension read (a bad header cannot make a line's buffer unbounded).
    public static let maxDimension = 65_536

    /// What `match` found: `vectors` holds `rows × dim` numbers, row-major; rows of tokens not
    /// in the file are left as `initial` gave them.
    public struct Match: Sendable, Equatable {
        public var format: Format
        public var dim: Int
        public var vectors: [Float]
        /// The tokens asked for (`rows` given), and how many of them the file has.
        public var requested: Int
        public var found: Int
        /// Lines with a vector read (the header excluded).
        public var linesRead: Int

        /// "41,203 of 50,000 tokens found (82.4%)".
        public var coverage: String {
            let pct = requested == 0 ? 0 : 100 * Double(found) / Double(requested)
            return "\(Digits.grouped(found)) of \(Digits.grouped(requested)) tokens found (\(String(format: "%.1f", pct))%)"
        }
    }

    /// The file's format and vector dimension, from its first line (a header, or a vector).
    public static func dimension(of path: String) throws -> (format: Format, dim: Int) {
        var result: (Format, Int)?
        do {
            try LineReader(path: path, chunkSize: 64 * 1024).forEachLine { number, bytes in
                if bytes.allSatisfy(LabelledTextReader.isASCIIWhitespace) { return }
                let fields = try Self.fields(bytes, path: path, line: number)
                result = try Self.firstLine(fields, path: path, line: number)
                throw Stop()
            }
        } catch is Stop {}
        guard let result else {
            throw TextDataError.malformedLine(path: path, line: 1, expected: "word vectors (a token and its numbers a line)", found: "an empty file")
        }
        return result
    }

    /// Reads `path` and copies the vector of each token in `rows` (token → row index, below
    /// `rowCount`) into a `rowCount × dim` matrix that starts as `initial`. A token the file
    /// does not have exactly is looked up lowercased (a cased file with a case-folding
    /// tokenizer); an exact line wins over a lowercased one, and the first of two lines wins.
    /// `expectedDim` (the Embedding layer's output_dim) must equal the file's dimension.
    /// Errors name the file and the line: a dimension mismatch, a line with the wrong number
    /// of values, a value that is not a finite number, text that is not UTF-8.
    public static func match(path: String, rows: [String: Int], rowCount: Int, expectedDim: Int,
                             initial: [Float]) throws -> Match {
        guard initial.count == rowCount * expectedDim else {
            throw TextDataError.bufferSize(what: "embedding matrix", expected: rowCount * expectedDim, got: initial.count)
        }
        var lowered: [String: Int] = [:]
        for (token, row) in rows {
            let l = token.lowercased()
            if l != token, rows[l] == nil, lowered[l].map({ row < $0 }) ?? true { lowered[l] = row }
        }
        var vectors = initial
        // 0: not found; 1: from a lowercased line; 2: exact.
        var quality = [UInt8](repeating: 0, count: rowCount)
        var format = Format.glove
        var dim = expectedDim
        var sawFirst = false
        var linesRead = 0
        var values = [Float](repeating: 0, count: expectedDim)
        try LineReader(path: path, chunkSize: 256 * 1024).forEachLine { number, bytes in
            if bytes.allSatisfy(LabelledTextReader.isASCIIWhitespace) { return }
            let fields = try Self.fields(bytes, path: path, line: number)
            if !sawFirst {
                sawFirst = true
                let (f, d) = try Self.firstLine(fields, path: path, line: number)
                format = f
                dim = d
                guard d == expectedDim else {
                    throw TextDataError.malformedLine(path: path, line: number,
                        expected: "vectors of \(expectedDim) numbers (the Embedding layer's output_dim)",
                        found: "\(d) \(f == .fastText ? "in the header" : "numbers")")
                }
                if f == .fastText { return }
            }
            guard fields.count == dim + 1 else {
                throw TextDataError.malformedLine(path: path, line: number, expected: "a token and \(dim) numbers",
                                                  found: "\(fields.count) field\(fields.count == 1 ? "" : "s")")
            }
            linesRead += 1
            let token = fields[0]
            let exact = rows[token]
            let row: Int?, q: UInt8
            if let exact {
                row = exact; q = 2
            } else if let low = rows[token.lowercased()] ?? lowered[token.lowercased()] {
                row = low; q = 1
            } else {
                row = nil; q = 0
            }
            // Every line's numbers are checked, matched or not: a damaged file is refused whole.
            for j in 0..<dim {
                guard let v = Float(fields[j + 1]), v.isFinite else {
                    throw TextDataError.malformedLine(path: path, line: number, expected: "a finite number as value \(j + 1) of \(dim)",
                                                      found: Quoted.excerpt(fields[j + 1]))
                }
                values[j] = v
            }
            guard let row, row >= 0, row < rowCount, quality[row] < q else { return }
            quality[row] = q
            vectors.replaceSubrange(row * dim..<(row + 1) * dim, with: values)
        }
        guard sawFirst else {
            throw TextDataError.malformedLine(path: path, line: 1, expected: "word vectors (a token and its numbers a line)", found: "an empty file")
        }
        let requested = Set(rows.values.filter { $0 >= 0 && $0 < rowCount }).count
        return Match(format: format, dim: dim, vectors: vectors, requested: requested,
                     found: quality.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }, linesRead: linesRead)
    }

    private struct Stop: Error {}

    /// The line's fields split on spaces and tabs, as strings.
    private static func fields(_ bytes: ArraySlice<UInt8>, path: String, line: Int) throws -> [String] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let bad = LabelledTextReader.firstInvalidByte(bytes)
            throw TextDataError.invalidUTF8(path: path, line: line, byte: bad + 1, value: bytes[bytes.startIndex + bad])
        }
        return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
    }

    /// A fastText header (`count dim`, two whole numbers) or a GloVe first vector.
    private static func firstLine(_ fields: [String], path: String, line: Int) throws -> (Format, Int) {
        if fields.count == 2, let count = Int(fields[0]), let d = Int(fields[1]) {
            guard count >= 0, (1...maxDimension).contains(d) else {
                throw TextDataError.malformedLine(path: path, line: line, expected: "a fastText header 'count dim' with dim in 1...\(maxDimension)",
                                                  found: "'\(fields[0]) \(fields[1])'")
            }
            return (.fastText, d)
        }
        guard fields.count >= 2, fields.count - 1 <= maxDimension else {
            throw TextDataError.malformedLine(path: path, line: line,
                expected: "a fastText header 'count dim' or a token and its numbers (at most \(maxDimension))",
                found: "\(fields.count) field\(fields.count == 1 ? "" : "s")")
        }
        return (.glove, fields.count - 1)
    }
}
