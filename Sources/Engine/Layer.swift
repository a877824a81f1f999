/// A trainable weight with its gradient. A class, so the optimiser updates it in place and the
/// layer sees the new value without copying.
public final class Parameter {
    /// Keras's weight name within its layer: `kernel`, `recurrent_kernel`, `bias`, `embeddings`…
    /// (A composite layer prefixes its parts' names: `attention/query/kernel`.)
    public internal(set) var name: String
    public var value: Tensor {
        // Every write (an assignment, an optimiser's in-place update, a weight copy) goes
        // through this property, so a cache derived from the weights (`InferencePlan`) can
        // tell it is stale by comparing one number.
        didSet { version &+= 1 }
    }
    /// Changes whenever `value` is written; caches derived from the weights compare it.
    public private(set) var version: UInt64 = 0
    /// dLoss/dvalue from the last backward pass (overwritten, not accumulated).
    public var grad: Tensor
    /// Embedding only, when `collectOccurrenceSquares` is set: Σ over token occurrences of the
    /// squared per-occurrence gradient, for Keras's sparse-slice Adam (see OptimizerSpec).
    public var occurrenceSquares: Tensor? = nil
    public var collectOccurrenceSquares = false
    /// False for a frozen weight (Keras's `trainable=False` layer): the optimiser does not
    /// step it and the summary counts it as non-trainable. Its `grad` stays zero.
    public var trainable = true

    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        self.grad = Tensor(shape: value.shape)
    }
}

/// One layer of a sequential model. Shapes exclude the batch dimension unless said otherwise.
///
/// A layer keeps whatever its backward needs from the last forward in its own buffers (never a
/// reference to the caller's tensor), so tensors flow through a training step without
/// copy-on-write copies, and the buffers are reused from batch to batch.
public protocol Layer: AnyObject {
    /// Unique within its model (Keras-style: `lstm`, `dense_1`).
    var name: String { get }
    /// The weights in Keras's `layer.weights` order and layout.
    var parameters: [Parameter] { get }
    /// The output shape for an input shape, or an error saying why this layer cannot follow.
    func outputShape(for inputShape: [Int]) throws -> [Int]
    /// Forward pass for a batch `[batch, …inputShape]`. `training` turns dropout on.
    func forward(_ x: Tensor, training: Bool) throws -> Tensor
    /// Backward pass for the last forward: sets every parameter's `grad` from `dy` = dL/dy and
    /// returns dL/dx (an empty tensor when the input is integer token ids).
    func backward(_ dy: Tensor) -> Tensor
}

/// A layer that can use a per-step mask `[batch, time]` (1 = real step, 0 = padding), as
/// Keras's `mask_zero=True` Embedding produces. Set before `forward`; nil for no mask.
public protocol MaskConsumer: Layer {
    var mask: Tensor? { get set }
}

/// A recurrent layer (SimpleRNN, GRU, LSTM): what Bidirectional needs to wrap two copies.
public protocol RecurrentLayer: MaskConsumer {
    var inputDim: Int { get }
    var units: Int { get }
    var returnSequences: Bool { get }
}

/// A layer that draws random numbers while training (the dropouts). Its generator's state is
/// part of a trainer snapshot, so a resumed run draws the same masks.
public protocol RandomLayer: Layer {
    var generator: SeededGenerator { get set }
}

extension Layer {
    /// The number of weight scalars, trainable or not.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
    /// The number of scalars the optimiser steps (Keras's trainable params).
    public var trainableParameterCount: Int { parameters.reduce(0) { $0 + ($1.trainable ? $1.value.count : 0) } }

    /// Throws unless `x` is `[batch] + expected`.
    func checkInput(_ x: Tensor, _ expected: [Int]) throws {
        guard x.rank == expected.count + 1, Array(x.shape.dropFirst()) == expected else {
            throw EngineError.shapeMismatch(layer: name, expected: [-1] + expected, got: x.shape)
        }
    }
}
