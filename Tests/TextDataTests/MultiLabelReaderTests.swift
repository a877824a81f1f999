import Foundation
import Testing
import TextData

/// Multi-label data: label lists in TSV / CSV / label<TAB>text (a separator) and JSON arrays
/// in JSON Lines; single-label data reads exactly as before.
@Suite struct MultiLabelReaderTests {
    func write(_ dir: TempDir, _ name: String, _ text: String) throws -> String {
        try dir.write(name, Array(text.utf8))
    }

    func error(_ body: () throws -> Any) -> TextDataError? {
        do { _ = try body(); Issue.record("expected an error"); return nil } catch let e as TextDataError { return e } catch {
            Issue.record("unexpected \(error)"); return nil
        }
    }

    @Test func labelListsInTSVAndCSV() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let tsv = try write(dir, "a.txt", "sport, politics\tthe match\npolitics\tthe vote\nsport,sport\ttwice\n")
        #expect(try DatasetReader.readExamples(path: tsv, format: .labelTabText, multiLabel: true) == .multi([
            MultiLabelledText(labels: ["sport", "politics"], text: "the match"),
            MultiLabelledText(labels: ["politics"], text: "the vote"),
            MultiLabelledText(labels: ["sport"], text: "twice"),
        ]))
        let csv = try write(dir, "b.csv", "label,text\n\"x|y\",first\nz,second\n")
        let sep = try LabelListFormat(separator: "|")
        #expect(try DatasetReader.readExamples(path: csv, multiLabel: true, labelList: sep) == .multi([
            MultiLabelledText(labels: ["x", "y"], text: "first"), MultiLabelledText(labels: ["z"], text: "second"),
        ]))
    }

    @Test func emptyLabelInAListNamesTheFileAndLine() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let tsv = try write(dir, "a.tsv", "label\ttext\na,b\tok\na,,b\tbad\n")
        let e = error { try DatasetReader.readExamples(path: tsv, multiLabel: true) }
        #expect(e == .malformedLine(path: tsv, line: 3, expected: "labels separated by ','", found: "an empty label (the 2nd)"))
    }

    @Test func jsonArraysMakeAMultiLabelSet() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let p = try write(dir, "a.jsonl", """
            {"text": "one", "label": ["b", "a", "b"]}
            {"text": "two", "label": "a"}
            {"text": "three", "label": []}
            {"text": "four", "label": [1, true]}

            """)
        #expect(try DatasetReader.readExamples(path: p) == .multi([
            MultiLabelledText(labels: ["b", "a"], text: "one"), MultiLabelledText(labels: ["a"], text: "two"),
            MultiLabelledText(labels: [], text: "three"), MultiLabelledText(labels: ["1", "true"], text: "four"),
        ]))
        // The single-label reader still refuses an array, as it always did.
        #expect(error { try DatasetReader.read(path: p) } == .malformedLine(
            path: p, line: 1, expected: "a label (string, integer or boolean) under the key 'label'", found: "an array"))
        let bad = try write(dir, "b.jsonl", "{\"text\": \"x\", \"label\": [\"a\", {\"b\": 1}]}\n")
        #expect(error { try DatasetReader.readExamples(path: bad) } == .malformedLine(
            path: bad, line: 1, expected: "labels (strings, integers or booleans) in the array under the key 'label'", found: "an object at position 2"))
        let empty = try write(dir, "c.jsonl", "{\"text\": \"x\", \"label\": [\" \"]}\n")
        #expect(error { try DatasetReader.readExamples(path: empty) } == .malformedLine(
            path: empty, line: 1, expected: "labels in the array under the key 'label'", found: "an empty label at position 1"))
    }

    /// Without `multiLabel` and without arrays, every format reads as `read` reads it.
    @Test func singleLabelDataIsUnchanged() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let tsv = try write(dir, "a.txt", "a,b\tcomma stays part of the label\nc\tx\n")
        #expect(try DatasetReader.readExamples(path: tsv, format: .labelTabText) == .single(try DatasetReader.read(path: tsv, format: .labelTabText)))
        let jsonl = try write(dir, "b.jsonl", "{\"text\": \"x\", \"label\": \"a,b\"}\n")
        #expect(try DatasetReader.readExamples(path: jsonl) == .single([LabelledText(label: "a,b", text: "x")]))
        #expect(try DatasetReader.readExamples(path: jsonl, multiLabel: true) == .multi([MultiLabelledText(labels: ["a,b"], text: "x")]))
    }

    @Test func badSeparatorsAndFoldersAreRefused() throws {
        #expect(throws: TextDataError.self) { try LabelListFormat(separator: "") }
        #expect(throws: TextDataError.self) { try LabelListFormat(separator: "\t") }
        #expect(throws: TextDataError.self) { try LabelListFormat(separator: "a\nb") }
        let dir = try TempDir(); defer { dir.remove() }
        #expect(throws: TextDataError.self) { try DatasetReader.readExamples(path: dir.url.path, format: .directory, multiLabel: true) }
    }

    @Test func labelSpaceEncodesMultiHotAndRoundTrips() throws {
        let examples = LabelledExamples.multi([MultiLabelledText(labels: ["b", "a"], text: "x"), MultiLabelledText(labels: [], text: "y"),
                                               MultiLabelledText(labels: ["c"], text: "z")])
        let space = try LabelSpace(examples: examples)
        #expect(space.isMultiLabel && space.classes == ["a", "b", "c"])
        #expect(try space.multiHot(examples.asMulti) == [1, 1, 0, 0, 0, 0, 0, 0, 1])
        #expect(throws: TextDataError.self) { try space.multiHot([MultiLabelledText(labels: ["zzz"], text: "")]) }
        let data = try JSONEncoder().encode(space)
        #expect(try JSONDecoder().decode(LabelSpace.self, from: data) == space)
        // A single-label space is stored as a LabelEncoder always was, and reads back single.
        let single = LabelSpace.single(try LabelEncoder(labels: ["x", "y"]))
        #expect(try JSONEncoder().encode(single) == JSONEncoder().encode(try LabelEncoder(labels: ["x", "y"])))
        #expect(try JSONDecoder().decode(LabelSpace.self, from: JSONEncoder().encode(single)) == single)
    }
}
