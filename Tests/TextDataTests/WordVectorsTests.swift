import Foundation
import Testing
@testable import TextData

/// Pretrained word vectors (`WordVectors`): both text formats, matching to a vocabulary, and
/// a clear error naming the file and line for every kind of bad line.
@Suite struct WordVectorsTests {
    final class Folder {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("wb-vectors-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: url) }
        func write(_ name: String, _ text: String) throws -> String {
            let f = url.appendingPathComponent(name)
            try Data(text.utf8).write(to: f)
            return f.path
        }
    }

    static let rows = ["good": 1, "bad": 2, "movie": 3, "unseen": 4]

    @Test func readsAFastTextFileWithItsHeader() throws {
        let dir = try Folder()
        // fastText ends each line with a space; the file has words the vocabulary lacks.
        let path = try dir.write("v.vec", "5 3\ngood 0.1 0.2 0.3 \nthe 1 1 1 \nbad -0.5 0 0.25 \nmovie 2 3 4 \nplot 9 9 9 \n")
        #expect(try WordVectors.dimension(of: path) == (.fastText, 3))
        let initial = [Float](repeating: 7, count: 5 * 3)
        let m = try WordVectors.match(path: path, rows: Self.rows, rowCount: 5, expectedDim: 3, initial: initial)
        #expect(m.format == .fastText && m.dim == 3 && m.linesRead == 5)
        #expect(m.requested == 4 && m.found == 3)
        #expect(m.coverage == "3 of 4 tokens found (75.0%)")
        #expect(Array(m.vectors[0..<3]) == [7, 7, 7])          // padding row untouched
        #expect(Array(m.vectors[3..<6]) == [0.1, 0.2, 0.3])
        #expect(Array(m.vectors[6..<9]) == [-0.5, 0, 0.25])
        #expect(Array(m.vectors[9..<12]) == [2, 3, 4])
        #expect(Array(m.vectors[12..<15]) == [7, 7, 7])        // not in the file: as initialised
    }

    @Test func readsAGloVeFileWithoutAHeaderAndFallsBackToLowercase() throws {
        let dir = try Folder()
        // "Good" only matches lowercased; "bad" has an exact line after a cased one, which wins.
        let path = try dir.write("v.txt", "Good 1 2\nBAD 5 5\nbad 3 4\r\n\nmovie\t0.5\t0.5\n")
        #expect(try WordVectors.dimension(of: path) == (.glove, 2))
        let m = try WordVectors.match(path: path, rows: Self.rows, rowCount: 5, expectedDim: 2, initial: [Float](repeating: 0, count: 10))
        #expect(m.format == .glove && m.found == 3 && m.linesRead == 4)
        #expect(Array(m.vectors[2..<4]) == [1, 2])
        #expect(Array(m.vectors[4..<6]) == [3, 4])
        #expect(Array(m.vectors[6..<8]) == [0.5, 0.5])
    }

    @Test func badFilesNameTheFileAndLine() throws {
        let dir = try Folder()
        func message(_ name: String, _ text: String, dim: Int = 3) -> String {
            do {
                let path = try dir.write(name, text)
                _ = try WordVectors.match(path: path, rows: Self.rows, rowCount: 5, expectedDim: dim, initial: [Float](repeating: 0, count: 5 * dim))
                return "no error"
            } catch { return "\(error)" }
        }
        let d = dir.url.path
        #expect(message("dim.vec", "2 4\ngood 1 2 3 4\n") == "\(d)/dim.vec:1: expected vectors of 3 numbers (the Embedding layer's output_dim), found 4 in the header")
        #expect(message("dim.txt", "good 1 2\n") == "\(d)/dim.txt:1: expected vectors of 3 numbers (the Embedding layer's output_dim), found 2 numbers")
        #expect(message("short.vec", "2 3\ngood 1 2 3\nbad 1 2\n") == "\(d)/short.vec:3: expected a token and 3 numbers, found 3 fields")
        #expect(message("word.txt", "good 1 2 3\nbad 1 x 3\n") == "\(d)/word.txt:2: expected a finite number as value 2 of 3, found \"x\"")
        #expect(message("nan.txt", "good 1 2 3\nbad 1 2 nan\n") == "\(d)/nan.txt:2: expected a finite number as value 3 of 3, found \"nan\"")
        #expect(message("empty.vec", "\n\n") == "\(d)/empty.vec:1: expected word vectors (a token and its numbers a line), found an empty file")
        #expect(message("one.txt", "lonely\n") == "\(d)/one.txt:1: expected a fastText header 'count dim' or a token and its numbers (at most 65536), found 1 field")
        #expect(message("huge.vec", "10 100000000\n") == "\(d)/huge.vec:1: expected a fastText header 'count dim' with dim in 1...65536, found '10 100000000'")
        let bytes = Data("good 1 2 3\n".utf8) + Data([0x62, 0xFF, 0x20, 0x31, 0x20, 0x32, 0x20, 0x33, 0x0A])
        try bytes.write(to: dir.url.appendingPathComponent("utf8.txt"))
        do {
            _ = try WordVectors.match(path: dir.url.appendingPathComponent("utf8.txt").path, rows: Self.rows, rowCount: 5, expectedDim: 3,
                                      initial: [Float](repeating: 0, count: 15))
            Issue.record("no error")
        } catch {
            #expect("\(error)" == "\(d)/utf8.txt:2: expected UTF-8 text, found invalid byte 0xFF at byte 2 of the line")
        }
        #expect(throws: TextDataError.self) { try WordVectors.dimension(of: "\(d)/missing.vec") }
    }
}
