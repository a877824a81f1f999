import Foundation

/// Collects the nodes and initializers of one ONNX graph, with fresh tensor names.
struct OnnxGraphBuilder {
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var used: Set<String> = []

    /// `base`, or `base_2`, `base_3`… when taken: every tensor name in a graph is unique.
    mutating func fresh(_ base: String) -> String {
        var name = base, n = 1
        while used.contains(name) { n += 1; name = "\(base)_\(n)" }
        used.insert(name)
        return name
    }

    /// A float initializer (raw little-endian data, as ONNX stores it).
    mutating func floats(_ base: String, _ values: [Float], dims: [Int]) -> String {
        var t = Onnx_TensorProto()
        t.name = fresh(base)
        t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        t.dims = dims.map(Int64.init)
        t.rawData = values.withUnsafeBufferPointer { p in
            Data(p.map(\.bitPattern.littleEndian).withUnsafeBytes { Data($0) })
        }
        initializers.append(t)
        return t.name
    }

    /// A double initializer (the TF-IDF arithmetic, done in double as the learners do it).
    mutating func doubles(_ base: String, _ values: [Double], dims: [Int]) -> String {
        var t = Onnx_TensorProto()
        t.name = fresh(base)
        t.dataType = Int32(Onnx_TensorProto.DataType.double.rawValue)
        t.dims = dims.map(Int64.init)
        t.doubleData = values
        initializers.append(t)
        return t.name
    }

    /// An int64 initializer (shapes, axes).
    mutating func int64s(_ base: String, _ values: [Int64]) -> String {
        var t = Onnx_TensorProto()
        t.name = fresh(base)
        t.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        t.dims = [Int64(values.count)]
        t.int64Data = values
        initializers.append(t)
        return t.name
    }

    /// Adds one node; returns its output names (`outputs` of them, named after `name`).
    @discardableResult
    mutating func node(_ op: String, _ inputs: [String], name: String, outputs: Int = 1,
                       _ attributes: [Onnx_AttributeProto] = [], domain: String = "") -> [String] {
        var n = Onnx_NodeProto()
        n.opType = op
        n.domain = domain
        n.name = fresh("\(name)/\(op)")
        n.input = inputs
        n.output = (0..<outputs).map { fresh(outputs == 1 ? "\(name)/\(op)" : "\(name)/\(op):\($0)") }
        n.attribute = attributes
        nodes.append(n)
        return n.output
    }

    /// One output, for the common case.
    mutating func op(_ op: String, _ inputs: [String], name: String, _ attributes: [Onnx_AttributeProto] = []) -> String {
        node(op, inputs, name: name, attributes)[0]
    }
}

/// Node attributes.
enum Attr {
    static func int(_ name: String, _ v: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .int; a.i = Int64(v); return a
    }
    static func ints(_ name: String, _ v: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .ints; a.ints = v.map(Int64.init); return a
    }
    static func float(_ name: String, _ v: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .float; a.f = v; return a
    }
    static func string(_ name: String, _ v: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .string; a.s = Data(v.utf8); return a
    }
    static func floats(_ name: String, _ v: [Float]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .floats; a.floats = v; return a
    }
    static func int64s(_ name: String, _ v: [Int64]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .ints; a.ints = v; return a
    }
    static func strings(_ name: String, _ v: [String]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto(); a.name = name; a.type = .strings; a.strings = v.map { Data($0.utf8) }; return a
    }
}
