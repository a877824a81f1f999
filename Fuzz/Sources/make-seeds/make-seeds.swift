import Engine
import Foundation
import Learners
import Sessions
import TerminalUI
import TextData

/// Writes the seed corpus (Corpus/<harness>/) with the workbench's own code: small data
/// files, a weights file, a session.json, a learner file of each kind, a theme and a key map.
/// Run once from Fuzz/ (`swift run make-seeds`, a build without sanitizers) and commit the
/// result; `run` never rebuilds it. Keep the files small: the corpus stays under 200 KB.
@main
struct MakeSeeds {
    static func main() async throws {
        let corpus = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Corpus")
        func put(_ harness: String, _ name: String, _ bytes: Data) throws {
            let dir = corpus.appendingPathComponent(harness)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try bytes.write(to: dir.appendingPathComponent(name))
        }
        /// A safetensors-style seed, both ways the harnesses read one: the file as it is (first
        /// byte 0), and the header, a NUL, then the data (first byte 1; see FuzzInput.safetensorsFile).
        func putSafetensors(_ harness: String, _ name: String, _ file: Data) throws {
            try put(harness, name, Data([0]) + file)
            let length = file.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
            try put(harness, name + "-header", Data([1]) + file.dropFirst(8).prefix(length) + Data([0]) + file.dropFirst(8 + length))
        }
        /// A data-reader seed: the selector byte (which options the harness uses), then the file.
        func data(_ selector: UInt8, _ text: String) -> Data { Data([selector]) + Data(text.utf8) }

        let examples: [(String, String)] = [
            ("pos", "great food, friendly staff"), ("neg", "awful room and rude staff"), ("pos", "房间很干净，服务很好"),
            ("neg", "the \"worst\" stay, never again"), ("pos", "nice view\tquiet"), ("neg", "broken shower; cold water"),
        ]

        // TSV: label<TAB>text; a table with a header; a table by index.
        try put("fuzz-tsv", "label-tab-text", data(0, examples.map { "\($0)\t\($1)" }.joined(separator: "\n") + "\n"))
        try put("fuzz-tsv", "header", data(1, "id\tlabel\ttext\n" + examples.enumerated().map { "\($0)\t\($1.0)\t\($1.1)" }.joined(separator: "\r\n") + "\r\n"))
        try put("fuzz-tsv", "by-index", data(2, "\u{FEFF}" + examples.enumerated().map { "\($1.0)\t\($0)\t\($1.1)" }.joined(separator: "\n")))

        // CSV: quoted fields (commas, doubled quotes, a newline inside quotes).
        func csv(_ s: String) -> String { s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        try put("fuzz-csv", "defaults", data(0, "label,text\n" + examples.map { "\($0),\(csv($1))" }.joined(separator: "\n") + "\n"))
        try put("fuzz-csv", "named", data(1, "stars,review,extra\n" + examples.map { "\($0),\(csv($1)),x" }.joined(separator: "\r\n")
                                           + "\npos,\"two\nlines\",y\n"))
        try put("fuzz-csv", "by-index", data(2, examples.enumerated().map { "\($1.0),\($0),\(csv($1.1))" }.joined(separator: "\n")))

        // JSON lines: string, integer and boolean labels; escapes; the other keys.
        try put("fuzz-jsonl", "defaults", data(0, examples.map { #"{"label": "\#($0)", "text": "\#($1.replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\t", with: "\\t"))"}"# }.joined(separator: "\n")
                                               + "\n{\"label\": 1, \"text\": \"\\u00e9t\\u00e9\"}\n\n{\"label\": true, \"text\": \"\"}\n"))
        try put("fuzz-jsonl", "keys", data(1, #"{"tag": "pos", "body": "good", "other": [1, 2, {"x": null}]}"# + "\n" + #"{"tag": "neg", "body": "bad"}"# + "\n"))

        // A weights file of the model the safetensors harness loads into.
        let model = try Sequential(spec: ModelSpec(inputLength: 4, vocabularySize: 10, layers: [.embedding(dim: 3), .globalAveragePooling1D,
                                                                                           .dense(units: 1, activation: .sigmoid)]), seed: 1)
        try putSafetensors("fuzz-safetensors", "weights.safetensors", try model.weightsData(metadata: ["format": "workbench"]))

        // A learner file of each kind, trained on a few lines.
        let train = examples.map { LabelledText(label: $0, text: $1) } + examples.map { LabelledText(label: $0, text: $1 + " again") }
        for spec in ["logreg", "svm", "nb", "tree:depth=3", "forest:trees=2:depth=3", "fasttext:epochs=1:dim=4:bucket=64"] {
            guard let recipe = try LearnerRecipe.parse(spec) else { continue }
            let learner = try recipe.fit(train, seed: 1).learner
            try putSafetensors("fuzz-learner-archive", recipe.kind.rawValue + ".safetensors", try LearnerIO.encode(learner))
        }

        // A session.json: a session created (not trained) on a few lines, with a tiny model.
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("make-seeds-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dataFile = scratch.appendingPathComponent("data.tsv")
        try Data((train.map { "\($0.label)\t\($0.text)" }.joined(separator: "\n") + "\n").utf8).write(to: dataFile)
        let manager = SessionManager(store: SessionStore(root: scratch.appendingPathComponent("S")))
        let setup = SessionSetup(data: dataFile.path, validation: .split(0.25), tokenizer: .script(ScriptTokenizer(numWords: 30)), maxLength: 6,
                                 model: .layers([.embedding(dim: 4), .dropout(rate: 0.1), .globalAveragePooling1D, .dense(units: 1, activation: .sigmoid)],
                                                loss: nil),
                                 optimizer: .adam(learningRate: 0.01), fit: FitConfig(epochs: 1, batchSize: 4, seed: 1), autosaveEvery: 5)
        _ = try await manager.create("s", setup: setup)
        await manager.shutdown()
        await TrainingEngine.shared.shutdown()
        try put("fuzz-session-json", "session.json", try Data(contentsOf: scratch.appendingPathComponent("S/s/session.json")))

        // A theme and a key map.
        try put("fuzz-theme-toml", "theme.toml", Data("""
            name = "seed"
            [colors]
            background = 255
            text = 236
            selection = { fg = 16, bg = 153 }
            border = "#8a8a8a"
            title = "bright-blue"
            [colors8]
            selection = { fg = "black", bg = "cyan" }
            [attributes]
            title = ["bold", "underline"]
            [mono]
            selection = "reverse"

            """.utf8))
        try put("fuzz-keymap-toml", "keys.toml", Data("""
            # overrides
            [keys]
            train = "ctrl-t"
            help = ["?", "F1"]
            step = []
            quit = "ctrl-q"
            focus_next = "tab"

            """.utf8))
        // Each seed is a good file: it reads without an error.
        for name in ["label-tab-text", "header", "by-index"] { _ = try check("fuzz-tsv", name, ".tsv", [ReadOptions(), ReadOptions(textColumn: "text", labelColumn: "label", hasHeader: true), ReadOptions(textColumn: 2, labelColumn: 0, hasHeader: false)]) }
        for name in ["defaults", "named", "by-index"] { _ = try check("fuzz-csv", name, ".csv", [ReadOptions(), ReadOptions(textColumn: "review", labelColumn: "stars", hasHeader: true), ReadOptions(textColumn: 2, labelColumn: 0, hasHeader: false)]) }
        for name in ["defaults", "keys"] { _ = try check("fuzz-jsonl", name, ".jsonl", [ReadOptions(), ReadOptions(textKey: "body", labelKey: "tag")]) }
        func check(_ harness: String, _ name: String, _ ext: String, _ options: [ReadOptions]) throws -> Int {
            let bytes = try Data(contentsOf: corpus.appendingPathComponent(harness).appendingPathComponent(name))
            let file = scratch.appendingPathComponent(name + ext)
            try bytes.dropFirst().write(to: file)
            return try DatasetReader.read(path: file.path, options: options[Int(bytes[0]) % options.count]).count
        }
        _ = try Theme.parse(String(decoding: try Data(contentsOf: corpus.appendingPathComponent("fuzz-theme-toml/theme.toml")), as: UTF8.self), path: "theme.toml")
        _ = try KeyMap.standard.applyingOverrides(String(decoding: try Data(contentsOf: corpus.appendingPathComponent("fuzz-keymap-toml/keys.toml")), as: UTF8.self), path: "keys.toml")
        _ = try SessionStore(root: corpus).record("fuzz-session-json")
        _ = try model.loadWeights(from: try Data(contentsOf: corpus.appendingPathComponent("fuzz-safetensors/weights.safetensors")).dropFirst(), path: "weights")
        for file in try FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent("fuzz-learner-archive").path) where !file.hasSuffix("-header") {
            _ = try LearnerIO.decode(try Data(contentsOf: corpus.appendingPathComponent("fuzz-learner-archive").appendingPathComponent(file)).dropFirst())
        }
        print("seeds written to \(corpus.path)")
    }
}
