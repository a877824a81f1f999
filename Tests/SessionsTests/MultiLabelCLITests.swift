import Foundation
import Testing
import TestSupport
import TextData
@testable import Sessions

/// Multi-label data end to end through the `workbench` binary: a small set made from the
/// bundled en-fortunes data (texts of two topics joined carry both labels), trained with
/// `--multi-label --threshold tune`, saved, then `predict --json` and `eval`.
@Suite struct MultiLabelCLITests {
    static let topics = ["computers", "politics", "science", "food"]

    /// Per topic its first 40 training texts; single-topic rows from the first 20, and rows
    /// joining the i-th text of two topics labelled with both. Written as label-list TSV.
    static func writeMultiLabelSet(to url: URL, separator: String = ",") throws -> [MultiLabelledText] {
        let all = try LabelledTextReader.read(TestPaths.dataFile("en-fortunes", "train.tsv").path)
        var byTopic: [String: [String]] = [:]
        for e in all where topics.contains(e.label) && (byTopic[e.label]?.count ?? 0) < 40 { byTopic[e.label, default: []].append(e.text) }
        var rows: [MultiLabelledText] = []
        for i in 0..<40 {
            for (a, ta) in topics.enumerated() {
                if i < 20 { rows.append(MultiLabelledText(labels: [ta], text: byTopic[ta]![i])) }
                let tb = topics[(a + 1 + i % 3) % topics.count]
                if i % 2 == 0 { rows.append(MultiLabelledText(labels: [ta, tb], text: byTopic[ta]![i] + " " + byTopic[tb]![(i + 7) % 40])) }
            }
        }
        let text = rows.map { $0.labels.joined(separator: separator) + "\t" + $0.text.replacingOccurrences(of: "\t", with: " ") }.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: url)
        return rows
    }

    static let model = #"{"layers": [{"type": "embedding", "dim": 16}, {"type": "global_average_pooling1d"}, {"type": "dense", "units": 4, "activation": "sigmoid"}]}"#

    @Test func trainPredictAndEvaluate() async throws {
        let tmp = try TempDir()
        let rows = try Self.writeMultiLabelSet(to: tmp.file("multi.txt"))
        #expect(rows.contains { $0.labels.count == 2 } && rows.contains { $0.labels.count == 1 })
        try Data(Self.model.utf8).write(to: tmp.file("model.json"))
        func wb(_ args: String...) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }

        var r = try await wb("train", "--data", "multi.txt", "--format", "label-tab-text", "--multi-label", "--model", "model.json",
                             "--epochs", "12", "--batch-size", "16", "--learning-rate", "0.05", "--max-length", "40",
                             "--vocab-size", "3000", "--threshold", "tune", "--split", "0.2", "--save", "saved")
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("multi-label, 4 labels: computers, food, politics, science"), "\(r.out)")
        #expect(r.out.contains("threshold tuned on validation"), "\(r.out)")
        #expect(r.out.contains("micro-F1") && r.out.contains("macro-F1") && r.out.contains("subset accuracy") && r.out.contains("Hamming loss"), "\(r.out)")

        // The saved model records the label space and the tuned threshold.
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: tmp.file("saved/classifier.json"))) as? [String: Any]
        let labels = ((config?["classifier"] as? [String: Any])?["labels"] ?? config?["labels"]) as? [String: Any]
        #expect(labels?["multi_label"] as? Bool == true, "\(String(describing: config))")
        #expect(labels?["threshold"] is NSNumber)

        r = try await wb("predict", "--model-dir", "saved", "--json", rows.first { $0.labels.count == 2 }!.text)
        #expect(r.status == 0, "\(r.err)")
        let line = try #require(r.out.split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let probabilities = try #require(object["probabilities"] as? [String: Double])
        #expect(Set(probabilities.keys) == Set(Self.topics))
        let threshold = try #require(object["threshold"] as? Double)
        let above = try #require(object["labels"] as? [String])
        #expect(Set(above) == Set(probabilities.filter { $0.value > threshold }.keys), "\(object)")
        #expect(object["label"] == nil)

        r = try await wb("eval", "--model-dir", "saved", "--data", "multi.txt", "--format", "label-tab-text")
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("multi-label") && r.out.contains("micro-F1") && r.out.contains("Hamming loss"), "\(r.out)")
    }

    @Test func mistakesAreClearErrors() async throws {
        let tmp = try TempDir()
        _ = try Self.writeMultiLabelSet(to: tmp.file("multi.txt"))
        try Data("computers,,food\tan empty label\n".utf8).write(to: tmp.file("bad.txt"))
        func wb(_ args: String...) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }
        var r = try await wb("train", "--data", "bad.txt", "--format", "label-tab-text", "--multi-label")
        #expect(r.status != 0 && r.err.contains("bad.txt:1:") && r.err.contains("empty label"), "\(r.err)")
        r = try await wb("train", "--data", "multi.txt", "--format", "label-tab-text", "--multi-label", "--model", "svm")
        #expect(r.status != 0 && r.err.contains("svm") && r.err.contains("one label per text"), "\(r.err)")
        r = try await wb("train", "--data", "multi.txt", "--format", "label-tab-text", "--multi-label", "--threshold", "1.5")
        #expect(r.status != 0 && r.err.contains("--threshold"), "\(r.err)")
        r = try await wb("train", "--data", "multi.txt", "--format", "label-tab-text", "--multi-label", "--class-weight", "balanced")
        #expect(r.status != 0 && r.err.contains("--class-weight"), "\(r.err)")
        r = try await wb("train", "--data", "multi.txt", "--format", "label-tab-text", "--multi-label", "--session", "s", "--sessions-dir", "S")
        #expect(r.status != 0 && r.err.contains("--session"), "\(r.err)")
        r = try await wb("train", "--data", "multi.txt", "--format", "label-tab-text", "--multi-label", "--label-separator", "")
        #expect(r.status != 0 && r.err.contains("--label-separator"), "\(r.err)")
    }
}
