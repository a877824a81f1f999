import Foundation
import Testing
import TestSupport
import TextData

private func ex(_ label: String, _ text: String) -> LabelledText { LabelledText(label: label, text: text) }

/// Reviews of a few words each, two classes: clean data.
private func reviews(_ n: Int) -> [LabelledText] {
    (0..<n).map { i in ex(i % 2 == 0 ? "pos" : "neg", "review number \(i) says the food was \(i % 2 == 0 ? "good" : "bad") today") }
}

@Suite struct TextDataDataWarnings {
    @Test func cleanDataHasNoWarnings() {
        #expect(DataWarnings.check(reviews(182)).isEmpty)
        #expect(DataWarnings.check(reviews(182), header: ["id", "text", "category"]).isEmpty)
        #expect(DataWarnings.check([]).isEmpty)
        // A tiny file may have one example a class: under the minimum, no warning.
        #expect(DataWarnings.check((0..<5).map { ex("c\($0)", "some text \($0)") }).isEmpty)
    }

    /// The issue's case: a TSV with the header `text<TAB>label` read as `label<TAB>text`.
    /// 182 rows become 179 classes and the header row an example.
    @Test func swappedTextLabelHeader() throws {
        var rows = [ex("text", "label")]
        for i in 0..<181 {
            let sentence = i < 4 ? "the same short review" : "review \(i): the staff were friendly and the room was clean"
            rows.append(ex(sentence, i % 2 == 0 ? "pos" : "neg"))
        }
        let labels = Set(rows.map(\.label)).count
        #expect(labels == 179)
        let warnings = DataWarnings.check(rows)
        #expect(warnings.contains(.tooManyClasses(classes: 179, examples: 182)))
        #expect(warnings.contains(.firstRowLooksLikeHeader(label: "text", text: "label")))
        #expect(warnings.contains { if case .labelsLookLikeText = $0 { return true } else { return false } })
        #expect(warnings.contains { if case .labelsLongerThanTexts = $0 { return true } else { return false } })
        // Each warning says what it saw, on one line.
        for w in warnings { #expect(!w.description.contains("\n")) }
        #expect(warnings[0].description.hasPrefix("179 classes in 182 examples"))
    }

    @Test func headerThatLooksLikeData() {
        let data = reviews(40)
        // The first data row taken as the header: a number, a label, a sentence.
        #expect(DataWarnings.check(data, header: ["7", "pos", "a review that says the food was fine"]) == [.headerLooksLikeData(cell: "7")])
        #expect(DataWarnings.check(data, header: ["text", "neg"]) == [.headerLooksLikeData(cell: "neg")])
        // Column names are never data, whatever their case.
        #expect(DataWarnings.check(data, header: ["ID", " Text ", "Label"]).isEmpty)
    }

    @Test func manyClassesAloneIsOneWarning() {
        let rows = (0..<30).map { ex("tag\($0 % 20)", "a text about thing \($0) with enough words") }
        #expect(DataWarnings.check(rows) == [.tooManyClasses(classes: 20, examples: 30)])
    }

    @Test func headerCellsFromTheFile() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let csv = try dir.write("topics.csv", [0xEF, 0xBB, 0xBF] + Array("\n\"id\",text,category\n1,hello there,news\n".utf8))
        #expect(try DatasetReader.header(path: csv) == ["id", "text", "category"])
        let tsv = try dir.write("t.tsv", Array("text\tlabel\nhi\tpos\n".utf8))
        #expect(try DatasetReader.header(path: tsv) == nil)                       // label<TAB>text: no header
        #expect(try DatasetReader.header(path: tsv, options: ReadOptions(hasHeader: true)) == ["text", "label"])
        #expect(try DatasetReader.header(path: csv, options: ReadOptions(hasHeader: false)) == nil)
        // Read as label<TAB>text, the swapped header is the first example and is warned about.
        let rows = try DatasetReader.read(path: tsv)
        #expect(DatasetReader.warnings(for: rows, path: tsv) == [.firstRowLooksLikeHeader(label: "text", text: "label")])
        #expect(DatasetReader.warnings(for: try DatasetReader.read(path: tsv, options: ReadOptions(hasHeader: true)), path: tsv,
                                       options: ReadOptions(hasHeader: true)).isEmpty)
    }
}
