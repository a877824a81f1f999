import Foundation
import Prometheus

/// What `GET /metrics` reports, in Prometheus's text format: requests and errors per endpoint
/// and status, request latency, timeouts, batch sizes, model reloads and failed reloads.
final class ServeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]
    private static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]

    // Computed: MetricNameDescriptor is not Sendable, so it cannot be a stored static.
    private static var requests: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "workbench", subsystem: "http", metricName: "requests", unitName: "total",
        helpText: "HTTP requests answered, by endpoint, method and status.") }
    private static var errors: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "workbench", subsystem: "http", metricName: "errors", unitName: "total",
        helpText: "HTTP requests answered with an error status (4xx, 5xx).") }
    private static var latency: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "workbench", subsystem: "http", metricName: "request_duration", unitName: "seconds",
        helpText: "Time from request to response, by endpoint.") }
    private static var inFlightRequests: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "workbench", subsystem: "http", metricName: "requests_in_flight", unitName: "",
        helpText: "Requests being answered now.") }
    private static var batchTexts: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "workbench", metricName: "batch", unitName: "texts", helpText: "Texts per model call (dynamic batching).") }
    private static var reloads: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "workbench", subsystem: "model", metricName: "reloads", unitName: "total",
        helpText: "Times a served model switched to a newer run.") }

    private static var timeouts: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "workbench", subsystem: "http", metricName: "timeouts", unitName: "total",
        helpText: "Requests answered 503 because they outlived --request-timeout, by endpoint.") }
    private static var reloadFailures: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "workbench", subsystem: "model", metricName: "reload_failures", unitName: "total",
        helpText: "Times a served model's newer run could not be opened (the older one kept serving).") }

    /// One answered request. `endpoint` is the route's pattern, not the path asked, so the
    /// label set stays small whatever clients ask for.
    func request(endpoint: String, method: String, status: Int, duration: Duration) {
        let labels = [("endpoint", endpoint), ("method", method), ("status", "\(status)")]
        registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
        if status >= 400 { registry.makeCounter(descriptor: Self.errors, labels: labels).increment() }
        registry.makeDurationHistogram(descriptor: Self.latency, labels: [("endpoint", endpoint)], buckets: Self.latencyBuckets)
            .record(duration)
    }

    /// One batch run by a model's batcher, of `texts` texts.
    func batch(model: String, texts: Int) {
        registry.makeValueHistogram(descriptor: Self.batchTexts, labels: [("model", model)], buckets: Self.batchBuckets)
            .record(Double(texts))
    }

    /// The model served under `model` was replaced by a newer run.
    func reload(model: String) {
        registry.makeCounter(descriptor: Self.reloads, labels: [("model", model)]).increment()
    }

    /// A request outlived the request timeout (it is also counted by `request` with its 503).
    func timeout(endpoint: String) {
        registry.makeCounter(descriptor: Self.timeouts, labels: [("endpoint", endpoint)]).increment()
    }

    /// The model served under `model` could not switch to its session's newer run.
    func reloadFailure(model: String) {
        registry.makeCounter(descriptor: Self.reloadFailures, labels: [("model", model)]).increment()
    }

    /// Creates the per-model series at zero, so they are listed before the first request.
    func register(model: String) {
        _ = registry.makeCounter(descriptor: Self.reloads, labels: [("model", model)])
        _ = registry.makeCounter(descriptor: Self.reloadFailures, labels: [("model", model)])
        _ = registry.makeGauge(descriptor: Self.inFlightRequests)
    }

    /// Requests being answered now (the tests wait on it to stop the server mid-request).
    func inFlight(_ delta: Double) {
        registry.makeGauge(descriptor: Self.inFlightRequests).increment(by: delta)
    }

    var text: String { registry.emitToString() }
}
