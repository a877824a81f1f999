extension LearnerKind {
    /// Whether the learner trains on multi-label data. None does yet: each predicts one label
    /// per text (one-vs-rest for the linear ones would be the natural extension).
    public var supportsMultiLabel: Bool { false }

    /// Throws `LearnerError.invalidConfiguration` naming the learner when it cannot train on
    /// multi-label data.
    public func refuseMultiLabel() throws {
        guard !supportsMultiLabel else { return }
        throw LearnerError.invalidConfiguration(
            what: rawValue, reason: "predicts one label per text; multi-label data trains a neural model (a preset such as lstm or cnn, or a JSON spec ending in Dense(K, sigmoid))")
    }
}
