import Foundation
import Testing
import TextData

/// The error `DatasetReader.read` throws, as text, or a recorded issue if it does not throw.
private func readFailure(_ path: String, format: DatasetFormat? = nil, options: ReadOptions = ReadOptions(),
                         sourceLocation: SourceLocation = #_sourceLocation) -> String {
    do {
        let rows = try DatasetReader.read(path: path, format: format, options: options)
        Issue.record("expected an error, read \(rows.count) rows", sourceLocation: sourceLocation)
    } catch let e as TextDataError {
        return e.description
    } catch {
        Issue.record("expected a TextDataError, got \(error)", sourceLocation: sourceLocation)
    }
    return ""
}

private func ex(_ label: String, _ text: String) -> LabelledText { LabelledText(label: label, text: text) }

private let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

@Suite struct TextDataDatasetReader {
    // MARK: CSV

    @Test func csvQuotedFieldsWithHeader() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let csv = "id,label,text\r\n1,pos,\"Hello, world\"\r\n2,neg,\"line one\nline two\"\n\n3,pos,\"She said \"\"hi\"\"\"\n4, neg ,plain 中文\n"
        let path = try dir.write("data.csv", Array(csv.utf8))
        let want = [ex("pos", "Hello, world"), ex("neg", "line one\nline two"), ex("pos", "She said \"hi\""),
                    ex("neg", "plain 中文")]
        #expect(try DatasetReader.read(path: path) == want)
        #expect(try DatasetReader.read(path: path, format: .csv, options: ReadOptions(textColumn: 2, labelColumn: "label"))
                == want)
        // Names match ignoring case and surrounding spaces when there is no exact match.
        #expect(try DatasetReader.read(path: path, options: ReadOptions(textColumn: " TEXT ")) == want)
        // The id column as the label.
        #expect(try DatasetReader.read(path: path, options: ReadOptions(labelColumn: "id")).map(\.label) == ["1", "2", "3", "4"])
        // The same with a byte order mark: the first header name is still 'id'.
        let withBOM = try dir.write("bom.csv", bom + Array(csv.utf8))
        #expect(try DatasetReader.read(path: withBOM, options: ReadOptions(labelColumn: "id")).map(\.label) == ["1", "2", "3", "4"])
        var streamed = 0
        try DatasetReader.forEach(path: path) { _ in streamed += 1 }
        #expect(streamed == 4)
    }

    /// Many records across CSV.swift's 64 KiB read buffer: every field comes back exactly,
    /// and line numbers stay right after thousands of embedded line breaks.
    @Test func largeCSVAcrossBufferBoundaries() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var csv = "label,text\n"
        var want: [LabelledText] = []
        for i in 0..<3000 {
            let text = "第\(i)条, \"quoted\"\nsecond line \(String(repeating: "é", count: i % 50))"
            want.append(ex(i % 3 == 0 ? "a" : "b", text))
            csv += "\(want[i].label),\"\(text.replacingOccurrences(of: "\"", with: "\"\""))\"\r\n"
        }
        csv += "oops\n"
        let path = try dir.write("big.csv", Array(csv.utf8))
        #expect(csv.utf8.count > 3 * 65_536)
        // 1 header line, then 2 lines per record: the short record is on line 6002.
        #expect(readFailure(path) == "\(path):6002: expected at least 2 fields (label column 'label' (0), text column 'text' (1)), found 1 field")
        var got: [LabelledText] = []
        do {
            try DatasetReader.forEach(path: path) { got.append($0) }
        } catch {}
        #expect(got == want)
    }

    @Test func csvWithoutHeader() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("noheader.csv", Array("pos,\"a, b\"\nneg,\"x\ny\"\nneg,last".utf8))
        let want = [ex("pos", "a, b"), ex("neg", "x\ny"), ex("neg", "last")]
        #expect(try DatasetReader.read(path: path, options: ReadOptions(hasHeader: false)) == want)
        #expect(try DatasetReader.read(path: path, options: ReadOptions(textColumn: 0, labelColumn: 1, hasHeader: false))
                == want.map { ex($0.text, $0.label) })
        // A name without a header is a configuration error.
        #expect(readFailure(path, options: ReadOptions(textColumn: "text", hasHeader: false))
                == "\(path): text column 'text' is chosen by name, but the file has no header (hasHeader is false)")
        #expect(readFailure(path, options: ReadOptions(textColumn: 0, labelColumn: 0, hasHeader: false))
                == "\(path): the text and label columns are the same column (0)")
        #expect(readFailure(path, options: ReadOptions(textColumn: -1, hasHeader: false))
                == "\(path): text column -1 is negative (expected a 0-based index)")
    }

    @Test func csvErrorsNameLineAndExpectation() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // Record 2 spans lines 3-4, so the short record is on line 6.
        let path = try dir.write("short.csv", Array("label,text\npos,ok\nneg,\"two\nlines\"\n\noops\npos,fine\n".utf8))
        #expect(readFailure(path)
                == "\(path):6: expected at least 2 fields (label column 'label' (0), text column 'text' (1)), found 1 field")
        let noHeader = try dir.write("short2.csv", Array("pos,ok\npos\n".utf8))
        #expect(readFailure(noHeader, options: ReadOptions(hasHeader: false))
                == "\(noHeader):2: expected at least 2 fields (label column 0, text column 1), found 1 field")

        let missing = try dir.write("missing.csv", Array("id,sentiment,text\n1,pos,x\n".utf8))
        #expect(readFailure(missing)
                == "\(missing):1: expected a column 'label' in the header, found columns 'id', 'sentiment', 'text'")
        #expect(readFailure(missing, options: ReadOptions(textColumn: 5))
                == "\(missing):1: expected a header with a column 5 (counted from 0), found 3 columns: 'id', 'sentiment', 'text'")

        let emptyLabel = try dir.write("empty.csv", Array("label,text\npos,a\n  ,b\n".utf8))
        #expect(readFailure(emptyLabel) == "\(emptyLabel):3: expected a label in column 'label' (0), found an empty label")

        // Invalid UTF-8 is located by line and byte.
        let bad = try dir.write("bad.csv", Array("label,text\npos,\"a\nb\"\nneg,caf".utf8) + [0xE9, 0x0A])
        #expect(readFailure(bad) == "\(bad):4: expected UTF-8 text, found invalid byte 0xE9 at byte 8 of the line")
        // UTF-16 is not read as UTF-8.
        let utf16 = try dir.write("utf16.csv", [0xFF, 0xFE] + Array("l".utf16).flatMap { [UInt8($0), 0] })
        #expect(readFailure(utf16) == "\(utf16):1: expected UTF-8 text, found invalid byte 0xFF at byte 1 of the line")

        let gone = dir.url.appendingPathComponent("gone.csv").path
        #expect(readFailure(gone) == "\(gone): no such file or directory")
        #expect(readFailure(gone, format: .csv) == "\(gone): no such file")
    }

    @Test func emptyAndHeaderOnlyFiles() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // They stream no example; `read` refuses them (a data set needs an example), naming the file.
        for (path, format) in [(try dir.write("e.csv", []), nil), (try dir.write("h.csv", Array("label,text\n".utf8)), nil),
                               (try dir.write("e.jsonl", bom), nil), (try dir.write("e.tsv", Array("\n\n".utf8)), DatasetFormat.tsv)] {
            var count = 0
            try DatasetReader.forEach(path: path, format: format) { _ in count += 1 }
            #expect(count == 0)
            #expect(readFailure(path, format: format) == "\(path): no examples (the data set is empty or holds only blank lines)")
        }
    }

    // MARK: TSV

    @Test func genericTSV() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let content = bom + Array("text\tscore\tlabel\r\nGreat film\t5\tpos\r\n\r\nAwful\t1\tneg\n\"quoted\" stays\t3\tneutral".utf8)
        let path = try dir.write("reviews.tsv", content)
        let want = [ex("pos", "Great film"), ex("neg", "Awful"), ex("neutral", "\"quoted\" stays")]
        // A header option makes a .tsv file generic TSV; columns found by name.
        #expect(try DatasetFormat.inferred(path: path, options: ReadOptions(hasHeader: true)) == .tsv)
        #expect(try DatasetReader.read(path: path, options: ReadOptions(hasHeader: true)) == want)
        #expect(try DatasetReader.read(path: path, format: .tsv) == want)
        #expect(try DatasetReader.read(path: path, options: ReadOptions(labelColumn: "score")).map(\.label) == ["5", "1", "3"])

        let noHeader = try dir.write("rows.txt", Array("1\tpos\tgood\n2\tneg\tbad\n3\tpos\n".utf8))
        #expect(readFailure(noHeader, options: ReadOptions(textColumn: 2, labelColumn: 1, hasHeader: false))
                == "\(noHeader):3: expected at least 3 fields (label column 1, text column 2), found 2 fields")
        #expect(readFailure(noHeader, options: ReadOptions(textColumn: "text", labelColumn: 1))
                == "\(noHeader):1: expected a column 'text' in the header, found columns '1', 'pos', 'good'")
    }

    @Test func labelTabTextIsTheDefaultForTSVAndTXT() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let content = Array("pos\t很好\tand a tab\nneg\tbad\n".utf8)
        let want = [ex("pos", "很好\tand a tab"), ex("neg", "bad")]
        for name in ["a.tsv", "b.TXT"] {
            let path = try dir.write(name, content)
            #expect(try DatasetFormat.inferred(path: path) == .labelTabText)
            #expect(try DatasetReader.read(path: path) == want)
            #expect(try DatasetReader.read(path: path) == LabelledTextReader.read(path))
        }
        let broken = try dir.write("c.tsv", Array("pos\tok\nno tab here\n".utf8))
        #expect(readFailure(broken) == "\(broken):2: expected label<TAB>text, found no tab in \"no tab here\"")
    }

    // MARK: JSONL

    @Test func jsonLines() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let lines = [
            #"{"text": "很好 \"quoted\"", "label": "pos", "id": 1, "extra": {"a": [1, 2]}}"#,
            "",
            #"{"label": 1, "text": "numeric label"}"#,
            #"  {"text": "", "label": true}  "#,
            #"{"text": "line\nbreak", "label": " neg "}"#,
        ]
        let path = try dir.write("data.jsonl", bom + Array(lines.joined(separator: "\r\n").utf8))
        let want = [ex("pos", "很好 \"quoted\""), ex("1", "numeric label"), ex("true", ""), ex("neg", "line\nbreak")]
        #expect(try DatasetReader.read(path: path) == want)
        let nd = try dir.write("data.ndjson", Array(#"{"review": "x", "stars": "5"}"#.utf8))
        #expect(try DatasetReader.read(path: nd, options: ReadOptions(textKey: "review", labelKey: "stars")) == [ex("5", "x")])
    }

    @Test func jsonLinesErrorsNameFileAndLine() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        func failure(_ third: String) throws -> (String, String) {
            let p = try dir.write("d\(UUID().uuidString.prefix(6)).jsonl",
                                  Array(("{\"text\":\"a\",\"label\":\"x\"}\n\n" + third + "\n").utf8))
            return (p, readFailure(p))
        }
        var (p, e) = try failure(#"{"text": "a", "label": "x""#)
        #expect(e == "\(p):3: expected a JSON object, found invalid JSON \"{\"text\": \"a\", \"label\": \"x\"\"")
        (p, e) = try failure(#"["a", "b"]"#)
        #expect(e == "\(p):3: expected a JSON object, found an array")
        (p, e) = try failure(#"{"body": "a", "label": "x"}"#)
        #expect(e == "\(p):3: expected a text string under the key 'text', found keys 'body', 'label'")
        (p, e) = try failure(#"{"text": 5, "label": "x"}"#)
        #expect(e == "\(p):3: expected a text string under the key 'text', found a number")
        (p, e) = try failure(#"{"text": "a"}"#)
        #expect(e == "\(p):3: expected a label under the key 'label', found keys 'text'")
        (p, e) = try failure(#"{"text": "a", "label": null}"#)
        #expect(e == "\(p):3: expected a label (string, integer or boolean) under the key 'label', found null")
        (p, e) = try failure(#"{"text": "a", "label": ""}"#)
        #expect(e == "\(p):3: expected a label under the key 'label', found an empty label")

        let bad = try dir.write("bad.jsonl", Array(#"{"text": "caf"#.utf8) + [0xE9] + Array(#"", "label": "x"}"#.utf8))
        #expect(readFailure(bad) == "\(bad):1: expected UTF-8 text, found invalid byte 0xE9 at byte 14 of the line")
        #expect(readFailure(bad, options: ReadOptions(textKey: "k", labelKey: "k"))
                == "\(bad): the text and label keys are both 'k'")
    }

    // MARK: Folder per class

    @Test func folderPerClass() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let fm = FileManager.default
        for sub in ["pos/nested", "neg", ".hidden", "empty"] {
            try fm.createDirectory(at: dir.url.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        _ = try dir.write("pos/b.txt", Array("second\n".utf8))
        _ = try dir.write("pos/a.txt", bom + Array("first 很好".utf8))
        _ = try dir.write("pos/nested/c.TXT", Array("nested".utf8))
        _ = try dir.write("pos/notes.md", Array("ignored".utf8))
        _ = try dir.write("pos/.d.txt", Array("hidden file".utf8))
        _ = try dir.write("neg/z.txt", Array("bad\r\nworse".utf8))
        _ = try dir.write(".hidden/x.txt", Array("hidden class".utf8))
        _ = try dir.write("readme.txt", Array("top-level file".utf8))
        let want = [ex("neg", "bad\r\nworse"), ex("pos", "first 很好"), ex("pos", "second\n"), ex("pos", "nested")]
        #expect(try DatasetFormat.inferred(path: dir.url.path) == .directory)
        #expect(try DatasetReader.read(path: dir.url.path) == want)
        #expect(try DatasetReader.read(path: dir.url.path + "/", format: .directory) == want)

        // A bad file is named with its line and byte.
        let badPath = try dir.write("neg/y.txt", Array("ok\nstill ok\nno".utf8) + [0xC3, 0x28])
        #expect(readFailure(dir.url.path) == "\(badPath):3: expected UTF-8 text, found invalid byte 0xC3 at byte 3 of the line")

        let flat = try TempDir()
        defer { flat.remove() }
        _ = try flat.write("a.txt", Array("x".utf8))
        #expect(readFailure(flat.url.path)
                == "\(flat.url.path): no class subfolders (expected one subfolder per label, each holding .txt files)")
        let file = try flat.write("b.csv", [])
        #expect(readFailure(file, format: .directory)
                == "\(file): is a file, expected a directory with one subfolder per class")
    }

    // MARK: Format choice

    @Test func formatInferenceAndOptionChecks() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        for (name, format) in [("a.csv", DatasetFormat.csv), ("b.CSV", .csv), ("c.jsonl", .jsonl), ("d.ndjson", .jsonl),
                               ("e.tsv", .labelTabText), ("f.txt", .labelTabText)] {
            #expect(try DatasetFormat.inferred(path: try dir.write(name, [])) == format, "\(name)")
        }
        #expect(try DatasetFormat.inferred(path: try dir.write("g.tsv", []), options: ReadOptions(textColumn: 1)) == .tsv)
        let json = try dir.write("h.json", [])
        #expect(readFailure(json) == "\(json): cannot tell the data set format from the extension '.json' (expected .tsv, .txt, .csv, .jsonl, .ndjson or a directory); choose the format explicitly")
        let none = try dir.write("data", Array("pos\tx\n".utf8))
        #expect(readFailure(none).contains("from no extension"))
        #expect(try DatasetReader.read(path: none, format: .labelTabText) == [ex("pos", "x")])

        let jsonl = try dir.write("i.jsonl", [])
        #expect(readFailure(jsonl, options: ReadOptions(textColumn: 1))
                == "\(jsonl): text/label columns and hasHeader apply to the tsv and csv formats, not jsonl")
        let csv = try dir.write("j.csv", [])
        #expect(readFailure(csv, options: ReadOptions(textKey: "t"))
                == "\(csv): text/label keys apply to the jsonl format, not csv")
        #expect(DatasetFormat(rawValue: "label-tab-text") == .labelTabText)
        #expect(ReadOptions.Column(parsing: "12") == .index(12) && ReadOptions.Column(parsing: "review") == .name("review")
                && ReadOptions.Column(parsing: "-1") == .name("-1") && ReadOptions.Column(parsing: "") == .name(""))
        let options = ReadOptions(textColumn: "review", labelColumn: 0, hasHeader: true)
        #expect(try JSONDecoder().decode(ReadOptions.self, from: try JSONEncoder().encode(options)) == options)
    }

    /// Every shared data set reads through the entry point with the expected counts.
    @Test func sharedDataSets() throws {
        let counts = ["zh-reviews": 13_889, "zh-news-titles": 8_000, "en-movie-snippets": 8_054,
                      "en-tweets": 2_746, "en-product-snippets": 2_383, "en-fortunes": 2_925]
        for (name, n) in counts.sorted(by: { $0.key < $1.key }) {
            let path = SharedPaths.data.appendingPathComponent("\(name)/train.tsv").path
            guard FileManager.default.fileExists(atPath: path) else {
                Issue.record("data file \(path) not found")
                continue
            }
            #expect(try DatasetReader.read(path: path).count == n, "\(name)")
        }
    }
}
