/// Exact fast inference for models that start Embedding → (Dropout / SpatialDropout1D) →
/// SimpleRNN, GRU or LSTM (alone or inside Bidirectional), the model presets seed, lstm and gru.
/// Built once per loaded model (`Sequential.inferencePlan`); the same outputs as
/// `Sequential.forward(_, training: false)` up to float rounding (≤ 1e-6, tested).
///
/// Two facts make it fast without approximating anything:
/// - Inputs are pre-padded with id 0, and a step's input depends only on its id. So the states
///   after k padding steps are the same for every text: they are computed once (lazily, as far
///   as the texts seen so far need) and each text starts at its first real step. The same holds
///   for any leading run of id 0 in the order a direction reads, so the backward copy of a
///   Bidirectional (which reads the padding last) gains from it only for an all-padding text;
///   it still runs every step, each with the row lookup below.
/// - A step's input projection is `embeddings[id] · kernel + bias`: one row per vocabulary id,
///   computed on first use and kept (vocabulary × gates·units floats, within
///   `maxTableElements`; over it the row is computed at each step instead).
/// With `mask_zero` a padded step is skipped (the state carried), exactly as the layers do.
///
/// Weights are read live from the layers' parameters; the cached rows and padding states are
/// dropped when any of those parameters' `version` changes (an optimiser step, a weight copy,
/// loading), at the cost of comparing a few integers per call. Training never uses the plan.
/// The layers after the recurrent one (the head, pooling, further layers) run their own
/// forward on the batch, so batches of texts of any lengths work.
///
/// Not thread-safe, like the model it belongs to: its buffers are reused from call to call.
public final class InferencePlan {
    /// The largest table of cached projection rows, in floats, over the whole plan (64 MB).
    public static let maxTableElements = 16 << 20

    private let embedding: EmbeddingLayer
    /// The layers between the Embedding and the planned layer (identities in inference).
    private let passThrough: [Layer]
    private let stageLayer: Layer
    private let stage: PlanStage
    private let tail: [Layer]
    private let time: Int
    private let dependencies: [Parameter]
    private var versions: [UInt64]

    private var stageOutput = Tensor.empty     // the planned layer's output [B, …]
    private var stageMask = Tensor.empty       // [B, T] for the tail when mask_zero
    private let ids: UnsafeMutablePointer<Int32>   // one text's ids, in time order

    /// The plan for `model`, or nil when its layers are not of a kind it speeds up.
    public init?(model: Sequential) {
        let layers = model.layers
        guard let embedding = layers.first as? EmbeddingLayer else { return nil }
        var r = 1
        while r < layers.count, layers[r] is DropoutLayer || layers[r] is SpatialDropout1DLayer { r += 1 }
        guard r < layers.count else { return nil }
        let layer = layers[r]
        let T = model.spec.inputLength
        if let conv = layer as? Conv1DLayer {
            guard let s = ConvStage(conv, embedding: embedding, time: T) else { return nil }
            stage = s
        } else {
            guard let s = RecurrentStage(layer, embedding: embedding, time: T) else { return nil }
            stage = s
        }
        self.embedding = embedding
        self.passThrough = Array(layers[1..<r])
        self.stageLayer = layer
        self.tail = Array(layers[(r + 1)...])
        self.time = T
        self.dependencies = [embedding.embeddings] + layer.parameters
        self.versions = dependencies.map(\.version)
        self.ids = .allocate(capacity: T)
    }

    deinit { ids.deallocate() }

    /// Whether projection rows are cached (false when the table would be over
    /// `maxTableElements`: then each step computes its row).
    public var usesProjectionTable: Bool { stage.hasTable }

