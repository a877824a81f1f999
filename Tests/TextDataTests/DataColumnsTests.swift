import Foundation
import Testing
import TextData

@Suite struct TextDataDataColumns {
    /// The CSV: `id,text,category`: text and label found by name, the id left out.
    @Test func csvWithHeaderGuessedByName() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("topics.csv", Array("id,text,category\n1,\"the match, at last\",sport\n2,rates rise again,economy\n".utf8))
        let guessed = try DataColumns.guessFormat(path: path)
        #expect(guessed.format == .csv && guessed.hasHeader == nil)
        let sample = try DataColumns.sample(path: path, format: .csv, hasHeader: nil)
        #expect(sample.columns == ["id", "text", "category"])
        #expect(sample.rows == [["1", "the match, at last", "sport"], ["2", "rates rise again", "economy"]])
        let g = try #require(DataColumns.guess(sample))
        #expect(g.text == 1 && g.label == 2)
    }

    /// Without telling names: the longest column is the text, the one with fewest values the
    /// label; a column of distinct integers is an id.
    @Test func guessedFromValues() {
        let rows = (0..<20).map { ["\($0)", $0 % 2 == 0 ? "a" : "b", "a sentence of some length number \($0)"] }
        let sample = DataSample(format: .csv, hasHeader: false, columns: ["0", "1", "2"], rows: rows)
        let g = DataColumns.guess(sample)
        #expect(g?.text == 2 && g?.label == 1)
        #expect(DataColumns.guess(DataSample(format: .csv, hasHeader: false, columns: ["0"], rows: [["x"]])) == nil)
    }

    /// A `.tsv` whose first line is `text<TAB>label` is a TSV with a header (the swapped case
    /// of the issue), not `label<TAB>text` with the header as an example.
    @Test func swappedTSVHeaderIsAHeader() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let swapped = try dir.write("s.tsv", Array("text\tlabel\ngreat food\tpos\nawful\tneg\n".utf8))
        let guessed = try DataColumns.guessFormat(path: swapped)
        #expect(guessed.format == .tsv && guessed.hasHeader == true)
        let examples = try DatasetReader.read(path: swapped, format: .tsv, options: ReadOptions(hasHeader: true))
        #expect(examples == [LabelledText(label: "pos", text: "great food"), LabelledText(label: "neg", text: "awful")])
        let plain = try dir.write("p.tsv", Array("pos\tgreat food\nneg\tawful\n".utf8))
        #expect(try DataColumns.guessFormat(path: plain).format == .labelTabText)
        let sample = try DataColumns.sample(path: plain, format: .labelTabText, hasHeader: nil)
        #expect(sample.rows == [["pos", "great food"], ["neg", "awful"]] && sample.columns.isEmpty)
    }

    @Test func jsonlKeys() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("d.jsonl", Array("{\"review\": \"fine\", \"stars\": 4}\n\n{\"review\": \"bad\", \"stars\": 1}\n".utf8))
        let sample = try DataColumns.sample(path: path, format: .jsonl, hasHeader: nil)
        #expect(sample.columns == ["review", "stars"])
        #expect(sample.rows == [["fine", "4"], ["bad", "1"]])
        #expect(DataColumns.guess(sample).map { [$0.text, $0.label] } == [0, 1])
    }
}
