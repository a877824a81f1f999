import Engine
import Foundation
import Sessions
import Testing
import TextData
import WorkbenchUI
@testable import WorkbenchApp

/// The service's data-file part on real files: folder listings, previews with guessed
/// columns and warnings, and a new session on a CSV with a header.
@Suite struct OpenDataServiceTests {
    @Test func listPreviewAndCreate() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tsv = dir.appendingPathComponent("data.tsv")
        try SessionWorkbenchServiceTests.writeData(to: tsv)
        var csv = "id,text,category\n"
        for i in 0..<60 { csv += "\(i),\"match \(i), a \(i % 2 == 0 ? "goal" : "rate") story\",\(i % 2 == 0 ? "sport" : "economy")\n" }
        try Data(csv.utf8).write(to: dir.appendingPathComponent("topics.csv"))
        var swapped = "text\tlabel\n"
        for i in 0..<30 { swapped += "review \(i) says the staff were friendly\t\(i % 2 == 0 ? "pos" : "neg")\n" }
        try Data(swapped.utf8).write(to: dir.appendingPathComponent("swapped.tsv"))
        try Data("x".utf8).write(to: dir.appendingPathComponent(".hidden"))

        let setup = SessionSetup(data: tsv.path, validation: .split(0.2), tokenizer: .script(ScriptTokenizer(numWords: 60)), maxLength: 8,
                                 model: .layers([.embedding(dim: 4), .globalAveragePooling1D, .dense(units: 1, activation: .sigmoid)], loss: nil),
                                 fit: FitConfig(epochs: 1, batchSize: 16, seed: 3))
        let manager = SessionManager(store: SessionStore(root: dir.appendingPathComponent("S")), engine: TrainingEngine())
        let service = try await SessionWorkbenchService.launch(manager: manager, newName: "s", setup: setup, themesDirectory: nil)
        defer { Task { await service.shutdown() } }

        guard case let .listed(listing) = await service.listDirectory(dir.path) else { Issue.record("not listed"); return }
        #expect(listing.entries.map(\.name) == ["S", "sub", "data.tsv", "swapped.tsv", "topics.csv"])
        #expect(listing.entries.filter(\.isDataFile).count == 3 && listing.parent != nil)
        guard case .refused = await service.listDirectory(tsv.path) else { Issue.record("a file listed as a folder"); return }

        // The CSV: text and label found by name, the id left out, the summary clean.
        guard case let .preview(p) = await service.previewData(path: dir.appendingPathComponent("topics.csv").path, reading: DataReading()) else {
            Issue.record("no preview"); return
        }
        #expect(p.format == "csv" && p.columns == ["id", "text", "category"])
        #expect(p.reading == DataReading(format: "csv", textColumn: "text", labelColumn: "category", header: true))
        #expect(p.rows.first == PreviewRow(label: "sport", text: "match 0, a goal story"))
        #expect(p.summary?.examples == 60 && p.summary?.classes.count == 2 && p.summary?.warnings == [], "\(String(describing: p.summary))")

        // The swapped TSV is guessed to be a table with a header; read as label<TAB>text it warns.
        let swappedPath = dir.appendingPathComponent("swapped.tsv").path
        guard case let .preview(guessed) = await service.previewData(path: swappedPath, reading: DataReading()),
              case let .preview(asLabelText) = await service.previewData(path: swappedPath, reading: DataReading(format: "label-tab-text")) else {
            Issue.record("no preview"); return
        }
        #expect(guessed.format == "tsv" && guessed.reading.textColumn == "text" && guessed.summary?.classes.count == 2)
        #expect(guessed.summary?.warnings == [])
        let warnings = asLabelText.summary?.warnings ?? []
        #expect(warnings.contains { $0.hasPrefix("31 classes in 31 examples") } && warnings.contains { $0.contains("looks like a header") }, "\(warnings)")

        // A new session on the CSV; the name of an existing session is refused, never reused.
        guard case let .refused(reason) = await service.newSession(named: "s", data: dir.appendingPathComponent("topics.csv").path, reading: p.reading) else {
            Issue.record("an existing session was reused"); return
        }
        #expect(reason.contains("exists") && reason.contains("data.tsv"), "\(reason)")
        guard case let .loaded(snapshot) = await service.newSession(named: "topics", data: dir.appendingPathComponent("topics.csv").path, reading: p.reading) else {
            Issue.record("not created"); return
        }
        #expect(snapshot.sessionName == "topics" && snapshot.dataset?.labels.sorted() == ["economy", "sport"])
        let record = try manager.store.record("topics")
        #expect(record.dataset.format == .csv && record.dataset.options.textColumn == .name("text"))
    }
}
