import Engine
import Foundation
import Learners

/// Builds an ONNX model (opset 17, ai.onnx.ml 3 for trees) from a learner. Input `token_ids`
/// int64 [N, L] (any L ≥ 1): the analyzer's tokens as `LearnerInput` numbers them, 0 for
/// unknown tokens and padding; output `probabilities` float [N, classes], as `workbench
/// predict` prints them.
///
/// - TF-IDF learners, as skl2onnx lays out a `TfidfVectorizer` pipeline: `TfIdfVectorizer`
///   (mode TF over the vocabulary's n-grams of token ids) gives the counts; then, in double as
///   the workbench computes them, `1 + ln tf` (sublinear), × idf and the row's L2 norm (a row
///   with no known term stays zero). Logistic regression: MatMul + Add + Sigmoid (two classes,
///   as [1 − p, p]) or Softmax; linear SVM: the softmax over the decision values (two classes:
///   over (−d, d)), as the workbench reports them; naive Bayes: MatMul + the log priors +
///   Softmax; a tree or forest: `TreeEnsembleClassifier` (x ≤ threshold goes left) over the
///   leaves' class frequencies, averaged over the trees.
/// - fastText: `Gather` of the token, `</s>` and n-gram-bucket rows (a zero row 0 pads),
///   their mean over the non-zero ids, MatMul with the output rows, Softmax.
public enum LearnerOnnxExport {
    public static let mlOpsetVersion: Int64 = 3
    /// The largest fastText input table exported (floats): 2³⁶ bytes would pass protobuf's
    /// 2 GB limit long before, and a bucket count of millions makes files no one wants.
    public static let maxFastTextTable = 1 << 26

    public static func model(_ learner: any Learner, input: LearnerInput) throws -> Onnx_ModelProto {
        var g = OnnxGraphBuilder()
        _ = g.fresh(OnnxExport.inputName)
        let x = OnnxExport.inputName
        var usesML = false
        let classes = learner.labels.count
        var p: String
        let description: String
        if let t = learner as? TfidfLearner {
            let features = try tfidf(&g, x, t, input: input)
            description = "\(t.kind.title) on TF-IDF n-grams 1…\(t.vectorizer.options.ngrams) of \(t.tokenizer.name) tokens"
            switch t.model {
            case let m as LogisticRegression:
                let z = linear(&g, features, m.linear.weights, m.linear.intercepts, features: m.linear.featureCount,
                               outputs: m.linear.intercepts.count, name: "logreg")
                p = classes == 2 ? complement(&g, g.op("Sigmoid", [z], name: "logreg")) : softmax(&g, z, name: "logreg")
            case let m as LinearSVM:
                var z = linear(&g, features, m.linear.weights, m.linear.intercepts, features: m.linear.featureCount,
                               outputs: m.linear.intercepts.count, name: "svm")
                if classes == 2 { z = g.op("Concat", [g.op("Neg", [z], name: "svm"), z], name: "svm", [Attr.int("axis", 1)]) }
                p = softmax(&g, z, name: "svm")
            case let m as NaiveBayes:
                let z = linear(&g, features, m.featureLogProbabilities, m.classLogPriors, features: m.featureCount,
                               outputs: m.classCount, name: "nb")
                p = softmax(&g, z, name: "nb")
            case let m as DecisionTree:
                p = trees(&g, features, [m], classes: classes, name: "tree")
                usesML = true
            case let m as RandomForest:
                p = trees(&g, features, m.trees, classes: classes, name: "forest")
                usesML = true
            default:
                throw refusal(learner, "its classifier (\(type(of: t.model))) has no ONNX mapping")
            }
        } else if let f = learner as? FastText {
            p = try fastText(&g, x, f)
            description = "fastText (dim \(f.options.dim), word n-grams 1…\(f.options.wordNgrams)) on \(f.tokenizer.name) tokens"
        } else {
            throw refusal(learner, "it has no ONNX mapping")
        }
        p = g.op("Identity", [p], name: OnnxExport.outputName)

        var graph = Onnx_GraphProto()
        graph.name = "workbench_learner"
        graph.node = g.nodes
        graph.node[graph.node.count - 1].output = [OnnxExport.outputName]
        graph.initializer = g.initializers
        graph.input = [OnnxExport.valueInfo(OnnxExport.inputName, .int64, ["batch", "tokens"])]
        graph.output = [OnnxExport.valueInfo(OnnxExport.outputName, .float, ["batch", classes])]

        var model = Onnx_ModelProto()
        model.irVersion = OnnxExport.irVersion
        model.producerName = "workbench"
        model.producerVersion = "1"
        model.docString = "Text classifier exported by workbench: \(description)"
        var opset = Onnx_OperatorSetIdProto()
        opset.version = OnnxExport.opsetVersion
        model.opsetImport = [opset]
        if usesML {
            var ml = Onnx_OperatorSetIdProto()
            ml.domain = "ai.onnx.ml"
            ml.version = mlOpsetVersion
            model.opsetImport.append(ml)
        }
        model.graph = graph
        return model
    }

