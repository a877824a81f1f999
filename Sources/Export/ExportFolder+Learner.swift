import Engine
import Foundation
import Learners
import SwiftProtobuf

extension ExportFolder {
    /// Exports a learner as ONNX into `dir`: model.onnx, labels.json, tokenizer.json (the
    /// analyzer and the ids of its tokens) and a README. Throws `EngineError.invalidSpec` for
    /// a learner ONNX cannot express, and `EngineError.file` for a bad target, before writing.
    public static func writeONNX(learner: any Learner, to dir: URL) throws {
        try checkTarget(dir)
        let input = try LearnerInput(learner)
        let model = try LearnerOnnxExport.model(learner, input: input)
        let bytes: Data
        do { bytes = try model.serializedData() } catch {
            throw EngineError.file(path: dir.appendingPathComponent(onnxFile).path, reason: "cannot encode the ONNX model: \(error)")
        }
        let labels = try json(learner.labels.classes)
        let tokenizer = try learnerTokenizerJSON(learner, input: input)
        let readme = Data(learnerReadme(learner).utf8)
        try write(dir, files: [(onnxFile, bytes), (labelsFile, labels), (tokenizerFile, tokenizer), (readmeFile, readme)])
    }

    /// `{"class_name": "WorkbenchLearnerAnalyzer", "analyzer": …, "rules": […], "vocabulary":
    /// {token: id}}` for TF-IDF learners; for fastText, the dictionary words with their rows and
    /// the n-gram hashing rule instead.
    static func learnerTokenizerJSON(_ learner: any Learner, input: LearnerInput) throws -> Data {
        var object: [String: Any] = [
            "class_name": "WorkbenchLearnerAnalyzer",
            "learner": learner.kind.rawValue,
            "analyzer": analyzerName(learner.tokenizer),
            "padding_id": 0,
        ]
        var rules = [analyzerRule(learner.tokenizer)]
        if let t = learner as? TfidfLearner {
            var vocabulary: [String: Int] = [:]
            for (i, token) in input.tokens.enumerated() { vocabulary[token] = i + 1 }
            object["vocabulary"] = vocabulary
            object["ngrams"] = t.vectorizer.options.ngrams
            rules += [
                "A token's id is vocabulary[token]; a token not in it is 0 (keep it in place: no n-gram forms across it).",
                "The model counts the vocabulary's n-grams (1…\(t.vectorizer.options.ngrams) consecutive ids) itself; pad a batch with 0 at the end.",
            ]
        } else if let f = learner as? FastText {
            var words: [String: Int] = [:]
            for (i, w) in f.words.enumerated() { words[w] = i + 1 }
            object["words"] = words
            object["word_ngrams"] = f.options.wordNgrams
            object["bucket"] = f.options.bucket
            rules += [
                "The ids: each token's words[token] (unknown tokens give none), then words[\"</s>\"] (every text ends with it), then one id per word n-gram (n = 2…word_ngrams) as fastText hashes it: \(f.words.count + 1) + (n-gram hash mod bucket).",
                "Hash: FNV-1a over the UTF-8 bytes, each byte sign-extended to 32 bits before the xor; an n-gram's hash h starts as the first token's (sign-extended to 64 bits) and takes h·116049371 + the next token's; the end token </s> takes part.",
                "The model averages the rows of the non-zero ids; pad a batch with 0 at the end.",
            ]
        }
        rules.append("`workbench tokenize --model-dir DIR` prints the ids of any text.")
        object["rules"] = rules
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    }

    static func analyzerName(_ t: FeatureTokenizer) -> String {
        switch t {
        case .words, .automatic: return "words"
        case .characters: return "characters"
        case .nonSpaceCharacters: return "nonSpaceCharacters"
        case .whitespace: return "whitespace"
        case .punctuatedWords: return "punctuatedWords"
        case .tokenizer(let inner): return inner.kind.rawValue
        }
    }

    static func analyzerRule(_ t: FeatureTokenizer) -> String {
        switch t {
        case .words, .automatic:
            return "Tokens as scikit-learn's word analyzer: lowercase (Python's str.lower()), then every run of two or more word characters (Python's \\w)."
        case .characters:
            return "Tokens as scikit-learn's analyzer=\"char\": lowercase, each run of two or more whitespace characters becomes one space, then every code point is a token."
        case .nonSpaceCharacters:
            return "Tokens: every code point that is not whitespace (Python's str.isspace()), lowercased."
        case .whitespace:
            return "Tokens: runs of non-whitespace characters, case kept."
        case .punctuatedWords:
            return "Tokens: lowercase, the characters . ! ? , ' / ( ) split off as tokens of their own, then runs of non-whitespace characters."
        case .tokenizer(let inner):
            return "Tokens as the workbench's \(inner.kind.rawValue) tokenizer splits text (its vocabulary not used)."
        }
    }

    static func learnerReadme(_ learner: any Learner) -> String {
        let tfidf = learner is TfidfLearner
        return """
        # \(learner.kind.title)

        Exported by `workbench export --format onnx` (ONNX opset \(OnnxExport.opsetVersion)\(learner.kind == .tree || learner.kind == .forest ? ", ai.onnx.ml \(LearnerOnnxExport.mlOpsetVersion)" : "")).

        - `model.onnx`: input `\(OnnxExport.inputName)` int64 [N, L] (any L ≥ 1; 0 = padding), output `\(OnnxExport.outputName)` float [N, \(learner.labels.count)].
        - `labels.json`: the class of each output column.
        - `tokenizer.json`: the analyzer (\(learner.tokenizer.name)) and \(tfidf ? "the id of each vocabulary token" : "the id of each dictionary word and the n-gram hashing rule").

        The input is not text: the graph starts after the analyzer, which ONNX cannot run faithfully (Python's lowercasing, `\\w`, CJK characters). \(tfidf
            ? "Each token of the text becomes its vocabulary id (0 when unknown, kept in place); the graph forms the n-grams, TF-IDF weights and the classifier."
            : "A text becomes the ids of its known words, `</s>` and its hashed word n-grams; the graph averages their rows and applies the classifier.") `workbench tokenize --model-dir DIR` (DIR: the model folder exported from) prints the ids, one JSON line per text; rows of a batch are padded with 0 at the end.

        ```python
        import json, subprocess, numpy as np, onnxruntime as ort
        texts = ["an example text"]
        out = subprocess.run(["workbench", "tokenize", "--model-dir", "DIR", *texts], capture_output=True, text=True).stdout
        rows = [json.loads(line)["ids"] for line in out.splitlines()]
        width = max([1] + [len(r) for r in rows])
        ids = np.array([r + [0] * (width - len(r)) for r in rows], dtype=np.int64)
        session = ort.InferenceSession("model.onnx")
        probabilities = session.run(["\(OnnxExport.outputName)"], {"\(OnnxExport.inputName)": ids})[0]
        labels = json.load(open("labels.json"))
        print([labels[i] for i in probabilities.argmax(axis=1)])
        ```

        """
    }
}
