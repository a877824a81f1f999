import ArgumentParser
import Engine
import Export
import Foundation
import Sessions

/// `workbench export --format onnx|keras|safetensors (--session NAME [--run N] | --model-dir DIR)
/// --output DIR`: the model with its tokenizer, labels and a README, for another runtime.
/// (`sessions export` still writes a model folder for `--model-dir`.)
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a model for another runtime (ONNX, Keras, safetensors), with its tokenizer, labels and a README.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case onnx, keras, safetensors
        var exportFormat: ExportFolder.Format {
            switch self {
            case .onnx: .onnx
            case .keras: .keras
            case .safetensors: .safetensors
            }
        }
    }

    @Option(help: "The format: onnx, keras or safetensors.") var format: Format
    @Option(help: "A folder written by `train --save` or `sessions export`.") var modelDir: String?
    @OptionGroup var sessionOptions: SessionModelOptions
    @Option(help: ArgumentHelp("The folder to write (new or empty).", valueName: "dir")) var output: String

    func run() async throws {
        let target = URL(fileURLWithPath: output)
        // Refused before any work (a session's model is copied out first).
        try ExportFolder.checkTarget(target)
        let folder: URL
        var scratch: URL? = nil
        defer { if let scratch { try? FileManager.default.removeItem(at: scratch) } }
        if let session = try sessionOptions.chosen(modelDir: modelDir) {
            // The session's model as a model folder in a temporary place, then read back: the
            // same bytes `sessions export` writes.
            let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("workbench-export-\(UUID().uuidString)")
            scratch = tmp
            let run = sessionOptions.run, checkpoint = sessionOptions.checkpoint
            try await withSessionManager(sessionOptions.dir.store) { m in
                try await m.open(session, readOnly: true).useCheckpoint(checkpoint)
                try await m.open(session, readOnly: true).export(to: tmp, run: run)
            }
            folder = tmp
        } else {
            folder = URL(fileURLWithPath: modelDir ?? "")
        }
        let written = try ExportFolder.export(modelFolder: folder, format: format.exportFormat, to: target)
        print("exported \(written.joined(separator: ", ")) to \(output)")
    }
}

/// `workbench tokenize --model-dir DIR [TEXT…]`: the token ids the model's ONNX export reads
/// (a neural model's padded ids, a learner's analyzer ids as `LearnerInput` numbers them), one
/// JSON object per text, so any runtime can be fed the exported model's input.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "Print the token ids a saved model's ONNX export reads (JSONL; arguments, or one text per line on stdin): a neural model's padded ids, a learner's analyzer ids.")
    @Option(help: "A folder written by `train --save` or `sessions export`.") var modelDir: String
    @Argument(help: "Texts; none reads stdin.") var texts: [String] = []

    func run() throws {
        // A neural model's padded ids; a learner's analyzer ids as its ONNX export reads them.
        let idsOf: (String) -> [Int]
        switch try SavedModel.load(URL(fileURLWithPath: modelDir)) {
        case let .neural(c): idsOf = { c.encode([$0]).scalars.map { Int($0) } }
        case let .learner(l):
            let input = try LearnerInput(l)
            idsOf = { input.ids($0).map { Int($0) } }
        }
        var inputs = texts
        if inputs.isEmpty { while let line = readLine() { inputs.append(line) } }
        for text in inputs {
            let ids = idsOf(text)
            let obj: [String: Any] = ["text": text, "ids": ids]
            print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
        }
    }
}
