import Engine
import Foundation
import Sessions
import SwiftProtobuf
import TextData

/// The folder `workbench export` writes: the model file, `labels.json` (class names in the
/// order of the output's columns), `tokenizer.json` and a README with the input and output
/// names and a Python example. Written whole or not at all, into a folder that is new or empty.
public enum ExportFolder {
    /// What `workbench export --format` and the workbench's `:export` write.
    public enum Format: String, CaseIterable, Sendable {
        case onnx, keras, safetensors
    }

    public static let onnxFile = "model.onnx"
    public static let kerasFile = "model.keras"
    public static let labelsFile = "labels.json"
    public static let tokenizerFile = "tokenizer.json"
    public static let readmeFile = "README.md"

    /// Exports `classifier` as ONNX into `dir`. Throws `EngineError.invalidSpec` for a layer
    /// ONNX export cannot express and `EngineError.file` for a target that is a file or a
    /// non-empty folder, before writing anything.
    public static func writeONNX(_ classifier: TextClassifier, to dir: URL) throws {
        try checkTarget(dir)
        let model = try OnnxExport.model(classifier)
        let bytes: Data
        do { bytes = try model.serializedData() } catch {
            throw EngineError.file(path: dir.appendingPathComponent(onnxFile).path, reason: "cannot encode the ONNX model: \(error)")
        }
        let labels = try json(classifier.classNames)
        let tokenizer = try tokenizerJSON(classifier.config)
        let readme = Data(readme(classifier, format: .onnx).utf8)
        try write(dir, files: [(onnxFile, bytes), (labelsFile, labels), (tokenizerFile, tokenizer), (readmeFile, readme)])
    }

    /// Exports `classifier` as a Keras 3 `.keras` archive into `dir`. Throws
    /// `EngineError.invalidSpec` for a layer Keras cannot express and `EngineError.file` for a
    /// target that is a file or a non-empty folder, before writing anything.
    public static func writeKeras(_ classifier: TextClassifier, to dir: URL) throws {
        try checkTarget(dir)
        let archive = try KerasExport.archive(classifier, scratch: FileManager.default.temporaryDirectory)
        let labels = try json(classifier.classNames)
        let tokenizer = try tokenizerJSON(classifier.config)
        let readme = Data(readme(classifier, format: .keras).utf8)
        try write(dir, files: [(kerasFile, archive), (labelsFile, labels), (tokenizerFile, tokenizer), (readmeFile, readme)])
    }

    /// Exports a model folder (as `train --save` and `sessions export` write it: the weights as
    /// safetensors and the classifier's JSON, or a learner's `learner.safetensors`) with
    /// `labels.json`, the tokenizer (neural models) and a README into `dir`. The result is
    /// still a model folder `--model-dir` reads.
    public static func writeSafetensors(modelFolder: URL, classifier: TextClassifier?, classNames: [String], to dir: URL) throws {
        try checkTarget(dir)
        let names = classifier == nil ? [ModelDirectory.learnerFile] : [ModelDirectory.weightsFile, ModelDirectory.configFile]
        var files: [(String, Data)] = []
        for name in names {
            let url = modelFolder.appendingPathComponent(name)
            do { files.append((name, try Data(contentsOf: url))) } catch {
                throw EngineError.file(path: url.path, reason: "cannot read: \(error.localizedDescription)")
            }
        }
        files.append((labelsFile, try json(classNames)))
        if let classifier {
            files.append((tokenizerFile, try tokenizerJSON(classifier.config)))
            files.append((readmeFile, Data(readme(classifier, format: .safetensors).utf8)))
        } else {
            files.append((readmeFile, Data(learnerReadme(classNames).utf8)))
        }
        try write(dir, files: files)
    }

