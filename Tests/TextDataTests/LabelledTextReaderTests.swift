import Foundation
import Testing
import TextData

/// A scratch directory; tests remove it with `defer { dir.remove() }`.
struct TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("textdata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = url.appendingPathComponent(name).path
        guard FileManager.default.createFile(atPath: p, contents: Data(bytes)) else {
            throw FixtureError(description: "cannot create \(p)")
        }
        return p
    }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The error a reader throws for `path`, or a recorded issue if it does not throw one.
func readError(_ path: String, chunkSize: Int = 64 * 1024,
               sourceLocation: SourceLocation = #_sourceLocation) -> TextDataError? {
    do {
        let rows = try LabelledTextReader(path: path, chunkSize: chunkSize).readAll()
        Issue.record("expected an error, read \(rows.count) rows", sourceLocation: sourceLocation)
    } catch let e as TextDataError {
        return e
    } catch {
        Issue.record("expected a TextDataError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite struct TextDataReader {
    @Test func bomCRLFBlankLinesAndChunkBoundaries() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let content = "\u{FEFF}pos\t很好，推荐。\r\n\r\n  \t \r\nneg\tbad\tvery bad\r\n\n label \t\nneg\t最后一行 no newline"
        let path = try dir.write("data.tsv", Array(content.utf8))
        let want = [
            LabelledText(label: "pos", text: "很好，推荐。"),
            LabelledText(label: "neg", text: "bad\tvery bad"),
            LabelledText(label: "label", text: ""),
            LabelledText(label: "neg", text: "最后一行 no newline"),
        ]
        // Chunk sizes that split the BOM, multi-byte characters and CR/LF pairs.
        for chunk in [1, 2, 3, 5, 7, 64 * 1024] {
            #expect(try LabelledTextReader(path: path, chunkSize: chunk).readAll() == want, "chunk size \(chunk)")
        }
        #expect(try LabelledTextReader.read(path) == want)
        var streamed: [String] = []
        try LabelledTextReader(path: path).forEach { streamed.append($0.label) }
        #expect(streamed == ["pos", "neg", "label", "neg"])
    }

    @Test func emptyAndBOMOnlyFiles() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        #expect(try LabelledTextReader.read(try dir.write("empty.tsv", [])) == [])
        #expect(try LabelledTextReader.read(try dir.write("bom.tsv", [0xEF, 0xBB, 0xBF, 0x0D, 0x0A])) == [])
    }

    @Test func missingTabNamesFileAndLine() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("data.tsv", Array("pos\tok\n\nneg\tfine\r\nthis line has no tab\r\npos\tx\n".utf8))
        for chunk in [3, 64 * 1024] {
            let e = readError(path, chunkSize: chunk)
            #expect(e == .malformedLine(path: path, line: 4, expected: "label<TAB>text",
                                        found: "no tab in \"this line has no tab\""))
            let text = e.map(String.init(describing:)) ?? ""
            #expect(text.hasPrefix("\(path):4: expected label<TAB>text, found no tab"), "\(text)")
            #expect(text.contains("data.tsv:4:"), "\(text)")
        }
    }

    @Test func emptyLabelNamesLine() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("labels.tsv", Array("pos\tok\n \tno label\n".utf8))
        let text = readError(path).map(String.init(describing:)) ?? ""
        #expect(text == "\(path):2: expected label<TAB>text, found an empty label")
    }

    @Test func invalidUTF8NamesLineAndByte() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // Line 3 holds "neg\t", a valid 3-byte character, then a truncated sequence (E5 A5).
        let bytes: [UInt8] = Array("pos\tok\n\n".utf8) + Array("neg\t好".utf8) + [0xE5, 0xA5, 0x21, 0x0A]
            + Array("pos\tlater\n".utf8)
        let path = try dir.write("bad.tsv", bytes)
        for chunk in [1, 4, 64 * 1024] {
            let e = readError(path, chunkSize: chunk)
            #expect(e == .invalidUTF8(path: path, line: 3, byte: 8, value: 0xE5), "chunk \(chunk)")
            let text = e.map(String.init(describing:)) ?? ""
            #expect(text == "\(path):3: expected UTF-8 text, found invalid byte 0xE5 at byte 8 of the line")
        }
        // A Latin-1 file fails on its first non-ASCII byte.
        let latin1 = try dir.write("latin1.tsv", Array("pos\tcaf".utf8) + [0xE9, 0x0A])
        #expect(readError(latin1) == .invalidUTF8(path: latin1, line: 1, byte: 8, value: 0xE9))
    }

    @Test func unreadablePaths() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let missing = dir.url.appendingPathComponent("nope.tsv").path
        #expect(readError(missing) == .file(path: missing, reason: "no such file"))
        #expect("\(readError(missing).map(String.init(describing:)) ?? "")" == "\(missing): no such file")
        #expect(readError(dir.url.path) == .file(path: dir.url.path, reason: "is a directory, expected a file"))
    }

    /// The real data set, found through the same path derivation as the fixtures.
    @Test func zhReviewsTrainingSet() throws {
        let path = SharedPaths.data.appendingPathComponent("zh-reviews/train.tsv").path
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("data file \(path) not found")
            return
        }
        let rows = try LabelledTextReader.read(path)
        #expect(rows.count == 13_889)
        let encoder = try LabelEncoder(labels: rows.map(\.label))
        #expect(encoder.classes == ["neg", "pos"] && encoder.isBinary)
        #expect(rows.filter { $0.label == "neg" }.count == 7_225)
        #expect(rows.allSatisfy { !$0.text.isEmpty && !$0.text.contains("\t") && !$0.text.contains("\r") })

        var tok = try KerasTokenizer(charLevel: true)
        tok.fit(on: rows.lazy.map(\.text))
        #expect(tok.documentCount == 13_889)
        let seqs = tok.sequences(for: rows.prefix(100).map(\.text))
        #expect(seqs.allSatisfy { s in s.allSatisfy { $0 >= 1 && $0 < tok.embeddingInputDim } })
        #expect(zip(seqs, rows.prefix(100)).allSatisfy { $0.count == $1.text.unicodeScalars.count })
    }
}
