@testable import Export
import Foundation

/// A tiny ONNX interpreter for the operators the learner exports use, written from the ONNX
/// operator specification, so tests can run an exported graph without Python. Every value is
/// held as doubles (int64 ids and booleans included); numpy broadcasting throughout.
struct OnnxReferenceEvaluator {
    struct Value {
        var shape: [Int]
        var data: [Double]
        init(_ shape: [Int], _ data: [Double]) { self.shape = shape; self.data = data }
    }

    enum Failure: Error, CustomStringConvertible {
        case unsupported(String)
        case missing(String)
        var description: String {
            switch self {
            case let .unsupported(s): return "unsupported: \(s)"
            case let .missing(s): return "missing tensor \(s)"
            }
        }
    }

    let model: Onnx_ModelProto

    /// The graph's first output for `inputs` (by name).
    func run(_ inputs: [String: Value]) throws -> Value {
        var env = inputs
        for t in model.graph.initializer { env[t.name] = Self.tensor(t) }
        for node in model.graph.node {
            let args = try node.input.map { name -> Value in
                guard let v = env[name] else { throw Failure.missing(name) }
                return v
            }
            let outs = try Self.apply(node, args)
            for (name, v) in zip(node.output, outs) { env[name] = v }
        }
        let name = model.graph.output[0].name
        guard let out = env[name] else { throw Failure.missing(name) }
        return out
    }