    /// Refuses a target that is a file or a folder holding anything.
    public static func checkTarget(_ dir: URL) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir) else { return }
        guard isDir.boolValue else { throw EngineError.file(path: dir.path, reason: "exists and is not a folder") }
        let items = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        if !items.isEmpty {
            throw EngineError.file(path: dir.path, reason: "exists and is not empty (\(items.sorted().prefix(3).joined(separator: ", "))\(items.count > 3 ? ", …" : "")): give a new or empty folder")
        }
    }

    /// Fills a temporary sibling folder, then moves it into place: a reader never sees half an
    /// export, and a failure leaves nothing behind.
    static func write(_ dir: URL, files: [(String, Data)]) throws {
        let dir = dir.standardizedFileURL
        let fm = FileManager.default
        let parent = dir.deletingLastPathComponent()
        do { try fm.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw EngineError.file(path: parent.path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        let tmp = parent.appendingPathComponent(".\(dir.lastPathComponent).tmp-\(UUID().uuidString)", isDirectory: true)
        do {
            do { try fm.createDirectory(at: tmp, withIntermediateDirectories: false) } catch {
                throw EngineError.file(path: tmp.path, reason: "cannot create a temporary folder: \(error.localizedDescription)")
            }
            for (name, data) in files {
                do { try data.write(to: tmp.appendingPathComponent(name), options: .atomic) } catch {
                    throw EngineError.file(path: dir.appendingPathComponent(name).path, reason: "cannot write: \(error.localizedDescription)")
                }
            }
            // An empty folder at `dir` (checked before) gives way to the new one.
            if fm.fileExists(atPath: dir.path) { _ = rmdir(dir.path) }
            guard rename(tmp.path, dir.path) == 0 else {
                throw EngineError.file(path: dir.path, reason: "cannot move the export into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? fm.removeItem(at: tmp)
            throw error
        }
    }

    static func json(_ value: some Encodable) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try enc.encode(value)
    }

    /// For the `keras` tokenizer, the JSON `keras_preprocessing.text.tokenizer_from_json` (and
    /// tf-keras's) reads: `{"class_name": "Tokenizer", "config": {…, "word_index": "<json>"}}`,
    /// the dictionaries as JSON strings as `Tokenizer.to_json` writes them. For the script-aware
    /// tokenizer, the same vocabulary fields with the splitting rules spelled out (`rules`),
    /// since no Python class reproduces them. Both carry a `workbench` block with max_length
    /// and the padding and truncating sides.
    public static func tokenizerJSON(_ config: ClassifierConfig) throws -> Data {
        func jsonString(_ object: Any) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        let vocab = config.tokenizer.vocab
        // As Keras builds them: index_word and index_docs from word_index (where an oov_token
        // that also occurs in the texts takes its later index).
        let wordIndex = vocab.wordIndex
        var indexWord: [String: String] = [:]
        for (w, i) in wordIndex { indexWord[String(i)] = w }
        var counts: [String: Int] = [:], docs: [String: Int] = [:], indexDocs: [String: Int] = [:]
        for wc in vocab.wordCounts { counts[wc.word] = wc.count }
        for wc in vocab.wordDocs {
            docs[wc.word] = wc.count
            if let i = wordIndex[wc.word] { indexDocs[String(i)] = wc.count }
        }
        var inner: [String: Any] = [
            "num_words": vocab.numWords as Any? ?? NSNull(),
            "oov_token": vocab.oovToken as Any? ?? NSNull(),
            "document_count": vocab.documentCount,
            "word_counts": try jsonString(counts), "word_docs": try jsonString(docs),
            "index_docs": try jsonString(indexDocs), "index_word": try jsonString(indexWord),
            "word_index": try jsonString(wordIndex),
        ]
        var outer: [String: Any] = [
            "workbench": ["max_length": config.maxLength, "padding": config.padding.rawValue,
                          "truncating": config.truncating.rawValue, "padding_id": 0,
                          "tokenizer": config.tokenizer.kind.rawValue],
        ]
        switch config.tokenizer {
        case let .keras(t):
            inner["filters"] = t.filters; inner["lower"] = t.lower; inner["split"] = t.split; inner["char_level"] = t.charLevel
            outer["class_name"] = "Tokenizer"
        case let .script(t):
            inner["lower"] = t.lower; inner["bigrams"] = t.bigrams
            outer["class_name"] = "WorkbenchScriptTokenizer"
            outer["rules"] = [
                "Lowercase with Python's str.lower() per code point when lower is true.",
                "CJK runs (Han, Hiragana, Katakana, Hangul) give one token per character; with bigrams each character is followed by the bigram it starts inside its run.",
                "Other text gives words: maximal runs of letters and digits with their combining marks; an apostrophe between two letters or digits, and . or , between two digits, stay inside the word.",
                "Symbols of category So (emoji, ©) are one token each; emoji modifiers, variation selectors and joiners are dropped.",
                "Everything else separates tokens and is dropped.",
                "A token's id is word_index[token]; tokens not in word_index (or with an id ≥ num_words when num_words is set) become the oov_token's id, or are dropped without one.",
                "`workbench tokenize --model-dir DIR` prints the ids of any text.",
            ]
        }
        outer["config"] = inner
        return try JSONSerialization.data(withJSONObject: outer, options: [.sortedKeys, .prettyPrinted])
    }

    static func readme(_ c: TextClassifier, format: Format) -> String {
        let cfg = c.config
        let keras = cfg.tokenizer.kind == .keras
        let pad = cfg.padding.rawValue, trunc = cfg.truncating.rawValue
        let tokenize = keras
            ? """
              from keras_preprocessing.text import tokenizer_from_json  # or tf.keras.preprocessing.text
              from keras_preprocessing.sequence import pad_sequences
              tok = tokenizer_from_json(open("tokenizer.json").read())
              ids = pad_sequences(tok.texts_to_sequences(texts), maxlen=\(cfg.maxLength), padding="\(pad)", truncating="\(trunc)")
              """
            : """
              # tokenizer.json documents the rules; `workbench tokenize --model-dir DIR` (DIR: the model folder exported from) prints the ids.
              import subprocess
              out = subprocess.run(["workbench", "tokenize", "--model-dir", "DIR", *texts], capture_output=True, text=True).stdout
              ids = np.array([json.loads(line)["ids"] for line in out.splitlines()])
              """
        let tokenizerLine = "- `tokenizer.json`: the \(keras ? "Keras tokenizer, which tokenizer_from_json reads" : "script-aware tokenizer: vocabulary and rules"); pad or cut to \(cfg.maxLength) ids at the \(pad == trunc ? "\(pad)" : "\(pad) (padding) / \(trunc) (truncating)") end."
        let binary = cfg.model.loss == .binaryCrossentropy
        let header = "# \(c.config.model.layers.map(\.label).joined(separator: " → "))\n\n"
        switch format {
        case .onnx:
            return header + """
            Exported by `workbench export --format onnx` (ONNX opset \(OnnxExport.opsetVersion)).

            - `model.onnx`: input `\(OnnxExport.inputName)` int64 [N, \(cfg.maxLength)] (token ids, 0 = padding), output `\(OnnxExport.outputName)` float [N, \(c.classNames.count)].
            - `labels.json`: the class of each output column.
            \(tokenizerLine)

            ```python
            import json, numpy as np, onnxruntime as ort
            texts = ["an example text"]
            \(tokenize)
            session = ort.InferenceSession("model.onnx")
            probabilities = session.run(["\(OnnxExport.outputName)"], {"\(OnnxExport.inputName)": np.asarray(ids, dtype=np.int64)})[0]
            labels = json.load(open("labels.json"))
            print([labels[i] for i in probabilities.argmax(axis=1)])
            ```

            """
        case .keras:
            return header + """
            Exported by `workbench export --format keras` (a Keras \(KerasExport.kerasVersion) `.keras` archive: a Sequential model).

            - `model.keras`: `keras.saving.load_model("model.keras")`; input int [N, \(cfg.maxLength)] (token ids, 0 = padding), output float [N, \(binary ? "1] (the probability of the second label)" : "\(c.classNames.count)]").
            - `labels.json`: the class of each output column\(binary ? " (binary: [1 − p, p])" : "").
            \(tokenizerLine)

            ```python
            import json, numpy as np, keras
            texts = ["an example text"]
            \(tokenize)
            model = keras.saving.load_model("model.keras")
            p = model.predict(np.asarray(ids), verbose=0)
            \(binary ? "probabilities = np.concatenate([1 - p, p], axis=1)" : "probabilities = p")
            labels = json.load(open("labels.json"))
            print([labels[i] for i in probabilities.argmax(axis=1)])
            ```

            """
        case .safetensors:
            return header + """
            Exported by `workbench export --format safetensors`: a workbench model folder (`--model-dir` reads it).

            - `\(ModelDirectory.weightsFile)`: the weights, named `<layer>/<weight>` in Keras's layout (kernel [in, out], recurrent gates in Keras's order).
            - `\(ModelDirectory.configFile)`: the model spec, tokenizer, labels and padding.
            - `labels.json`: the class of each output column.
            \(tokenizerLine)

            ```python
            import json
            from safetensors.numpy import load_file
            weights = load_file("\(ModelDirectory.weightsFile)")
            for name, array in weights.items():
                print(name, array.shape)
            labels = json.load(open("labels.json"))
            ```

            """
        }
    }

    static func learnerReadme(_ classNames: [String]) -> String {
        """
        # Learner model

        Exported by `workbench export --format safetensors`: a workbench model folder (`--model-dir` reads it).

        - `\(ModelDirectory.learnerFile)`: the learner (its analyzer, vocabulary and weights) as safetensors with JSON metadata.
        - `labels.json`: the classes (\(classNames.count)), in the order of the probabilities `workbench predict --json` prints.

        ```python
        from safetensors import safe_open
        with safe_open("\(ModelDirectory.learnerFile)", framework="numpy") as f:
            print(f.metadata())
            for name in f.keys():
                print(name, f.get_tensor(name).shape)
        ```

        """
    }
}
