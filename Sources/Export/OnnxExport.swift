import Engine
import Foundation
import Sessions

/// Builds an ONNX model (opset 17) from a neural classifier: input `token_ids` int64
/// [N, max_length] (ids as the tokenizer and padding give them), output `probabilities` float
/// [N, classes] (a binary model's p becomes [1 − p, p], as `workbench predict` prints it).
///
/// Layers are mapped one by one onto ONNX's own operators, so a runtime runs its fused
/// kernels: Embedding → Gather, Dense → MatMul + Add + activation, SimpleRNN / LSTM / GRU →
/// RNN / LSTM / GRU (Bidirectional → direction "bidirectional"), Conv1D → Conv, the poolings →
/// MaxPool / AveragePool / ReduceMax / ReduceMean, Flatten → Flatten, LayerNormalization →
/// LayerNormalization, PositionEmbedding → Add; Dropout and SpatialDropout1D are identities at
/// inference and give no node. A layer with no mapping yet (or one that would read
/// Embedding(mask_zero)'s mask) is refused by name, before anything is written.
public enum OnnxExport {
    public static let opsetVersion: Int64 = 17
    /// The IR version opset 17 came with (ONNX 1.12).
    public static let irVersion: Int64 = 8
    public static let inputName = "token_ids"
    public static let outputName = "probabilities"

