/// Where training stands.
public enum TrainingState: Hashable, Sendable, CustomStringConvertible {
    case idle
    case training
    case paused
    case finished
    case failed(String)

    public var description: String {
        switch self {
        case .idle: return "idle"
        case .training: return "training"
        case .paused: return "paused"
        case .finished: return "finished"
        case let .failed(reason): return "failed: \(reason)"
        }
    }

    /// Training or paused: a run is in progress (quitting asks first).
    public var isActive: Bool { self == .training || self == .paused }
}
