import Testing
import TerminalUI
@testable import WorkbenchUI

/// The data flow as update-level steps (keys in, service calls out, replies in) and as whole
/// screens: the file picker, the columns and summary with warnings, the name prompt.
@Suite struct OpenDataFlowTests {
    static let listing = DirectoryListing(path: "/data", parent: "/", entries: [
        FileEntry(name: "archive", isDirectory: true),
        FileEntry(name: "notes.md", isDirectory: false, size: 120),
        FileEntry(name: "topics.csv", isDirectory: false, size: 18_432, isDataFile: true),
    ])

    static let preview = DataPreview(
        path: "/data/topics.csv", format: "csv",
        reading: DataReading(format: "csv", textColumn: "text", labelColumn: "category", header: true),
        columns: ["id", "text", "category"],
        rows: [PreviewRow(label: "sport", text: "the match, at last"), PreviewRow(label: "economy", text: "rates rise again")],
        summary: DataSummary(examples: 182, classes: [.init(label: "sport", count: 100), .init(label: "economy", count: 82)],
                             lengthP50: 18, lengthP90: 40, lengthP99: 61, lengthMax: 75, warnings: []),
        problem: nil)

    /// The swapped `text<TAB>label` case read as label<TAB>text: what the summary warns.
    static let swapped = DataPreview(
        path: "/data/topics.tsv", format: "label-tab-text", reading: DataReading(format: "label-tab-text"), columns: [],
        rows: [PreviewRow(label: "text", text: "label"), PreviewRow(label: "the staff were friendly", text: "pos")],
        summary: DataSummary(examples: 182, classes: [.init(label: "the same short review", count: 4), .init(label: "text", count: 1)],
                             lengthP50: 3, lengthP90: 3, lengthP99: 3, lengthMax: 5,
                             warnings: ["179 classes in 182 examples: the label column may hold text (wrong column or format?)",
                                        "the first row ('text', 'label') looks like a header read as an example (does the file have a header?)"]),
        problem: nil)

    static func state() -> WorkbenchState { GoldenScreenTests.state(Size(width: 72, height: 22)) }