    /// The model as ONNX. Throws `EngineError.invalidSpec` naming the first layer ONNX export
    /// cannot express.
    public static func model(_ classifier: TextClassifier) throws -> Onnx_ModelProto {
        let spec = classifier.model.spec
        let layers = classifier.model.layers
        var g = OnnxGraphBuilder()
        _ = g.fresh(inputName)
        var x = inputName
        var shape = [spec.inputLength]   // without the batch axis
        var maskFrom: String? = nil      // the Embedding(mask_zero) whose mask is still alive

        for (i, (layerSpec, layer)) in zip(spec.layers, layers).enumerated() {
            let name = layer.name
            func refuse(_ why: String) -> EngineError {
                .invalidSpec(field: "layers[\(i)]", reason: "\(layerSpec.label) ('\(name)') cannot be exported to ONNX: \(why)")
            }
            if let source = maskFrom, layer is MaskConsumer {
                throw refuse("it reads the padding mask of \(source) (mask_zero), which the ONNX export does not express yet; train without mask_zero to export")
            }
            let params = layer.parameters.map(\.value)
            let outShape = classifier.model.outputShapes[i]
            switch layerSpec {
            case let .embedding(_, maskZero, _, _):
                let table = g.floats("\(name).embeddings", params[0].scalars, dims: params[0].shape)
                x = g.op("Gather", [table, x], name: name, [Attr.int("axis", 0)])
                maskFrom = maskZero ? "'\(name)'" : nil
            case .positionEmbedding:
                x = g.op("Add", [x, g.floats("\(name).embeddings", params[0].scalars, dims: params[0].shape)], name: name)
            case let .dense(_, activation, useBias):
                let w = g.floats("\(name).kernel", params[0].scalars, dims: params[0].shape)
                x = g.op("MatMul", [x, w], name: name)
                if useBias { x = g.op("Add", [x, g.floats("\(name).bias", params[1].scalars, dims: params[1].shape)], name: name) }
                x = activate(&g, x, activation, name: name)
            case .dropout, .spatialDropout1D:
                break
            case let .simpleRNN(units, returnSequences), let .lstm(units, returnSequences), let .gru(units, returnSequences):
                x = recurrent(&g, x, kind: layerSpec, units: units, returnSequences: returnSequences,
                              halves: [params], merge: nil, name: name)
            case let .bidirectional(inner, mergeMode):
                let (units, returnSequences): (Int, Bool)
                switch inner {
                case let .simpleRNN(u, r), let .lstm(u, r), let .gru(u, r): (units, returnSequences) = (u, r)
                default: throw refuse("Bidirectional wraps \(inner.label)")
                }
                guard let merge = BidirectionalLayer.MergeMode(rawValue: mergeMode) else { throw refuse("merge mode '\(mergeMode)'") }
                x = recurrent(&g, x, kind: inner, units: units, returnSequences: returnSequences,
                              halves: [Array(params[0..<3]), Array(params[3..<6])], merge: merge, name: name)
            case let .conv1D(filters, kernelSize, strides, padding, dilation, activation):
                guard let conv = layer as? Conv1DLayer else { throw refuse("unexpected layer class") }
                let length = shape[0], span = dilation * (kernelSize - 1) + 1
                let pads: [Int]
                switch padding {
                case "same":
                    let out = (length + strides - 1) / strides
                    let total = max((out - 1) * strides + span - length, 0)
                    pads = [total / 2, total - total / 2]
                case "causal": pads = [span - 1, 0]
                default: pads = [0, 0]
                }
                // Keras kernel [K, C, F] → ONNX weight [F, C, K].
                let k = params[0], c = conv.inputChannels
                var w = [Float](repeating: 0, count: k.count)
                k.scalars.withUnsafeBufferPointer { kp in
                    for kk in 0..<kernelSize { for ci in 0..<c { for f in 0..<filters {
                        w[(f * c + ci) * kernelSize + kk] = kp[(kk * c + ci) * filters + f]
                    } } }
                }
                var inputs = [g.op("Transpose", [x], name: name, [Attr.ints("perm", [0, 2, 1])]),
                              g.floats("\(name).kernel", w, dims: [filters, c, kernelSize])]
                if conv.useBias { inputs.append(g.floats("\(name).bias", params[1].scalars, dims: params[1].shape)) }
                x = g.op("Conv", inputs, name: name, [Attr.ints("kernel_shape", [kernelSize]), Attr.ints("strides", [strides]),
                                                    Attr.ints("dilations", [dilation]), Attr.ints("pads", pads)])
                x = g.op("Transpose", [x], name: name, [Attr.ints("perm", [0, 2, 1])])
                x = activate(&g, x, activation, name: name)
            case let .maxPooling1D(poolSize, strides, padding), let .averagePooling1D(poolSize, strides, padding):
                let s = strides ?? poolSize, length = shape[0]
                var pads = [0, 0]
                if padding == "same" {
                    let out = (length + s - 1) / s
                    let total = max((out - 1) * s + poolSize - length, 0)
                    pads = [total / 2, total - total / 2]
                }
                let op = layerSpec.typeName == "max_pooling1d" ? "MaxPool" : "AveragePool"
                x = g.op("Transpose", [x], name: name, [Attr.ints("perm", [0, 2, 1])])
                // AveragePool's count_include_pad defaults to 0: padded steps do not count, as in Keras.
                x = g.op(op, [x], name: name, [Attr.ints("kernel_shape", [poolSize]), Attr.ints("strides", [s]), Attr.ints("pads", pads)])
                x = g.op("Transpose", [x], name: name, [Attr.ints("perm", [0, 2, 1])])
            case .globalAveragePooling1D:
                x = g.op("ReduceMean", [x], name: name, [Attr.ints("axes", [1]), Attr.int("keepdims", 0)])
            case .globalMaxPooling1D:
                x = g.op("ReduceMax", [x], name: name, [Attr.ints("axes", [1]), Attr.int("keepdims", 0)])
            case .flatten:
                x = g.op("Flatten", [x], name: name, [Attr.int("axis", 1)])
            case let .layerNormalization(epsilon):
                let gamma = g.floats("\(name).gamma", params[0].scalars, dims: params[0].shape)
                let beta = g.floats("\(name).beta", params[1].scalars, dims: params[1].shape)
                x = g.op("LayerNormalization", [x, gamma, beta], name: name, [Attr.int("axis", -1), Attr.float("epsilon", epsilon)])
            case .multiHeadAttention, .transformerEncoder:
                throw refuse("attention has no ONNX mapping in this workbench yet")
            }
            if outShape.count != 3 || layerSpec.typeName == "conv1d" || layerSpec.typeName.hasSuffix("_pooling1d") {
                if case .embedding = layerSpec {} else { maskFrom = nil }
            }
            shape = outShape
        }

        if spec.loss == .binaryCrossentropy {
            // [N, 1] p → [N, 2] [1 − p, p].
            let one = g.floats("one", [1], dims: [1])
            let q = g.op("Sub", [one, x], name: "binary")
            x = g.op("Concat", [q, x], name: "binary", [Attr.int("axis", 1)])
        }
        x = g.op("Identity", [x], name: outputName)

        var graph = Onnx_GraphProto()
        graph.name = "workbench_classifier"
        graph.node = g.nodes
        // The last node writes the output under its public name.
        graph.node[graph.node.count - 1].output = [outputName]
        graph.initializer = g.initializers
        graph.input = [valueInfo(inputName, .int64, ["batch", spec.inputLength])]
        graph.output = [valueInfo(outputName, .float, ["batch", classifier.model.classCount])]

        var model = Onnx_ModelProto()
        model.irVersion = irVersion
        model.producerName = "workbench"
        model.producerVersion = "1"
        model.docString = "Text classifier exported by workbench: \(spec.layers.map(\.label).joined(separator: " → "))"
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = opsetVersion
        model.opsetImport = [opset]
        model.graph = graph
        return model
    }

    /// `x` after a Dense / Conv1D activation.
    static func activate(_ g: inout OnnxGraphBuilder, _ x: String, _ a: Activation, name: String) -> String {
        switch a {
        case .linear: return x
        case .relu: return g.op("Relu", [x], name: name)
        case .sigmoid: return g.op("Sigmoid", [x], name: name)
        case .tanh: return g.op("Tanh", [x], name: name)
        case .softmax: return g.op("Softmax", [x], name: name, [Attr.int("axis", -1)])
        }
    }

