/// Bidirectional (Keras 3) around a SimpleRNN, GRU or LSTM: two copies of the wrapped layer
/// with their own weights. The forward copy reads the sequence as it is; the backward copy
/// reads it reversed (Keras's go_backwards=True), and with return_sequences its outputs are
/// reversed back so that step t of both halves belongs to input step t. The two are merged:
///
///     concat  y = [y_f, y_b]   (units doubled)      sum  y = y_f + y_b
///     ave     y = (y_f + y_b) / 2                   mul  y = y_f · y_b
///
/// Weights: the forward copy's, then the backward copy's, each named as the wrapped layer's
/// with a `forward_<type>/` or `backward_<type>/` prefix (`forward_lstm/kernel`,
/// `backward_lstm/recurrent_kernel`, …), in Keras's `layer.weights` order.
///
/// With a mask [batch, time] both copies skip the padded steps (the backward copy gets the
/// mask reversed). With return_sequences the output at a padded step is 0 in both halves:
/// Keras forces zero_output_for_mask=True on the wrapped layers.
public final class BidirectionalLayer: MaskConsumer {
    public enum MergeMode: String, Codable, Sendable, CaseIterable {
        case concat, sum, ave, mul
    }

    public let name: String
    public let forwardLayer: any RecurrentLayer
    public let backwardLayer: any RecurrentLayer
    public let mergeMode: MergeMode
    /// [batch, time], 1 = real step, 0 = padding; nil for no mask.
    public var mask: Tensor? = nil

    private var batch = 0, time = 0
    private var masked = false           // a mask is in use (the padded output steps are zeroed)
    private var xRev = Tensor.empty      // [B, T, D] the input reversed in time
    private var steps = Tensor.empty     // [B, T] copy of the mask, 1 = real step
    private var stepsRev = Tensor.empty  // [B, T] the mask reversed in time
    private var yF = Tensor.empty        // [B, U] or [B, T, U]: forward copy's output (mul only)
    private var yB = Tensor.empty        // [B, U] or [B, T, U]: backward copy's output, in its own time order (mul only)
    private var y = Tensor.empty         // [B, (T,) U] or [B, (T,) 2U] for concat
    private var dyF = Tensor.empty       // [B, U] or [B, T, U]
    private var dyB = Tensor.empty       // [B, U] or [B, T, U], in the backward copy's time order
    private var dx = Tensor.empty        // [B, T, D]

    /// `forward` and `backward` must be the same kind of layer with the same sizes; they are
    /// renamed `<name>/forward_<type>` and `<name>/backward_<type>` by the factory, and their
    /// weights get the prefixes here.
    public init(name: String, forward: any RecurrentLayer, backward: any RecurrentLayer, mergeMode: MergeMode,
                typeName: String) {
        self.name = name
        forwardLayer = forward
        backwardLayer = backward
        self.mergeMode = mergeMode
        for p in forward.parameters { p.name = "forward_\(typeName)/\(p.name)" }
        for p in backward.parameters { p.name = "backward_\(typeName)/\(p.name)" }
    }

    public var parameters: [Parameter] { forwardLayer.parameters + backwardLayer.parameters }
    public var units: Int { forwardLayer.units }
    public var returnSequences: Bool { forwardLayer.returnSequences }
    public var inputDim: Int { forwardLayer.inputDim }
    /// Features per output step: 2·units for concat, units otherwise.
    public var outputUnits: Int { mergeMode == .concat ? 2 * units : units }