    static func refusal(_ learner: any Learner, _ why: String) -> EngineError {
        .invalidSpec(field: "model", reason: "the \(learner.kind.title) learner cannot be exported to ONNX: \(why)")
    }

    /// The TF-IDF rows [N, F] float of the token ids.
    static func tfidf(_ g: inout OnnxGraphBuilder, _ x: String, _ t: TfidfLearner, input: LearnerInput) throws -> String {
        let v = t.vectorizer, n = v.options.ngrams
        // The pool: the vocabulary's n-grams as ids, grouped by length, each with its column.
        var byLength = [[(ids: [Int64], column: Int64)]](repeating: [], count: n)
        for (column, term) in v.terms.enumerated() {
            let tokens = try LearnerInput.split(term, tokenizer: t.tokenizer, ngrams: n)
            let ids = try tokens.map { token -> Int64 in
                guard let id = input.id(token) else {
                    throw EngineError.invalidSpec(field: "vectorizer", reason: "the token '\(token)' of '\(term)' has no id")
                }
                return Int64(id)
            }
            byLength[ids.count - 1].append((ids, Int64(column)))
        }
        var pool: [Int64] = [], counts: [Int64] = [], indexes: [Int64] = []
        for group in byLength {
            counts.append(Int64(pool.count))
            for gram in group {
                pool += gram.ids
                indexes.append(gram.column)
            }
        }
        var tf = g.op("TfIdfVectorizer", [x], name: "tfidf", [
            Attr.string("mode", "TF"), Attr.int("min_gram_length", 1), Attr.int("max_gram_length", n),
            Attr.int("max_skip_count", 0), Attr.int64s("ngram_counts", counts), Attr.int64s("ngram_indexes", indexes),
            Attr.int64s("pool_int64s", pool),
        ])
        tf = g.op("Cast", [tf], name: "tfidf", [Attr.int("to", Int(Onnx_TensorProto.DataType.double.rawValue))])
        if v.options.sublinearTF {
            // 1 + ln tf where tf > 0 (ln 0 = −∞ is computed but not chosen).
            let zero = g.doubles("tfidf.zero", [0], dims: [])
            let one = g.doubles("tfidf.one", [1], dims: [])
            let present = g.op("Greater", [tf, zero], name: "tfidf")
            let damped = g.op("Add", [g.op("Log", [tf], name: "tfidf"), one], name: "tfidf")
            tf = g.op("Where", [present, damped, tf], name: "tfidf")
        }
        var w = g.op("Mul", [tf, g.doubles("tfidf.idf", v.idf.map(Double.init), dims: [v.featureCount])], name: "tfidf")
        if v.options.normalize {
            let norm = g.op("Sqrt", [g.op("ReduceSumSquare", [w], name: "tfidf", [Attr.ints("axes", [1]), Attr.int("keepdims", 1)])], name: "tfidf")
            // A row with no known term has norm 0 and stays zero.
            let safe = g.op("Max", [norm, g.doubles("tfidf.tiny", [Double.leastNormalMagnitude], dims: [])], name: "tfidf")
            w = g.op("Div", [w, safe], name: "tfidf")
        }
        return g.op("Cast", [w], name: "tfidf", [Attr.int("to", Int(Onnx_TensorProto.DataType.float.rawValue))])
    }

    /// x · W + b with W feature-major [F, outputs].
    static func linear(_ g: inout OnnxGraphBuilder, _ x: String, _ weights: [Float], _ bias: [Float], features: Int,
                       outputs: Int, name: String) -> String {
        let z = g.op("MatMul", [x, g.floats("\(name).weights", weights, dims: [features, outputs])], name: name)
        return g.op("Add", [z, g.floats("\(name).intercepts", bias, dims: [outputs])], name: name)
    }

    static func softmax(_ g: inout OnnxGraphBuilder, _ z: String, name: String) -> String {
        g.op("Softmax", [z], name: name, [Attr.int("axis", -1)])
    }

    /// [N, 1] p → [N, 2] [1 − p, p].
    static func complement(_ g: inout OnnxGraphBuilder, _ p: String) -> String {
        let q = g.op("Sub", [g.floats("one", [1], dims: [1]), p], name: "binary")
        return g.op("Concat", [q, p], name: "binary", [Attr.int("axis", 1)])
    }