    /// ONNX's RNN / LSTM / GRU over `x` [N, T, D], one or two directions (`halves`: each
    /// direction's Keras kernel, recurrent_kernel, bias), merged as Keras's Bidirectional does.
    static func recurrent(_ g: inout OnnxGraphBuilder, _ x: String, kind: LayerSpec, units: Int, returnSequences: Bool,
                          halves: [[Tensor]], merge: BidirectionalLayer.MergeMode?, name: String) -> String {
        let U = units
        let op: String, gateOrder: [Int]
        var attributes = [Attr.int("hidden_size", U)]
        switch kind {
        case .lstm: op = "LSTM"; gateOrder = [0, 3, 1, 2]           // Keras i f c o → ONNX i o f c
        case .gru:
            op = "GRU"; gateOrder = [0, 1, 2]                           // z r h in both
            attributes.append(Attr.int("linear_before_reset", 1))       // Keras reset_after=True
        default: op = "RNN"; gateOrder = [0]
        }
        let G = gateOrder.count
        var w: [Float] = [], r: [Float] = [], b: [Float] = []
        let inputDim = halves[0][0].shape[0]
        for half in halves {
            let kernel = half[0].scalars, recurrentKernel = half[1].scalars, bias = half[2].scalars
            // Keras [in, G·U] → ONNX [G·U, in], gate blocks reordered.
            for gate in gateOrder { for u in 0..<U { for i in 0..<inputDim { w.append(kernel[i * G * U + gate * U + u]) } } }
            for gate in gateOrder { for u in 0..<U { for j in 0..<U { r.append(recurrentKernel[j * G * U + gate * U + u]) } } }
            if case .gru = kind {
                // Keras bias [2, 3U]: row 0 the input bias, row 1 the recurrent one.
                for row in 0..<2 {
                    for gate in gateOrder {
                        let start: Int = row * G * U + gate * U
                        b.append(contentsOf: bias[start..<(start + U)])
                    }
                }
            } else {
                for gate in gateOrder {
                    let start: Int = gate * U
                    b.append(contentsOf: bias[start..<(start + U)])
                }
                b += [Float](repeating: 0, count: G * U)
            }
        }
        let dirs = halves.count
        if dirs == 2 { attributes.append(Attr.string("direction", "bidirectional")) }
        let timeMajor = g.op("Transpose", [x], name: name, [Attr.ints("perm", [1, 0, 2])])
        let outs = g.node(op, [timeMajor, g.floats("\(name).W", w, dims: [dirs, G * U, inputDim]),
                               g.floats("\(name).R", r, dims: [dirs, G * U, U]),
                               g.floats("\(name).B", b, dims: [dirs, 2 * G * U])],
                          name: name, outputs: 2, attributes)
        let (y, yh) = (outs[0], outs[1])    // Y [T, dirs, N, U], Y_h [dirs, N, U]
        if returnSequences {
            let batchMajor = g.op("Transpose", [y], name: name, [Attr.ints("perm", [2, 0, 1, 3])])   // [N, T, dirs, U]
            switch merge {
            case nil, .concat?: return g.op("Reshape", [batchMajor, g.int64s("\(name).shape", [0, 0, -1])], name: name)
            case let m?: return reduce(&g, batchMajor, m, axis: 2, name: name)
            }
        }
        switch merge {
        case nil: return g.op("Squeeze", [yh, g.int64s("\(name).axes", [0])], name: name)
        case .concat?:
            let batchMajor = g.op("Transpose", [yh], name: name, [Attr.ints("perm", [1, 0, 2])])   // [N, 2, U]
            return g.op("Reshape", [batchMajor, g.int64s("\(name).shape", [0, -1])], name: name)
        case let m?: return reduce(&g, yh, m, axis: 0, name: name)
        }
    }

    /// The two directions along `axis` summed, averaged or multiplied.
    static func reduce(_ g: inout OnnxGraphBuilder, _ x: String, _ m: BidirectionalLayer.MergeMode, axis: Int, name: String) -> String {
        switch m {
        case .sum, .concat: return g.op("ReduceSum", [x, g.int64s("\(name).axes", [Int64(axis)])], name: name, [Attr.int("keepdims", 0)])
        case .ave: return g.op("ReduceMean", [x], name: name, [Attr.ints("axes", [axis]), Attr.int("keepdims", 0)])
        case .mul: return g.op("ReduceProd", [x], name: name, [Attr.ints("axes", [axis]), Attr.int("keepdims", 0)])
        }
    }

    static func valueInfo(_ name: String, _ type: Onnx_TensorProto.DataType, _ dims: [Any]) -> Onnx_ValueInfoProto {
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let n = d as? Int { dim.dimValue = Int64(n) } else { dim.dimParam = "\(d)" }
            return dim
        }
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(type.rawValue)
        tensor.shape = shape
        var t = Onnx_TypeProto()
        t.tensorType = tensor
        var v = Onnx_ValueInfoProto()
        v.name = name
        v.type = t
        return v
    }
}