    /// The model's output for token ids [batch, inputLength], as `forward(x, training: false)`.
    public func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank == 2, x.shape[1] == time, x.shape[0] > 0 else {
            throw EngineError.shapeMismatch(layer: embedding.name, expected: [-1, time], got: x.shape)
        }
        refreshIfWeightsChanged()
        let B = x.shape[0], T = time
        let maskZero = embedding.maskZero
        let shape = stage.outputShape, perText = shape.reduce(1, *)
        if shape.count == 1 { stageOutput.reshape(B, shape[0]) } else { stageOutput.reshape(B, shape[0], shape[1]) }
        let v = embedding.vocabularySize
        try x.withUnsafeBufferPointer { xp in
            try stageOutput.withUnsafeMutableBufferPointer { sb in
                for b in 0..<B {
                    // The Embedding's checks, with its message.
                    for t in 0..<T {
                        let id = xp[b * T + t]
                        guard id >= 0, id < Float(v), id == id.rounded() else {
                            throw EngineError.invalidSpec(field: "\(embedding.name) input",
                                                          reason: "token id \(id) at position \(b * T + t) is outside the vocabulary 0..<\(v)")
                        }
                        ids[t] = Int32(id)
                    }
                    stage.run(ids, masked: maskZero, into: sb.baseAddress! + b * perText)
                }
            }
        }
        // The rest of the model as `Sequential.forward` runs it, the mask propagated the same way.
        var mask: Tensor? = nil
        if maskZero {
            stageMask.reshape(B, T)
            stageMask.withUnsafeMutableBufferPointer { m in
                x.withUnsafeBufferPointer { xp in for i in 0..<(B * T) { m[i] = xp[i] == 0 ? 0 : 1 } }
            }
            mask = stageMask
        }
        for layer in passThrough { mask = LayerFactory.propagatedMask(after: layer, incoming: mask, outputRank: 3) }
        mask = LayerFactory.propagatedMask(after: stageLayer, incoming: mask, outputRank: stage.outputShape.count + 1)
        var a = stageOutput
        for layer in tail {
            if let consumer = layer as? MaskConsumer { consumer.mask = mask }
            a = try layer.forward(a, training: false)
            mask = LayerFactory.propagatedMask(after: layer, incoming: mask, outputRank: a.rank)
        }
        return a
    }

    /// Drops the cached rows and states when a weight they came from was written.
    private func refreshIfWeightsChanged() {
        var changed = false
        for (i, p) in dependencies.enumerated() where versions[i] != p.version {
            versions[i] = p.version
            changed = true
        }
        if changed { stage.invalidate() }
    }
}

/// The layer after the Embedding, computed one text at a time from token ids.
private protocol PlanStage: AnyObject {
    /// The layer's output shape for one text: [features] or [steps, features].
    var outputShape: [Int] { get }
    var hasTable: Bool { get }
    /// Writes one text's output (validated ids, time order) at `out`.
    func run(_ ids: UnsafePointer<Int32>, masked: Bool, into out: UnsafeMutablePointer<Float>)
    /// Forgets everything computed from the weights.
    func invalidate()
}

/// Per-id rows of floats computed on first use and kept until the weights change: a row is
/// valid when its stamp is the current generation, so invalidating is one increment.
private final class RowCache {
    let rows: Int, width: Int
    private let values: UnsafeMutablePointer<Float>
    private let stamps: UnsafeMutablePointer<UInt32>
    private var generation: UInt32 = 1

    init(rows: Int, width: Int) {
        self.rows = rows; self.width = width
        values = .allocate(capacity: rows * width)
        stamps = .allocate(capacity: rows)
        stamps.initialize(repeating: 0, count: rows)
    }

    deinit { values.deallocate(); stamps.deallocate() }

    func invalidate() {
        generation &+= 1
        if generation == 0 {
            stamps.update(repeating: 0, count: rows)
            generation = 1
        }
    }

    /// Row `id`, filled by `compute` unless already valid.
    @inline(__always)
    func row(_ id: Int, _ compute: (UnsafeMutablePointer<Float>) -> Void) -> UnsafePointer<Float> {
        let out = values + id * width
        if stamps[id] != generation {
            compute(out)
            stamps[id] = generation
        }
        return UnsafePointer(out)
    }
}

/// SimpleRNN, GRU or LSTM, alone or in Bidirectional: one or two directions, merged.
private final class RecurrentStage: PlanStage {
    let directions: [PlanDirection]        // forward, then backward for Bidirectional
    let mergeMode: BidirectionalLayer.MergeMode?
    let time: Int, units: Int
    let returnSequences: Bool

    init?(_ layer: Layer, embedding: EmbeddingLayer, time: Int) {
        var cores: [RecurrentCore] = []
        if let bi = layer as? BidirectionalLayer {
            guard let f = bi.forwardLayer as? RecurrentCore, let b = bi.backwardLayer as? RecurrentCore else { return nil }
            cores = [f, b]
            mergeMode = bi.mergeMode
        } else if let core = layer as? RecurrentCore {
            cores = [core]
            mergeMode = nil
        } else {
            return nil
        }
        let vocabulary = embedding.vocabularySize
        let tableElements = cores.reduce(0) { $0 + vocabulary * $1.kernel.value.shape[1] }
        let useTable = tableElements <= InferencePlan.maxTableElements
        var directions: [PlanDirection] = []
        for (i, core) in cores.enumerated() {
            guard let cell = PlanDirection.Cell(core), core.inputDim == embedding.dim else { return nil }
            directions.append(PlanDirection(cell: cell, layer: core, embeddings: embedding.embeddings, time: time,
                                            reversed: i == 1, table: useTable))
        }
        self.directions = directions
        self.time = time
        units = cores[0].units
        returnSequences = cores[0].returnSequences
    }