    /// `TreeEnsembleClassifier` summing the leaves' class frequencies, then divided by the
    /// number of trees. A tree with no nodes answers the uniform distribution, as the learner does.
    static func trees(_ g: inout OnnxGraphBuilder, _ x: String, _ trees: [DecisionTree], classes k: Int, name: String) -> String {
        var treeIds: [Int64] = [], nodeIds: [Int64] = [], featureIds: [Int64] = [], modes: [String] = []
        var values: [Float] = [], trueIds: [Int64] = [], falseIds: [Int64] = []
        var classTree: [Int64] = [], classNode: [Int64] = [], classIds: [Int64] = [], classWeights: [Float] = []
        func leaf(_ tree: Int, _ node: Int, _ weights: ArraySlice<Float>) {
            treeIds.append(Int64(tree)); nodeIds.append(Int64(node)); featureIds.append(0); modes.append("LEAF")
            values.append(0); trueIds.append(0); falseIds.append(0)
            for (c, w) in weights.enumerated() {
                classTree.append(Int64(tree)); classNode.append(Int64(node)); classIds.append(Int64(c)); classWeights.append(w)
            }
        }
        for (t, tree) in trees.enumerated() {
            guard tree.nodeCount > 0 else {
                leaf(t, 0, ArraySlice(repeating: 1 / Float(k), count: k))
                continue
            }
            for node in 0..<tree.nodeCount {
                if tree.feature[node] < 0 {
                    leaf(t, node, tree.value[(node * k)..<((node + 1) * k)])
                } else {
                    treeIds.append(Int64(t)); nodeIds.append(Int64(node)); featureIds.append(Int64(tree.feature[node]))
                    modes.append("BRANCH_LEQ"); values.append(tree.threshold[node])
                    trueIds.append(Int64(tree.left[node])); falseIds.append(Int64(tree.right[node]))
                }
            }
        }
        let outs = g.node("TreeEnsembleClassifier", [x], name: name, outputs: 2, [
            Attr.int64s("classlabels_int64s", (0..<k).map(Int64.init)), Attr.int64s("nodes_treeids", treeIds),
            Attr.int64s("nodes_nodeids", nodeIds), Attr.int64s("nodes_featureids", featureIds),
            Attr.strings("nodes_modes", modes), Attr.floats("nodes_values", values),
            Attr.int64s("nodes_truenodeids", trueIds), Attr.int64s("nodes_falsenodeids", falseIds),
            Attr.int64s("class_treeids", classTree), Attr.int64s("class_nodeids", classNode),
            Attr.int64s("class_ids", classIds), Attr.floats("class_weights", classWeights),
            Attr.string("post_transform", "NONE"),
        ], domain: "ai.onnx.ml")
        guard trees.count > 1 else { return outs[1] }
        return g.op("Mul", [outs[1], g.floats("\(name).scale", [1 / Float(trees.count)], dims: [])], name: name)
    }

    /// The mean of the ids' rows (0: a zero row, not counted), × the output rows, softmax.
    static func fastText(_ g: inout OnnxGraphBuilder, _ x: String, _ f: FastText) throws -> String {
        let dim = f.options.dim, rows = f.denseRowCount + 1
        guard rows * dim <= maxFastTextTable else {
            throw refusal(f, "its input table (\(rows) rows × \(dim)) is over \(maxFastTextTable) floats: every one of the \(f.options.bucket) n-gram buckets needs a row; train with a smaller bucket (e.g. fasttext:ngrams=\(f.options.wordNgrams):bucket=100000) or dim")
        }
        let table = g.floats("fasttext.input", [Float](repeating: 0, count: dim) + f.denseTable(), dims: [rows, dim])
        let gathered = g.op("Gather", [table, x], name: "fasttext", [Attr.int("axis", 0)])   // [N, L, dim]
        let axes = g.int64s("fasttext.axes", [1])
        let sum = g.op("ReduceSum", [gathered, axes], name: "fasttext", [Attr.int("keepdims", 0)])
        let present = g.op("Cast", [g.op("Greater", [x, g.int64s("fasttext.zero", [0])], name: "fasttext")], name: "fasttext",
                           [Attr.int("to", Int(Onnx_TensorProto.DataType.float.rawValue))])
        let count = g.op("ReduceSum", [present, axes], name: "fasttext", [Attr.int("keepdims", 1)])
        let mean = g.op("Div", [sum, g.op("Max", [count, g.floats("fasttext.one", [1], dims: [])], name: "fasttext")], name: "fasttext")
        // Output rows [classes, dim] → [dim, classes].
        let k = f.labels.count
        var transposed = [Float](repeating: 0, count: dim * k)
        for c in 0..<k { for d in 0..<dim { transposed[d * k + c] = f.output[c * dim + d] } }
        let z = g.op("MatMul", [mean, g.floats("fasttext.output", transposed, dims: [dim, k])], name: "fasttext")
        return softmax(&g, z, name: "fasttext")
    }
}
