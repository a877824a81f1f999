import Foundation
import Testing
import TextData

private func failure(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}

private func ex(_ label: String, _ text: String) -> LabelledText { LabelledText(label: label, text: text) }

/// Readers never swallow records, never hang, never grow without bound; their errors name
/// the file and line and show input's control characters escaped.
@Suite struct ReaderBoundsTests {
    @Test func anUnclosedCSVQuoteIsAnErrorAtTheLineItOpens() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // Before: the quote ran to the end of the file and the last two records were lost.
        let p = try dir.write("q.csv", Array("label,text\npos,\"good\nneg,bad\npos,nice\n".utf8))
        let m = failure { _ = try DatasetReader.read(path: p) }
        #expect(m == "\(p):2: expected a closing quote (\") for the quoted field that starts here, found none before the end of the file")
        // Closed quotes, escaped quotes, a stray character after a closing quote (CSV.swift
        // keeps reading the field) and CR-only record ends read as before.
        let ok = try dir.write("ok.csv", Array("label,text\rpos,\"a \"\"b\"\"\r c\"\rneg,\"x\"\r".utf8))
        #expect(try DatasetReader.read(path: ok) == [ex("pos", "a \"b\"\r c"), ex("neg", "x")])
        let stray = try dir.write("stray.csv", Array("label,text\npos,\"a\"b\nneg,c\n".utf8))
        #expect(failure { _ = try DatasetReader.read(path: stray) }?.contains("stray.csv:2: expected a closing quote") == true)
    }

    @Test func crOnlyLineEndsEndLinesInEveryLineFormat() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let want = [ex("pos", "good"), ex("neg", "bad"), ex("pos", "nice")]
        let tsv = try dir.write("cr.tsv", Array("pos\tgood\rneg\tbad\r\npos\tnice\r".utf8))
        #expect(try DatasetReader.read(path: tsv) == want)
        #expect(try LabelledTextReader.read(tsv) == want)
        let table = try dir.write("cr.txt", Array("label\ttext\rpos\tgood\rneg\tbad\rpos\tnice".utf8))
        #expect(try DatasetReader.read(path: table, format: .tsv) == want)
        let jsonl = try dir.write("cr.jsonl", Array("{\"label\":\"pos\",\"text\":\"good\"}\r{\"label\":\"neg\",\"text\":\"bad\"}\r{\"label\":\"pos\",\"text\":\"nice\"}".utf8))
        #expect(try DatasetReader.read(path: jsonl) == want)
        // A `\r\n` split across two chunks is one line end: line numbers stay right.
        let split = try dir.write("split.tsv", Array("pos\tgood\r\nbad line\r\n".utf8))
        #expect(failure { try LabelledTextReader(path: split, chunkSize: 9).forEach { _ in } }?.contains("split.tsv:2:") == true)
        // Line numbers in errors count lone `\r` too.
        let bad = try dir.write("bad.tsv", Array("pos\ta\rneg\tb\rno tab here\r".utf8))
        #expect(failure { _ = try DatasetReader.read(path: bad) }?.contains("bad.tsv:3: expected label<TAB>text") == true)
    }

    @Test func aDataSetWithoutExamplesIsAnErrorNamingIt() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        for (name, bytes) in [("empty.tsv", ""), ("blank.tsv", "\n \n\t\n"), ("header.csv", "label,text\n"), ("empty.jsonl", "\n")] {
            let p = try dir.write(name, Array(bytes.utf8))
            #expect(failure { _ = try DatasetReader.read(path: p) } == "\(p): no examples (the data set is empty or holds only blank lines)")
        }
    }

    @Test func onlyRegularFilesAreRead() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let fifo = dir.url.appendingPathComponent("pipe.tsv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // Before: opening the FIFO blocked for ever, waiting for a writer.
        for format in [DatasetFormat.labelTabText, .tsv, .csv, .jsonl] {
            #expect(failure { _ = try DatasetReader.read(path: fifo, format: format) } == "\(fifo): is a FIFO (named pipe), expected a file", "\(format)")
        }
        // A FIFO posing as an example of a folder data set.
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("set/pos"), withIntermediateDirectories: true)
        let member = dir.url.appendingPathComponent("set/pos/a.txt").path
        #expect(mkfifo(member, 0o600) == 0)
        #expect(failure { _ = try DatasetReader.read(path: dir.url.appendingPathComponent("set").path) } == "\(member): is a FIFO (named pipe), expected a file")
    }

    @Test func aLineWithoutEndIsBounded() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // 9 MiB without a line break: refused instead of held whole (as /dev/zero would grow).
        let long = [UInt8]("pos\t".utf8) + [UInt8](repeating: 0x61, count: 9 << 20)
        let p = try dir.write("long.tsv", long)
        #expect(failure { _ = try DatasetReader.read(path: p) } == "\(p): line 1 is longer than 8 MiB (no line breaks?)")
        let csv = try dir.write("long.csv", Array("label,text\npos,\"".utf8) + [UInt8](repeating: 0x61, count: 9 << 20))
        #expect(failure { _ = try DatasetReader.read(path: csv) }?.contains("the record starting on line 2 is longer than 8 MiB") == true)
    }

    @Test func controlCharactersInQuotedInputAreEscaped() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let p = try dir.write("esc.tsv", Array("pos\tgood\nno tab \u{1B}]0;pwned\u{07} \u{1B}[31mred\u{9B}2J\n".utf8))
        let m = try #require(failure { _ = try DatasetReader.read(path: p) })
        #expect(!m.unicodeScalars.contains { $0.properties.generalCategory == .control }, "\(m.debugDescription)")
        #expect(m.contains(#"no tab \u{1B}]0;pwned\u{7} \u{1B}[31mred\u{9B}2J"#), "\(m)")
        // Labels quoted in errors too.
        let e = TextDataError.unknownLabel("z\u{1B}[2Jz", known: ["a\u{07}"])
        #expect(e.description == #"unknown label 'z\u{1B}[2Jz' (expected one of: 'a\u{7}')"#)
        #expect(Quoted.escaped("a\tb\r\nc") == #"a\tb\r\nc"# && Quoted.terminalSafe("a\tb\r\nc") == "a\tb\\r\nc")
        #expect(Quoted.escaped(Quoted.escaped("x\u{1B}")) == Quoted.escaped("x\u{1B}"), "escaping twice changes nothing")
        #expect(Quoted.excerpt(String(repeating: "a", count: 50), limit: 4) == "\"aaaa…\"")
    }

    @Test func unknownLabelsAreLocatedInTheirFile() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let p = try dir.write("valid.tsv", Array("pos\tgood\n\nneg\tbad\nzzz\twhat\n".utf8))
        #expect(failure { try DatasetReader.checkLabels(path: p, known: ["neg", "pos"]) }
                == "\(p):4: expected one of the training data's labels ('neg', 'pos'), found the label 'zzz'")
        #expect(failure { try DatasetReader.checkLabels(path: p, known: ["neg", "pos", "zzz"]) } == nil)
        let csv = try dir.write("valid.csv", Array("label,text\npos,\"two\nlines\"\nzzz,x\n".utf8))
        #expect(failure { try DatasetReader.checkLabels(path: csv, known: ["pos"]) }?.hasPrefix("\(csv):4:") == true)
    }

    @Test func splitErrorsNameTheDataFile() {
        #expect(failure { _ = try StratifiedSplit.split([], validationFraction: 0.2, seed: 1, source: "data.tsv") }
                == "data.tsv: splitting off validation examples: no examples to split")
    }
}