    static func tensor(_ t: Onnx_TensorProto) -> Value {
        let shape = t.dims.map { Int($0) }
        switch Onnx_TensorProto.DataType(rawValue: Int(t.dataType)) {
        case .float?:
            let floats: [Float] = t.rawData.withUnsafeBytes { raw in
                (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            }
            return Value(shape, (t.floatData.isEmpty ? floats : t.floatData).map(Double.init))
        case .double?: return Value(shape, t.doubleData)
        default: return Value(shape, t.int64Data.map(Double.init))
        }
    }

    static func attr(_ n: Onnx_NodeProto, _ name: String) -> Onnx_AttributeProto? { n.attribute.first { $0.name == name } }

    static func apply(_ n: Onnx_NodeProto, _ a: [Value]) throws -> [Value] {
        func unary(_ f: (Double) -> Double) -> [Value] { [Value(a[0].shape, a[0].data.map(f))] }
        switch n.opType {
        case "Identity": return [a[0]]
        case "Cast":
            let to = Onnx_TensorProto.DataType(rawValue: Int(attr(n, "to")?.i ?? 0))
            return to == .float ? unary { Double(Float($0)) } : [a[0]]
        case "Log": return unary { Foundation.log($0) }
        case "Sqrt": return unary { $0.squareRoot() }
        case "Neg": return unary { -$0 }
        case "Sigmoid": return unary { 1 / (1 + Foundation.exp(-$0)) }
        case "Add": return [broadcast(a[0], a[1], +)]
        case "Sub": return [broadcast(a[0], a[1], -)]
        case "Mul": return [broadcast(a[0], a[1], *)]
        case "Div": return [broadcast(a[0], a[1], /)]
        case "Max": return [broadcast(a[0], a[1], max)]
        case "Greater": return [broadcast(a[0], a[1]) { $0 > $1 ? 1 : 0 }]
        case "Where":
            let picked = broadcast(a[0], broadcast(a[1], a[2]) { x, _ in x }) { c, x in c != 0 ? x : .nan }
            let other = broadcast(a[0], broadcast(a[2], a[1]) { y, _ in y }) { c, y in c != 0 ? .nan : y }
            return [Value(picked.shape, zip(picked.data, other.data).map { $0.isNaN ? $1 : $0 })]
        case "MatMul":
            let (rows, inner) = (a[0].shape[0], a[0].shape[1]), cols = a[1].shape[1]
            var out = [Double](repeating: 0, count: rows * cols)
            for r in 0..<rows { for k in 0..<inner { for c in 0..<cols { out[r * cols + c] += a[0].data[r * inner + k] * a[1].data[k * cols + c] } } }
            return [Value([rows, cols], out)]
        case "Softmax":
            let c = a[0].shape.last!, rows = a[0].data.count / c
            var out = a[0].data
            for r in 0..<rows {
                let row = out[(r * c)..<((r + 1) * c)], m = row.max()!
                let e = row.map { Foundation.exp($0 - m) }, s = e.reduce(0, +)
                for i in 0..<c { out[r * c + i] = e[i] / s }
            }
            return [Value(a[0].shape, out)]
        case "Concat":
            let rows = a[0].shape[0]
            var out: [Double] = []
            for r in 0..<rows { for v in a { let c = v.shape[1]; out += v.data[(r * c)..<((r + 1) * c)] } }
            return [Value([rows, a.map { $0.shape[1] }.reduce(0, +)], out)]
        case "ReduceSumSquare", "ReduceSum":
            let axes = n.opType == "ReduceSum" ? a[1].data.map { Int($0) } : (attr(n, "axes")?.ints.map { Int($0) } ?? [])
            guard axes == [1] else { throw Failure.unsupported("\(n.opType) over \(axes)") }
            let keep = (attr(n, "keepdims")?.i ?? 1) == 1
            let (outer, mid) = (a[0].shape[0], a[0].shape[1]), inner = a[0].data.count / max(outer * mid, 1)
            var out = [Double](repeating: 0, count: outer * inner)
            for o in 0..<outer { for m in 0..<mid { for i in 0..<inner {
                let v = a[0].data[(o * mid + m) * inner + i]
                out[o * inner + i] += n.opType == "ReduceSum" ? v : v * v
            } } }
            return [Value(keep ? [outer, 1] + a[0].shape.dropFirst(2) : [outer] + a[0].shape.dropFirst(2), out)]
        case "Gather":
            let width = a[0].shape.dropFirst().reduce(1, *)
            var out: [Double] = []
            for id in a[1].data { out += a[0].data[(Int(id) * width)..<((Int(id) + 1) * width)] }
            return [Value(a[1].shape + a[0].shape.dropFirst(), out)]
        case "TfIdfVectorizer": return [try tfidf(n, a[0])]
        case "TreeEnsembleClassifier": return try trees(n, a[0])
        default: throw Failure.unsupported(n.opType)
        }
    }

    /// numpy broadcasting of two values.
    static func broadcast(_ x: Value, _ y: Value, _ f: (Double, Double) -> Double) -> Value {
        let rank = max(x.shape.count, y.shape.count)
        let xs = [Int](repeating: 1, count: rank - x.shape.count) + x.shape
        let ys = [Int](repeating: 1, count: rank - y.shape.count) + y.shape
        let shape = zip(xs, ys).map { max($0, $1) }
        let count = shape.reduce(1, *)
        func index(_ flat: Int, _ s: [Int]) -> Int {
            var rest = flat, index = 0, stride = 1
            var strides = [Int](repeating: 0, count: rank)
            for d in (0..<rank).reversed() { strides[d] = stride; stride *= s[d] }
            var coordinates = [Int](repeating: 0, count: rank)
            for d in (0..<rank).reversed() { coordinates[d] = rest % shape[d]; rest /= shape[d] }
            for d in 0..<rank where s[d] != 1 { index += coordinates[d] * strides[d] }
            return index
        }
        return Value(shape, (0..<count).map { f(x.data[index($0, xs)], y.data[index($0, ys)]) })
    }

    /// TF mode, no skips: each row's counts of the pool's n-grams.
    static func tfidf(_ n: Onnx_NodeProto, _ x: Value) throws -> Value {
        guard attr(n, "mode")?.s == Data("TF".utf8), (attr(n, "max_skip_count")?.i ?? 0) == 0 else { throw Failure.unsupported("TfIdfVectorizer mode") }
        let pool = attr(n, "pool_int64s")!.ints, counts = attr(n, "ngram_counts")!.ints, indexes = attr(n, "ngram_indexes")!.ints
        let minN = Int(attr(n, "min_gram_length")!.i), maxN = Int(attr(n, "max_gram_length")!.i)
        var grams: [[Int64]: Int] = [:]
        var k = 0
        for (g, start) in counts.enumerated() {
            let end = g + 1 < counts.count ? Int(counts[g + 1]) : pool.count
            for s in stride(from: Int(start), to: end, by: g + 1) {
                grams[Array(pool[s..<(s + g + 1)])] = Int(indexes[k])
                k += 1
            }
        }
        let width = Int(indexes.max() ?? -1) + 1
        let rows = x.shape.count == 2 ? x.shape[0] : 1, length = x.shape.last!
        var out = [Double](repeating: 0, count: rows * width)
        for r in 0..<rows {
            let ids = x.data[(r * length)..<((r + 1) * length)].map { Int64($0) }
            for i in ids.indices {
                for len in minN...maxN where i + len <= ids.count {
                    if let c = grams[Array(ids[i..<(i + len)])] { out[r * width + c] += 1 }
                }
            }
        }
        return Value([rows, width], out)
    }

    /// BRANCH_LEQ and LEAF nodes, post_transform NONE: per class, the sum of the leaves' weights.
    static func trees(_ n: Onnx_NodeProto, _ x: Value) throws -> [Value] {
        guard attr(n, "post_transform")?.s == Data("NONE".utf8) else { throw Failure.unsupported("post_transform") }
        let treeIds = attr(n, "nodes_treeids")!.ints, nodeIds = attr(n, "nodes_nodeids")!.ints
        let features = attr(n, "nodes_featureids")!.ints, modes = attr(n, "nodes_modes")!.strings
        let values = attr(n, "nodes_values")!.floats, trueIds = attr(n, "nodes_truenodeids")!.ints, falseIds = attr(n, "nodes_falsenodeids")!.ints
        let classes = attr(n, "classlabels_int64s")!.ints.count
        var at: [[Int64]: Int] = [:]
        for i in treeIds.indices { at[[treeIds[i], nodeIds[i]]] = i }
        var weights: [[Int64]: [(Int, Double)]] = [:]
        let ct = attr(n, "class_treeids")!.ints, cn = attr(n, "class_nodeids")!.ints
        let ci = attr(n, "class_ids")!.ints, cw = attr(n, "class_weights")!.floats
        for i in ct.indices { weights[[ct[i], cn[i]], default: []].append((Int(ci[i]), Double(cw[i]))) }
        let rows = x.shape[0], f = x.shape[1]
        var out = [Double](repeating: 0, count: rows * classes)
        for r in 0..<rows {
            for tree in Set(treeIds) {
                var i = at[[tree, 0]]!
                while modes[i] != Data("LEAF".utf8) {
                    guard modes[i] == Data("BRANCH_LEQ".utf8) else { throw Failure.unsupported("node mode") }
                    let v = Float(x.data[r * f + Int(features[i])])
                    i = at[[tree, v <= values[i] ? trueIds[i] : falseIds[i]]]!
                }
                for (c, w) in weights[[tree, nodeIds[i]]] ?? [] { out[r * classes + c] += w }
            }
        }
        return [Value([rows], [Double](repeating: 0, count: rows)), Value([rows, classes], out)]
    }
}