    /// Features per output step: 2·units for concat, units otherwise.
    private var outputUnits: Int { mergeMode == .concat ? 2 * units : units }
    private(set) lazy var outputShape: [Int] = returnSequences ? [time, outputUnits] : [outputUnits]
    var hasTable: Bool { directions[0].hasTable }
    func invalidate() { for d in directions { d.invalidate() } }

    /// h_T, or every step's h, merged as BidirectionalLayer does (a padded step's output is 0
    /// there when masked).
    func run(_ ids: UnsafePointer<Int32>, masked: Bool, into out: UnsafeMutablePointer<Float>) {
        for d in directions { d.run(ids, masked: masked) }
        let U = units, T = time, O = outputUnits
        let f = directions[0]
        guard let mode = mergeMode else {
            if returnSequences { out.update(from: f.sequence, count: T * U) } else { out.update(from: f.h, count: U) }
            return
        }
        let g = directions[1]
        let rows = returnSequences ? T : 1
        for t in 0..<rows {
            let fp = returnSequences ? f.sequence + t * U : f.h
            let gp = returnSequences ? g.sequence + t * U : g.h
            let o = out + t * O
            if returnSequences && masked && ids[t] == 0 {
                o.update(repeating: 0, count: O)
                continue
            }
            switch mode {
            case .concat:
                o.update(from: fp, count: U)
                (o + U).update(from: gp, count: U)
            case .sum: for j in 0..<U { o[j] = fp[j] + gp[j] }
            case .ave: for j in 0..<U { o[j] = (fp[j] + gp[j]) / 2 }
            case .mul: for j in 0..<U { o[j] = fp[j] * gp[j] }
            }
        }
    }
}

/// One direction of the recurrent layer: its cached projection rows and padding states, its
/// running state and scratch buffers (allocated once).
private final class PlanDirection {
    enum Cell {
        case simpleRNN, gru, lstm
        init?(_ core: RecurrentCore) {
            switch core {
            case is LSTMLayer: self = .lstm
            case is GRULayer: self = .gru
            case is SimpleRNNLayer: self = .simpleRNN
            default: return nil
            }
        }
        var gates: Int {
            switch self {
            case .simpleRNN: return 1
            case .gru: return 3
            case .lstm: return 4
            }
        }
    }

    let cell: Cell
    let layer: RecurrentCore
    let embeddings: Parameter
    let time: Int
    /// Reads the text from its last step to its first (the backward copy of a Bidirectional);
    /// its `sequence` is still indexed by input step, as Bidirectional merges it.
    let reversed: Bool
    let U: Int, G: Int, D: Int

    /// Row id = embeddings[id] · kernel + bias (the x-part bias b_x for GRU).
    private let table: RowCache?
    /// States after k padding steps, k = 0…padSteps: [T+1, U] each (padC for LSTM only).
    private let padH: UnsafeMutablePointer<Float>
    private let padC: UnsafeMutablePointer<Float>
    private var padSteps = 0

    /// The running state h (and c), and every step's output h when returning sequences.
    let h: UnsafeMutablePointer<Float>
    private let c: UnsafeMutablePointer<Float>
    let sequence: UnsafeMutablePointer<Float>
    private let row: UnsafeMutablePointer<Float>    // a projection row computed without the table
    private let z: UnsafeMutablePointer<Float>      // [G] gate pre-activations / activations
    private let q: UnsafeMutablePointer<Float>      // [G] GRU: h·U + b_h
    private let tc: UnsafeMutablePointer<Float>     // [U] LSTM: tanh(c)

    init(cell: Cell, layer: RecurrentCore, embeddings: Parameter, time: Int, reversed: Bool, table useTable: Bool) {
        self.cell = cell
        self.layer = layer
        self.embeddings = embeddings
        self.time = time
        self.reversed = reversed
        U = layer.units
        G = cell.gates * U
        D = layer.inputDim
        table = useTable ? RowCache(rows: embeddings.value.shape[0], width: G) : nil
        padH = .allocate(capacity: (time + 1) * U)
        padC = .allocate(capacity: (time + 1) * U)
        padH.initialize(repeating: 0, count: (time + 1) * U)
        padC.initialize(repeating: 0, count: (time + 1) * U)
        h = .allocate(capacity: U)
        c = .allocate(capacity: U)
        sequence = .allocate(capacity: time * U)
        row = .allocate(capacity: G)
        z = .allocate(capacity: G)
        q = .allocate(capacity: G)
        tc = .allocate(capacity: U)
    }

