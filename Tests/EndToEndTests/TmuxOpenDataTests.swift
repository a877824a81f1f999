import Foundation
import Testing
import TestSupport

/// The workbench without the command line, as issue 16 asks a person to use it in tmux: open
/// a CSV with a header (`id,text,category`: neither column is called `label`) through the file
/// picker, map its columns, make a session of it, train one epoch, read the confusion matrix,
/// then change the learning rate and train on with it. Each step waits for the screen (or the
/// UI's idle count), never a fixed time.
@Suite(.serialized) struct TmuxOpenDataTests {
    @Test func openACSVThroughThePickerTrainReadTheMetricsAndChangeTheLearningRate() async throws {
        let t = try TmuxSession()
        defer { t.kill() }
        try await t.waitForScreen("the first screen") { $0.contains("small.tsv") && $0.contains("Model") }

        // 300 reviews as a CSV with a header and quoted texts (some hold commas).
        let rows = try String(contentsOf: TestPaths.dataFile("zh-reviews", "train.tsv"), encoding: .utf8)
            .split(separator: "\n").prefix(300).compactMap { line -> String? in
                let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { return nil }
                return "\"\(parts[1].replacingOccurrences(of: "\"", with: "\"\""))\",\(parts[0])"
            }
        let csv = "id,text,category\n" + rows.enumerated().map { "\($0.offset + 1),\($0.element)" }.joined(separator: "\n") + "\n"
        try csv.write(to: t.root.appendingPathComponent("topics.csv"), atomically: true, encoding: .utf8)

        // The picker lists the working folder; move down to the CSV: its preview shows.
        try await t.press("D")
        try await t.waitForScreen("the file picker") { $0.contains("topics.csv") }
        var steps = 0
        while !t.screen().contains("Preview · csv") {
            steps += 1
            guard steps <= 12 else { Issue.record("no preview of topics.csv; screen:\n\(t.screen())"); return }
            try await t.press("Down")
        }
        try await t.waitForScreen("the preview's examples") { $0.contains("300 examples") }

        // Columns: the text in `text`, the label in `category` (cycled to if guessed otherwise).
        try await t.press("Enter")
        try await t.waitForScreen("the columns step") { $0.contains("Text column:") && $0.contains("Label column:") }
        for (key, wanted) in [("l", "Label column: category"), ("t", "Text column: text")] {
            var tries = 0
            while !t.screen().contains(wanted) {
                tries += 1
                guard tries <= 4 else { Issue.record("could not map '\(wanted)'; screen:\n\(t.screen())"); return }
                try await t.press(key)
            }
        }
        try await t.waitForScreen("the summary") { $0.contains("300") && $0.contains("pos") && $0.contains("neg") }

        // Name it (the default comes from the file name) and open it.
        try await t.press("Enter")
        try await t.waitForScreen("the name step") { $0.contains("topics") }
        try await t.press("Enter")
        try await t.waitForScreen("the new session", timeout: 30) { s in
            s.contains("topics.csv") && !s.contains("Preview") && t.statusLine().contains("topics")
        }

        // One epoch, then the metrics overlay reads its confusion matrix.
        try await t.command("train 1")
        try await t.waitForScreen("one epoch trained", timeout: 180) { s in
            t.statusLine().contains("finished") && s.contains("1 run")
        }
        try await t.press("M")
        try await t.waitForScreen("the metrics overlay", timeout: 60) { s in
            s.contains("precision") && s.contains("recall") && s.contains("macro") && s.contains("neg") && s.contains("pos")
        }
        try await t.press("Escape")

        // A new learning rate; t trains the run on (the model is unchanged, so the run goes on
        // to its planned epochs, from the next batch at the new rate, recorded with its step).
        try await t.command("lr 0.01")
        try await t.waitForScreen("the rate in the model pane's optimiser line") { $0.contains("lr 0.01") }
        try await t.press("t")
        try await t.waitForScreen("the run trained to its planned epochs", timeout: 180) { _ in
            t.statusLine().contains("finished") && t.statusLine().contains("epoch 3/3")
        }
        try await t.press("q")
        try await t.waitForScreen("the program to exit", timeout: 30) { $0.contains("EXIT=0") }

        // On disk: the session reads the CSV's columns; the run trains at 0.01 after epoch 1.
        let data = try Data(contentsOf: t.root.appendingPathComponent("S/topics/session.json"))
        let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let runs = try #require(record["runs"] as? [[String: Any]])
        let neural = try #require(runs.last?["neural"] as? [String: Any])
        #expect((neural["optimizer"] as? [String: Any])?["learningRate"] as? Double == 0.01, "\(neural)")
        let changes = try JSONSerialization.data(withJSONObject: neural["changes"] ?? [])
        #expect(String(decoding: changes, as: UTF8.self).contains("0.01"), "the change is recorded with its step")
        #expect(String(decoding: data, as: UTF8.self).contains("category"), "the label column is recorded")
    }
}
