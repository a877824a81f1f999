/// Everything a `Trainer` needs to carry on exactly where it stopped: a Codable snapshot that
/// sessions save with the weights and the optimiser state.
///
/// With the same model weights, optimiser state, data and `FitConfig`, a trainer restored from
/// a snapshot runs the same batches in the same order with the same dropout masks as the
/// trainer that took it, so the weights it reaches are bit-for-bit the same.
public struct TrainerState: Codable, Sendable, Equatable {
    /// Epochs completed, batches done in the current epoch, batches since training began.
    public var epochsCompleted: Int
    public var batchInEpoch: Int
    public var step: Int
    /// Every finished epoch of this trainer.
    public var history: [EpochSummary]
    /// The shuffle generator as it was at the start of the current epoch, before that
    /// epoch's shuffle: restoring regenerates the epoch's permutation from it.
    public var shuffleGenerator: SeededGenerator
    /// Running sums of the current epoch: loss × examples, examples right, examples seen,
    /// and the seconds it has taken so far.
    public var lossSum: Double
    public var correct: Int
    public var seen: Int
    public var epochElapsed: Double
    /// What the cursor is measured against: a snapshot can only be restored mid-epoch on the
    /// same number of examples with the same batch size and shuffling.
    public var trainCount: Int
    public var batchSize: Int
    public var shuffle: Bool
    /// Each dropout layer's generator by layer name.
    public var layerGenerators: [String: SeededGenerator]
    /// EarlyStopping's and ReduceLROnPlateau's counters and bests (nil without callbacks, and
    /// in states saved before they existed).
    public var callbacks: TrainingCallbacks.State?

    enum CodingKeys: String, CodingKey {
        case epochsCompleted = "epochs_completed", batchInEpoch = "batch_in_epoch", step, history
        case shuffleGenerator = "shuffle_generator", lossSum = "loss_sum", correct, seen
        case epochElapsed = "epoch_elapsed", trainCount = "train_count", batchSize = "batch_size", shuffle
        case layerGenerators = "layer_generators", callbacks
    }

    /// The state of a trainer that has not run a batch yet.
    public init(fresh config: FitConfig, trainCount: Int, layerGenerators: [String: SeededGenerator]) {
        epochsCompleted = 0; batchInEpoch = 0; step = 0; history = []
        shuffleGenerator = SeededGenerator(seed: config.seed)
        lossSum = 0; correct = 0; seen = 0; epochElapsed = 0
        self.trainCount = trainCount; batchSize = config.batchSize; shuffle = config.shuffle
        self.layerGenerators = layerGenerators
    }
}