    @Test func pickAFileMapColumnsAndNameTheSession() {
        var s = Self.state()
        // D opens the picker on the working folder.
        #expect(calls(press(&s, .character("D"))) == [.listDirectory(nil)])
        _ = s.update(.reply(.directory(.listed(Self.listing))))
        guard case let .openData(flow)? = s.overlay else { Issue.record("no data overlay"); return }
        #expect(flow.rows.map(\.name) == ["..", "archive", "notes.md", "topics.csv"] && flow.selection == 1)
        // Enter on a folder lists it; on a file reads it.
        #expect(calls(press(&s, .enter)) == [.listDirectory("/data/archive")])
        // Moving onto the file asks for the picker's preview; Enter before it came asks again.
        #expect(calls(press(&s, .down, .down, .enter)) == [.previewData(path: "/data/topics.csv", reading: DataReading()),
                                                              .previewData(path: "/data/topics.csv", reading: DataReading())])
        // A stale answer (another reading) is dropped; the right one is shown.
        _ = s.update(.reply(.dataPreview(path: "/data/topics.csv", reading: DataReading(format: "tsv"), .preview(Self.swapped))))
        guard case .openData(let f1)? = s.overlay, case .inspect(_, _, nil) = f1.step else { Issue.record("stale preview shown"); return }
        _ = s.update(.reply(.dataPreview(path: "/data/topics.csv", reading: DataReading(), .preview(Self.preview))))
        // t moves the text column to the next one that is not the label.
        let t = calls(press(&s, .character("t")))
        #expect(t == [.previewData(path: "/data/topics.csv",
                                   reading: DataReading(format: "csv", textColumn: "id", labelColumn: "category", header: true))])
        _ = s.update(.reply(.dataPreview(path: "/data/topics.csv", reading: DataReading(format: "csv", textColumn: "id", labelColumn: "category", header: true),
                                         .preview(Self.preview))))
        // Enter: the name prompt, the file's name offered; Enter creates.
        press(&s, .enter)
        guard case let .openData(f2)? = s.overlay, case let .name(_, editor) = f2.step else { Issue.record("no name step"); return }
        #expect(editor.text == "topics")
        let created = calls(press(&s, [.backspace, .backspace] + typed("-new") + [.enter]))
        #expect(created == [.newSessionFromData(name: "topi-new", path: "/data/topics.csv", reading: Self.preview.reading)])
        // A refusal stays in the flow, said in it; the session loaded closes it.
        _ = s.update(.reply(.session(.refused("a session named 'topi-new' exists"))))
        guard case let .openData(f3)? = s.overlay else { Issue.record("the flow closed on a refusal"); return }
        #expect(f3.problem == "a session named 'topi-new' exists")
        _ = s.update(.reply(.session(.loaded(GoldenScreenTests.snapshot()))))
        #expect(s.overlay == nil)
    }

    @Test func commandWithAPathReadsItAndEscGoesBack() {
        var s = Self.state()
        #expect(calls(press(&s, [.character(":")] + typed("open-data topics.tsv") + [.enter]))
                == [.previewData(path: "topics.tsv", reading: DataReading())])
        // Esc from the columns step goes to the picker (listing the working folder).
        #expect(calls(press(&s, .escape)) == [.listDirectory(nil)])
        press(&s, .escape)
        #expect(s.overlay == nil)
        // Backspace in the picker goes to the parent folder.
        press(&s, .character("D"))
        _ = s.update(.reply(.directory(.listed(Self.listing))))
        #expect(calls(press(&s, .backspace)) == [.listDirectory("/")])
        // The help lists the key and the command.
        #expect(s.helpLines.contains { $0.contains("Open a data file") })
        #expect(s.helpLines.contains { $0.contains(":open-data") })
    }

    @Test func suggestedNames() {
        #expect(suggestedSessionName(forDataFile: "/data/topics.csv") == "topics")
        #expect(suggestedSessionName(forDataFile: "Data/zh-reviews/train.tsv") == "zh-reviews")
        #expect(suggestedSessionName(forDataFile: "my data (1).jsonl") == "my-data--1-")
        #expect(suggestedSessionName(forDataFile: ".tsv") == "data")
    }

    @Test func pickerScreen() {
        var s = Self.state()
        press(&s, .character("D"))
        _ = s.update(.reply(.directory(.listed(Self.listing))))
        // Moving onto a data file asks for its preview; onto another file drops it.
        let first = calls(press(&s, .down)), second = calls(press(&s, .down))
        #expect(first.isEmpty)
        #expect(second == [.previewData(path: "/data/topics.csv", reading: DataReading())])
        _ = s.update(.reply(.dataPreview(path: "/data/topics.csv", reading: DataReading(), .preview(Self.preview))))
        expectScreen(s.render().grid, """
            ┏━ 1 Dataset · reviews.tsv ━┓┌─ 3 Chart · 1 run ───────────────────────┐
            ┃┏━ Open data — /data ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓│
            ┃┃   ../                                                              ┃│
            ┃┃   archive/                                                         ┃│
            ┃┃   notes.md                                                   120 B ┃│
            ┃┃ ▸ topics.csv                                               18.4 KB ┃│
            ┃┃                                                                    ┃│
            ┃┃                                                                    ┃│
            ┃┃                                                                    ┃│
            ┗┃                                                                    ┃│
            ┌┃                                                                    ┃│
            │┃                                                                    ┃┘
            │┃                                                                    ┃┐
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            │┃────────────────────────────────────────────────────────────────────┃│
            │┃ Preview · csv · 182 examples, 2 classes                            ┃│
            │┃   sport   │ the match, at last                                     ┃│
            │┃   economy │ rates rise again                                       ┃│
            └┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛┘
             reviews │ idle
             ↑↓ move  Enter open  ⌫ parent folder  Esc cancel
            """)
    }

    @Test func summaryWithWarningsScreen() {
        var s = Self.state()
        press(&s, [.character(":")] + typed("open-data /data/topics.tsv") + [.enter])
        _ = s.update(.reply(.dataPreview(path: "/data/topics.tsv", reading: DataReading(), .preview(Self.swapped))))
        expectScreen(s.render().grid, """
            ┏━ 1 Dataset · reviews.tsv ━┓┌─ 3 Chart · 1 run ───────────────────────┐
            ┃┏━ Data — topics.tsv ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓│
            ┃┃ Format: label-tab-text                                             ┃│
            ┃┃                                                                    ┃│
            ┃┃ 182 examples · 2 classes · balance 0.25 (smallest / largest class) ┃│
            ┃┃ Classes: the same short review 4, text 1                           ┃│
            ┃┃ Text length (characters): p50 3 · p90 3 · p99 3 · max 5            ┃│
            ┃┃ ⚠ 179 classes in 182 examples: the label column may hold text      ┃│
            ┃┃   (wrong column or format?)                                        ┃│
            ┗┃ ⚠ the first row ('text', 'label') looks like a header read as an   ┃│
            ┌┃   example (does the file have a header?)                           ┃│
            │┃ Enter goes on anyway · t / l / h change how the file is read       ┃┘
            │┃                                                                    ┃┐
            │┃ First examples (label │ text)                                      ┃│
            │┃   text             │ label                                         ┃│
            │┃   the staff were … │ pos                                           ┃│
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            └┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛┘
             reviews │ idle
             Enter go on anyway  Esc back
            """)
    }

    @Test func columnsAndNameScreen() {
        var s = Self.state()
        press(&s, [.character(":")] + typed("open-data /data/topics.csv") + [.enter])
        _ = s.update(.reply(.dataPreview(path: "/data/topics.csv", reading: DataReading(), .preview(Self.preview))))
        expectScreen(s.render().grid, """
            ┏━ 1 Dataset · reviews.tsv ━┓┌─ 3 Chart · 1 run ───────────────────────┐
            ┃┏━ Data — topics.csv ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓│
            ┃┃ Format: csv · with a header                                        ┃│
            ┃┃ Text column: text   Label column: category                         ┃│
            ┃┃ Columns: id  text (text)  category (label)                         ┃│
            ┃┃                                                                    ┃│
            ┃┃ 182 examples · 2 classes · balance 0.82 (smallest / largest class) ┃│
            ┃┃ Classes: sport 100, economy 82                                     ┃│
            ┃┃ Text length (characters): p50 18 · p90 40 · p99 61 · max 75        ┃│
            ┗┃                                                                    ┃│
            ┌┃ First examples (label │ text)                                      ┃│
            │┃   sport   │ the match, at last                                     ┃┘
            │┃   economy │ rates rise again                                       ┃┐
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            └┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛┘
             reviews │ idle
             t text column  l label column  h header  Enter name the session
            """)
        press(&s, .enter)
        expectScreen(s.render().grid, """
            ┏━ 1 Dataset · reviews.tsv ━┓┌─ 3 Chart · 1 run ───────────────────────┐
            ┃┏━ New session — topics.csv ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓│
            ┃┃ Format: csv · with a header                                        ┃│
            ┃┃ Text column: text   Label column: category                         ┃│
            ┃┃ Columns: id  text (text)  category (label)                         ┃│
            ┃┃                                                                    ┃│
            ┃┃ 182 examples · 2 classes · balance 0.82 (smallest / largest class) ┃│
            ┃┃ Classes: sport 100, economy 82                                     ┃│
            ┃┃ Text length (characters): p50 18 · p90 40 · p99 61 · max 75        ┃│
            ┗┃                                                                    ┃│
            ┌┃ First examples (label │ text)                                      ┃│
            │┃   sport   │ the match, at last                                     ┃┘
            │┃   economy │ rates rise again                                       ┃┐
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            │┃ Session name: topics                                               ┃│
            └┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛┘
             reviews │ idle
             Enter create  Esc back
            """)
    }
}