    deinit {
        padH.deallocate(); padC.deallocate(); h.deallocate(); c.deallocate(); sequence.deallocate()
        row.deallocate(); z.deallocate(); q.deallocate(); tc.deallocate()
    }

    var hasTable: Bool { table != nil }

    func invalidate() {
        padSteps = 0
        table?.invalidate()
    }

    /// Runs the direction over one text's ids (validated), leaving h (and `sequence`).
    func run(_ ids: UnsafePointer<Int32>, masked: Bool) {
        let T = time
        embeddings.value.withUnsafeBufferPointer { e in
            layer.kernel.value.withUnsafeBufferPointer { w in
                layer.recurrentKernel.value.withUnsafeBufferPointer { uk in
                    layer.bias.value.withUnsafeBufferPointer { bias in
                        let weights = Weights(e: e.baseAddress!, w: w.baseAddress!, uk: uk.baseAddress!, bias: bias.baseAddress!)
                        // Steps in reading order s = 0..<T; input step t = s, or T−1−s reversed.
                        var s = 0
                        if masked {
                            // Padded steps carry the state; from zero, the leading ones leave zero.
                            h.update(repeating: 0, count: U)
                            c.update(repeating: 0, count: U)
                        } else {
                            while s < T, ids[reversed ? T - 1 - s : s] == 0 { s += 1 }
                            extendPadding(to: s, weights)
                            h.update(from: padH + s * U, count: U)
                            c.update(from: padC + s * U, count: U)
                            for k in 0..<s {
                                let t = reversed ? T - 1 - k : k
                                (sequence + t * U).update(from: padH + (k + 1) * U, count: U)
                            }
                        }
                        while s < T {
                            let t = reversed ? T - 1 - s : s
                            let id = Int(ids[t])
                            if !(masked && id == 0) {
                                step(projection(id, weights), hPrev: h, cPrev: c, hOut: h, cOut: c, weights)
                            }
                            (sequence + t * U).update(from: h, count: U)
                            s += 1
                        }
                    }
                }
            }
        }
    }

    private struct Weights {
        let e: UnsafePointer<Float>, w: UnsafePointer<Float>, uk: UnsafePointer<Float>, bias: UnsafePointer<Float>
    }

    /// States after 0…k padding steps (id 0, not masked).
    private func extendPadding(to k: Int, _ weights: Weights) {
        while padSteps < k {
            let i = padSteps
            step(projection(0, weights), hPrev: padH + i * U, cPrev: padC + i * U,
                 hOut: padH + (i + 1) * U, cOut: padC + (i + 1) * U, weights)
            padSteps += 1
        }
    }

    /// embeddings[id] · kernel + bias (the x-part bias for GRU), as the layer's input projection.
    @inline(__always)
    private func projection(_ id: Int, _ weights: Weights) -> UnsafePointer<Float> {
        let G = G, D = D
        let compute = { (out: UnsafeMutablePointer<Float>) in
            out.update(from: weights.bias, count: G)
            BLAS.gemm(m: 1, n: G, k: D, a: weights.e + id * D, lda: D, b: weights.w, ldb: G, beta: 1, c: out, ldc: G)
        }
        if let table { return table.row(id, compute) }
        compute(row)
        return UnsafePointer(row)
    }

    /// One step from the input projection `a`, as the layer's time loop computes it. The outputs
    /// may be the inputs: each is written element by element from the same element only.
    @inline(__always)
    private func step(_ a: UnsafePointer<Float>, hPrev: UnsafeMutablePointer<Float>, cPrev: UnsafeMutablePointer<Float>,
                      hOut: UnsafeMutablePointer<Float>, cOut: UnsafeMutablePointer<Float>, _ weights: Weights) {
        switch cell {
        case .lstm:
            z.update(from: a, count: G)
            BLAS.gemm(m: 1, n: G, k: U, a: hPrev, lda: U, b: weights.uk, ldb: G, beta: 1, c: z, ldc: G)
            sigmoidInPlace(z, 2 * U)
            tanhInPlace(z + 2 * U, U)
            sigmoidInPlace(z + 3 * U, U)
            for j in 0..<U { cOut[j] = z[U + j] * cPrev[j] + z[j] * z[2 * U + j] }
            tc.update(from: cOut, count: U)
            tanhInPlace(tc, U)
            let og = z + 3 * U
            for j in 0..<U { hOut[j] = og[j] * tc[j] }
        case .gru:
            q.update(from: weights.bias + G, count: G)
            BLAS.gemm(m: 1, n: G, k: U, a: hPrev, lda: U, b: weights.uk, ldb: G, beta: 1, c: q, ldc: G)
            z.update(from: a, count: G)
            for j in 0..<(2 * U) { z[j] += q[j] }
            sigmoidInPlace(z, 2 * U)
            let rg = z + U, hh = z + 2 * U, qh = q + 2 * U
            for j in 0..<U { hh[j] += rg[j] * qh[j] }
            tanhInPlace(hh, U)
            for j in 0..<U { hOut[j] = z[j] * hPrev[j] + (1 - z[j]) * hh[j] }
        case .simpleRNN:
            z.update(from: a, count: U)
            BLAS.gemm(m: 1, n: U, k: U, a: hPrev, lda: U, b: weights.uk, ldb: U, beta: 1, c: z, ldc: U)
            tanhInPlace(z, U)
            hOut.update(from: z, count: U)
        }
    }
}

