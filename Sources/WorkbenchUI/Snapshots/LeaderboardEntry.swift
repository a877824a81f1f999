/// One run of the session on the leaderboard (`R`): ranked by the service, best first.
public struct LeaderboardEntry: Hashable, Sendable {
    /// The run's id, as `BatchProgress.run` names it.
    public var id: String
    /// The model in a few words ("svm:c=0.5", "Embedding(64) → LSTM(64) → Dense(1)").
    public var model: String
    public var validationAccuracy: Double?
    public var trainAccuracy: Double?
    /// Macro-F1 on the validation data (the mean of the classes' F1): nil when not measured.
    public var validationMacroF1: Double?
    /// Epochs trained; nil for a model that trains in one go (a learner).
    public var epochs: Int?
    public var trainingSeconds: Double
    public var isCurrent: Bool
    /// The run the console answers with.
    public var isInConsole: Bool
    /// False when its model was not kept (never trained): it cannot be opened.
    public var canOpen: Bool

    public init(id: String, model: String, validationAccuracy: Double? = nil, trainAccuracy: Double? = nil, epochs: Int? = nil,
                trainingSeconds: Double = 0, isCurrent: Bool = false, isInConsole: Bool = false, canOpen: Bool = true,
                validationMacroF1: Double? = nil) {
        self.id = id
        self.model = model
        self.validationAccuracy = validationAccuracy
        self.trainAccuracy = trainAccuracy
        self.validationMacroF1 = validationMacroF1
        self.epochs = epochs
        self.trainingSeconds = trainingSeconds
        self.isCurrent = isCurrent
        self.isInConsole = isInConsole
        self.canOpen = canOpen
    }

    /// The picker's line: "run 2  svm:c=0.5" with "val 0.845 · macro-F1 0.812 · train 0.995 · 4.4 s" beside it.
    var pickerItem: PickerItem {
        var marks: [String] = []
        if isCurrent { marks.append("current") }
        if isInConsole { marks.append("in console") }
        if !canOpen { marks.append("not kept") }
        var detail = [validationAccuracy.map { "val " + Fmt.fixed($0, 3) } ?? "val –"]
        if let validationMacroF1 { detail.append("macro-F1 " + Fmt.fixed(validationMacroF1, 3)) }
        detail.append(trainAccuracy.map { "train " + Fmt.fixed($0, 3) } ?? "train –")
        if let epochs { detail.append("\(epochs) epoch\(epochs == 1 ? "" : "s")") }
        detail.append(Fmt.fixed(trainingSeconds, 1) + " s")
        if !marks.isEmpty { detail.append(marks.joined(separator: ", ")) }
        return PickerItem(value: id, label: "run \(id)  \(model)", detail: detail.joined(separator: " · "))
    }
}
