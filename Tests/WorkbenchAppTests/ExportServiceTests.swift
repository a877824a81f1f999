import Engine
import Foundation
import Sessions
import Testing
import TextData
import WorkbenchUI
@testable import WorkbenchApp

/// `:export` through the real service: the console's run in each format, and the refusals
/// (a non-empty folder, a format the model cannot take) with nothing written.
@Suite struct ExportServiceTests {
    @Test func exportsTheConsolesRunAndRefusesWithNothingWritten() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data.tsv")
        try SessionWorkbenchServiceTests.writeData(to: data)
        let setup = SessionSetup(data: data.path, validation: .split(0.2), tokenizer: .keras(try KerasTokenizer(numWords: 60)),
                                 maxLength: 8, model: .layers([.embedding(dim: 8), .lstm(units: 4),
                                                               .dense(units: 1, activation: .sigmoid)], loss: nil),
                                 optimizer: .adam(learningRate: 0.01), fit: FitConfig(epochs: 1, batchSize: 16, seed: 3),
                                 autosaveEvery: 10)
        let manager = SessionManager(store: SessionStore(root: dir.appendingPathComponent("S")), engine: TrainingEngine())
        let service = try await SessionWorkbenchService.launch(manager: manager, newName: "s", setup: setup, themesDirectory: nil)
        #expect(await service.startTraining() == .done(nil))
        _ = try await manager.open("s", readOnly: true).waitUntilSettled()
        func files(_ url: URL) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted() }

        let keras = dir.appendingPathComponent("k")
        #expect(await service.export(format: "keras", to: keras.path) == .done("exported run 1 as keras to \(keras.path)"))
        #expect(files(keras) == ["README.md", "labels.json", "model.keras", "tokenizer.json"])
        let onnx = dir.appendingPathComponent("o")
        #expect(await service.export(format: "onnx", to: onnx.path) == .done("exported run 1 as onnx to \(onnx.path)"))
        #expect(files(onnx).contains("model.onnx"))

        // Into a folder that is not empty: refused, the folder as it was.
        guard case let .refused(reason) = await service.export(format: "safetensors", to: keras.path) else {
            Issue.record("export into a non-empty folder was not refused")
            return
        }
        #expect(reason.contains(keras.path) && reason.contains("not empty"), "\(reason)")
        #expect(files(keras) == ["README.md", "labels.json", "model.keras", "tokenizer.json"])

        // The console on a learner run: Keras cannot take it (nothing written); safetensors can.
        guard case .applied = await service.applyModelEdit(.applyPreset("svm")) else {
            Issue.record("the SVM preset was refused")
            return
        }
        #expect(await service.startTraining() == .done(nil))
        #expect(try await manager.open("s", readOnly: true).waitUntilSettled() == .finished)
        let learnerKeras = dir.appendingPathComponent("lk")
        guard case let .refused(why) = await service.export(format: "keras", to: learnerKeras.path) else {
            Issue.record("a learner was exported to Keras")
            return
        }
        #expect(why.contains("Keras") && why.contains("learner"), "\(why)")
        #expect(!FileManager.default.fileExists(atPath: learnerKeras.path))
        let learner = dir.appendingPathComponent("ls")
        #expect(await service.export(format: "safetensors", to: learner.path) == .done("exported run 2 as safetensors to \(learner.path)"))
        #expect(files(learner) == ["README.md", "labels.json", "learner.safetensors"])

        // Back to run 1 in the console: its model is exported, not the current one.
        #expect(await service.useInConsole(run: "1") != .refused(""))
        let again = dir.appendingPathComponent("s1")
        #expect(await service.export(format: "safetensors", to: again.path) == .done("exported run 1 as safetensors to \(again.path)"))
        #expect(files(again).contains("weights.safetensors"))
        guard case .refused = await service.export(format: "tflite", to: nil) else {
            Issue.record("an unknown format was accepted")
            return
        }
        // Only the temporary folders' traces would show here: none are left beside the exports.
        #expect(files(dir).filter { $0.hasPrefix(".") }.isEmpty)
        await service.shutdown()
    }
}