    public func outputShape(for s: [Int]) throws -> [Int] {
        guard s.count == 2 else {
            throw EngineError.incompatibleLayer(
                layer: name, inputShape: s,
                reason: "Bidirectional needs a sequence (time, features); put it after an Embedding, a Conv1D or a recurrent layer with return_sequences=True")
        }
        var out = try forwardLayer.outputShape(for: s)
        _ = try backwardLayer.outputShape(for: s)
        out[out.count - 1] = outputUnits
        return out
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let (B, T) = try Recurrent.checkInput(name, input, inputDim: inputDim, units: units)
        let D = inputDim, U = units, O = outputUnits, rs = returnSequences
        if let mask, mask.shape != [B, T] {
            throw EngineError.shapeMismatch(layer: "\(name) (mask)", expected: [B, T], got: mask.shape)
        }
        batch = B; time = T
        masked = mask != nil
        // The backward copy's input: x reversed in time.
        xRev.reshape(B, T, D)
        input.withUnsafeBufferPointer { src in
            xRev.withUnsafeMutableBufferPointer { dst in
                Self.reverseTime(src.baseAddress!, dst.baseAddress!, batch: B, time: T, features: D)
            }
        }
        if let mask {
            steps.reshape(B, T)
            stepsRev.reshape(B, T)
            mask.withUnsafeBufferPointer { m in
                steps.withUnsafeMutableBufferPointer { s in
                    for i in 0..<(B * T) { s[i] = m[i] != 0 ? 1 : 0 }
                }
            }
            steps.withUnsafeBufferPointer { s in
                stepsRev.withUnsafeMutableBufferPointer { Self.reverseTime(s.baseAddress!, $0.baseAddress!, batch: B, time: T, features: 1) }
            }
        }
        // The wrapped layers copy the mask in forward and never read it again: drop it after,
        // so that the next batch writes `steps` without copying it.
        forwardLayer.mask = masked ? steps : nil
        backwardLayer.mask = masked ? stepsRev : nil
        defer { forwardLayer.mask = nil; backwardLayer.mask = nil }
        let outF = try forwardLayer.forward(input, training: training)
        let outB = try backwardLayer.forward(xRev, training: training)
        if mergeMode == .mul { yF.assign(outF); yB.assign(outB) }

        // Merge row by row: with return_sequences, row (b, t) of the backward half is the
        // backward copy's step T−1−t.
        let rows = rs ? B * T : B
        if rs { y.reshape(B, T, O) } else { y.reshape(B, O) }
        Pinned.pin(self, writing: [\.y], reading: [outF, outB, steps]) { p in
            let yp = p[\.y]                                  // [B, (T,) O]
            let fp = p[read: 0], bp = p[read: 1]             // [B, (T,) U] each
            let sb = p.buffer(read: 2)                       // [B, T] when masked
            for r in 0..<rows {
                let (b, t) = rs ? (r / T, r % T) : (r, 0)
                let f = fp + r * U, g = bp + (rs ? (b * T + T - 1 - t) : b) * U, out = yp + r * O
                if rs && masked && sb[r] == 0 {
                    out.update(repeating: 0, count: O)
                    continue
                }
                switch mergeMode {
                case .concat:
                    out.update(from: f, count: U)
                    (out + U).update(from: g, count: U)
                case .sum: for j in 0..<U { out[j] = f[j] + g[j] }
                case .ave: for j in 0..<U { out[j] = (f[j] + g[j]) / 2 }
                case .mul: for j in 0..<U { out[j] = f[j] * g[j] }
                }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == y.shape, "\(name): backward got dL/dy of shape \(dy.shape) for an output of shape \(y.shape)")
        let B = batch, T = time, D = inputDim, U = units, O = outputUnits, rs = returnSequences
        let rows = rs ? B * T : B
        if rs { dyF.reshape(B, T, U); dyB.reshape(B, T, U) } else { dyF.reshape(B, U); dyB.reshape(B, U) }
        // Split dL/dy between the halves: dy_f[b, t] and dy_b[b, T−1−t] from row (b, t).
        Pinned.pin(self, writing: [\.dyF, \.dyB], reading: [dy, yF, yB, steps]) { p in
            let dfp = p[\.dyF], dbp = p[\.dyB]               // [B, (T,) U] each
            let dp = p[read: 0]                              // [B, (T,) O]
            let yfb = p.buffer(read: 1), ybb = p.buffer(read: 2)   // [B, (T,) U] each, kept for mul only
            let sb = p.buffer(read: 3)                       // [B, T] when masked
            for r in 0..<rows {
                let (b, t) = rs ? (r / T, r % T) : (r, 0)
                let rb = rs ? b * T + T - 1 - t : b
                let g = dp + r * O, gf = dfp + r * U, gb = dbp + rb * U
                if rs && masked && sb[r] == 0 {
                    // A zeroed output step passes no gradient to either copy.
                    gf.update(repeating: 0, count: U)
                    gb.update(repeating: 0, count: U)
                    continue
                }
                switch mergeMode {
                case .concat:
                    gf.update(from: g, count: U)
                    gb.update(from: g + U, count: U)
                case .sum:
                    gf.update(from: g, count: U)
                    gb.update(from: g, count: U)
                case .ave:
                    for j in 0..<U { gf[j] = g[j] / 2; gb[j] = g[j] / 2 }
                case .mul:
                    let f = yfb.baseAddress! + r * U, h = ybb.baseAddress! + rb * U
                    for j in 0..<U { gf[j] = g[j] * h[j]; gb[j] = g[j] * f[j] }
                }
            }
        }
        let dxF = forwardLayer.backward(dyF)
        let dxB = backwardLayer.backward(dyB)
        // dx = dx_f + dx_b reversed back in time.
        dx.reshape(B, T, D)
        dx.withUnsafeMutableBufferPointer { ob in
            dxB.withUnsafeBufferPointer { Self.reverseTime($0.baseAddress!, ob.baseAddress!, batch: B, time: T, features: D) }
            dxF.withUnsafeBufferPointer { fb in
                for i in 0..<(B * T * D) { ob[i] += fb[i] }
            }
        }
        return dx
    }

    /// dst[b, t, :] = src[b, T−1−t, :] for [batch, time, features].
    static func reverseTime(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, batch: Int, time: Int, features: Int) {
        for b in 0..<batch {
            let base = b * time * features
            for t in 0..<time {
                (dst + base + t * features).update(from: src + base + (time - 1 - t) * features, count: features)
            }
        }
    }
}
