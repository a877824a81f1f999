import Foundation
import Testing
@testable import Sessions

/// Data that looks wrong is warned about by `train` and `data inspect` before anything
/// trains (the same `DataWarnings` the workbench shows), and `ui` takes `train`'s reading
/// options and never reuses a session built on another file.
@Suite struct DataWarningsCLITests {
    /// The issue's file: a header `text<TAB>label` over `text<TAB>label` rows, read as
    /// label<TAB>text.
    static func writeSwapped(to url: URL, rows: Int = 40) throws {
        var lines = ["text\tlabel"]
        for i in 0..<rows { lines.append("review \(i): the staff were friendly and the room was clean\t\(i % 2 == 0 ? "pos" : "neg")") }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    @Test func trainAndInspectWarnBeforeTraining() async throws {
        let tmp = try TempDir()
        try Self.writeSwapped(to: tmp.file("swapped.tsv"))
        var r = try await runWorkbench(["data", "inspect", "swapped.tsv"], in: tmp.url)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("Warnings") && r.out.contains("41 classes in 41 examples") && r.out.contains("looks like a header"), "\(r.out)")
        // Read as the table it is, nothing to warn about.
        r = try await runWorkbench(["data", "inspect", "swapped.tsv", "--header"], in: tmp.url)
        #expect(r.status == 0 && !r.out.contains("Warnings"), "\(r.out)\(r.err)")

        r = try await runWorkbench(["train", "--data", "swapped.tsv", "--model", "nb"], in: tmp.url)
        #expect(r.err.contains("warning: swapped.tsv: 41 classes in 41 examples"), "\(r.err)")
        #expect(r.err.contains("are the text and label columns swapped?"), "\(r.err)")
        r = try await runWorkbench(["train", "--data", "swapped.tsv", "--header", "--model", "nb"], in: tmp.url)
        #expect(r.status == 0 && !r.err.contains("warning:"), "\(r.out)\(r.err)")
    }

    @Test func uiReadingOptionsAndSessionOfAnotherFile() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Synthetic.write(to: tmp.file("other.tsv"), count: 40)
        var r = try await runWorkbench(["train", "--session", "topics", "--sessions-dir", "S", "--data", "data.tsv", "--model", "nb"], in: tmp.url)
        #expect(r.status == 0, "\(r.err)")
        // --session naming a session built on another file: refused, before any terminal check.
        r = try await runWorkbench(["ui", "--sessions-dir", "S", "--data", "other.tsv", "--session", "topics"], in: tmp.url)
        #expect(r.status == 64 && r.err.contains("session 'topics' was built on") && r.err.contains("data.tsv"), "\(r.err)")
        // The reading options are train's, and refused without --data.
        r = try await runWorkbench(["ui", "--sessions-dir", "S", "--text-column", "text"], in: tmp.url)
        #expect(r.status == 64 && r.err.contains("--text-column") && r.err.contains("--data"), "\(r.err)")
        r = try await runWorkbench(["ui", "--help"], in: tmp.url)
        for flag in ["--format", "--text-column", "--label-column", "--header", "--text-key", "--label-key"] {
            #expect(r.out.contains(flag), "ui --help lacks \(flag)")
        }
    }
}