/// Conv1D on the embeddings: step t = act(bias + Σ_k embeddings[id at tap k] · kernel[k]), a tap
/// outside the sequence adding nothing (the layer's zero padding). The rows
/// embeddings[id] · kernel[k], k = 0…K−1, are cached per id (vocabulary × K·filters floats;
/// over `maxTableElements` there is no plan). A window whose taps all fall on the leading
/// padding has the same value for every text: computed once per weights.
private final class ConvStage: PlanStage {
    let layer: Conv1DLayer
    let embeddings: Parameter
    let time: Int, outLength: Int, padLeft: Int
    let K: Int, F: Int, D: Int, strides: Int, dilation: Int
    private let table: RowCache
    private let padWindow: UnsafeMutablePointer<Float>   // [F]
    private var padWindowValid = false

    init?(_ conv: Conv1DLayer, embedding: EmbeddingLayer, time: Int) {
        guard conv.inputChannels == embedding.dim, let (lout, left) = try? conv.geometry(length: time) else { return nil }
        K = conv.kernelSize; F = conv.filters; D = conv.inputChannels
        guard let size = Checked.product([embedding.vocabularySize, K, F]), size <= InferencePlan.maxTableElements else { return nil }
        layer = conv
        embeddings = embedding.embeddings
        self.time = time
        outLength = lout; padLeft = left
        strides = conv.strides; dilation = conv.dilation
        table = RowCache(rows: embedding.vocabularySize, width: K * F)
        padWindow = .allocate(capacity: F)
    }

    deinit { padWindow.deallocate() }

    private(set) lazy var outputShape: [Int] = [outLength, F]
    var hasTable: Bool { true }

    func invalidate() {
        table.invalidate()
        padWindowValid = false
    }

    /// Conv1D consumes no mask: `masked` changes nothing.
    func run(_ ids: UnsafePointer<Int32>, masked: Bool, into out: UnsafeMutablePointer<Float>) {
        var lead = 0
        while lead < time, ids[lead] == 0 { lead += 1 }
        embeddings.value.withUnsafeBufferPointer { e in
            layer.kernel.value.withUnsafeBufferPointer { w in
                let bias = layer.bias?.value ?? Tensor.empty
                bias.withUnsafeBufferPointer { b in
                    for t in 0..<outLength {
                        let start = t * strides - padLeft, last = start + (K - 1) * dilation
                        let o = out + t * F
                        if start >= 0 && last < lead {
                            if !padWindowValid {
                                window(ids, start: start, into: padWindow, e.baseAddress!, w.baseAddress!, b)
                                padWindowValid = true
                            }
                            o.update(from: padWindow, count: F)
                        } else {
                            window(ids, start: start, into: o, e.baseAddress!, w.baseAddress!, b)
                        }
                    }
                }
            }
        }
    }

    /// One output step from the cached rows of its taps' ids, then the activation.
    private func window(_ ids: UnsafePointer<Int32>, start: Int, into o: UnsafeMutablePointer<Float>,
                        _ e: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafeBufferPointer<Float>) {
        let F = F, D = D, K = K
        if bias.isEmpty { o.update(repeating: 0, count: F) } else { o.update(from: bias.baseAddress!, count: F) }
        for k in 0..<K {
            let pos = start + k * dilation
            guard pos >= 0 && pos < time else { continue }
            let id = Int(ids[pos])
            let r = table.row(id) { out in
                for j in 0..<K {
                    BLAS.gemm(m: 1, n: F, k: D, a: e + id * D, lda: D, b: w + j * D * F, ldb: F, c: out + j * F, ldc: F)
                }
            } + k * F
            for j in 0..<F { o[j] += r[j] }
        }
        layer.activation.apply(UnsafeMutableBufferPointer(start: o, count: F), rows: 1, cols: F)
    }
}
