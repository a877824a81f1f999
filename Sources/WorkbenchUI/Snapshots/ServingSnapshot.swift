/// What the status line says of `:serve`: where the console's model is served, and how busy.
public struct ServingSnapshot: Hashable, Sendable {
    /// "http://127.0.0.1:8080".
    public var address: String
    /// Requests answered per second, over the last interval the service measured.
    public var requestsPerSecond: Double

    public init(address: String, requestsPerSecond: Double = 0) {
        self.address = address
        self.requestsPerSecond = requestsPerSecond
    }
}
