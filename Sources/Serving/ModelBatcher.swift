import Foundation
import Sessions

/// Dynamic batching for one model, as Triton and TF Serving do it: classify requests that
/// arrive close together are gathered and answered by one `probabilities` call. The first
/// request waiting sets a deadline one window away; the batch goes when the deadline passes or
/// when `maxBatch` texts are waiting, whichever is first, so no request waits longer than the
/// window for company (only, after it, for the model to be free).
///
/// The model runs one job at a time (a batch or an explanation): a model folder's classifier
/// keeps working buffers in its layers, and a session's explanations are latest-wins.
actor ModelBatcher {
    private struct Waiting {
        var texts: [String]
        var continuation: CheckedContinuation<[[Float]], any Error>
    }

    /// The model; replaced between jobs by `replaceSource` (hot reload).
    private(set) var source: ModelSource
    let window: Duration
    let maxBatch: Int
    /// Called with the number of texts of each batch run (metrics).
    private let onBatch: @Sendable (Int) -> Void

    private var waiting: [Waiting] = []
    private var waitingTexts = 0
    /// When the oldest waiting request's window ends.
    private var deadline: ContinuousClock.Instant?
    private var timer: Task<Void, Never>?
    /// Explanations wait here for the model; they run between batches.
    private var explanations: [(text: String, continuation: CheckedContinuation<TokenAttribution, any Error>)] = []
    private var busy = false
    /// A reload waiting for the model to be free.
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private let clock = ContinuousClock()

    init(source: ModelSource, window: Duration, maxBatch: Int, onBatch: @escaping @Sendable (Int) -> Void) {
        self.source = source
        self.window = window
        self.maxBatch = max(1, maxBatch)
        self.onBatch = onBatch
    }

    /// Class probabilities for `texts`, computed in a batch with whatever other requests
    /// arrive within the window.
    func probabilities(_ texts: [String]) async throws -> [[Float]] {
        if texts.isEmpty { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            enqueue(Waiting(texts: texts, continuation: continuation))
        }
    }

    /// The token attributions of `text`, computed when the model is free.
    func explain(_ text: String) async throws -> TokenAttribution {
        try await withCheckedThrowingContinuation { continuation in
            explanations.append((text, continuation))
            startIfReady()
        }
    }

    private func enqueue(_ request: Waiting) {
        // A request that would overflow the batch being gathered sends that batch first.
        if waitingTexts > 0 && waitingTexts + request.texts.count > maxBatch { deadline = clock.now }
        waiting.append(request)
        waitingTexts += request.texts.count
        if deadline == nil {
            let end = clock.now.advanced(by: window)
            deadline = end
            if window > .zero {
                timer = Task { [weak self] in
                    try? await Task.sleep(until: end, clock: .continuous)
                    await self?.startIfReady()
                }
            }
        }
        startIfReady()
    }

    /// Whether the requests waiting should go now.
    private var batchIsDue: Bool {
        guard !waiting.isEmpty, let deadline else { return false }
        return waitingTexts >= maxBatch || clock.now >= deadline
    }

    /// Runs the next job if the model is free: a due batch first, then one explanation.
    private func startIfReady() {
        guard !busy else { return }
        if batchIsDue {
            busy = true
            // Whole requests, up to `maxBatch` texts (a larger request goes alone).
            var taken: [Waiting] = []
            var count = 0
            while let next = waiting.first, taken.isEmpty || count + next.texts.count <= maxBatch {
                taken.append(waiting.removeFirst())
                count += next.texts.count
            }
            waitingTexts -= count
            timer?.cancel()
            timer = nil
            deadline = nil
            if !waiting.isEmpty {
                // The rest were already waiting: their window ran with this one's.
                deadline = clock.now
            }
            onBatch(count)
            let source = source
            Task {
                let texts = taken.flatMap(\.texts)
                do {
                    let probabilities = try await source.probabilities(texts)
                    var start = 0
                    for request in taken {
                        let end = start + request.texts.count
                        request.continuation.resume(returning: Array(probabilities[min(start, probabilities.count)..<min(end, probabilities.count)]))
                        start = end
                    }
                } catch {
                    for request in taken { request.continuation.resume(throwing: error) }
                }
                self.finished()
            }
        } else if !explanations.isEmpty {
            busy = true
            let (text, continuation) = explanations.removeFirst()
            let source = source
            Task {
                do { continuation.resume(returning: try await source.explain(text)) } catch { continuation.resume(throwing: error) }
                self.finished()
            }
        }
    }

    private func finished() {
        busy = false
        if !idleWaiters.isEmpty {
            idleWaiters.removeFirst().resume()
            return
        }
        startIfReady()
    }

    /// Replaces the model between jobs: waits for the job running to finish, holds new ones
    /// back (they wait, none fails) while `make` opens the new model, then lets them run on it.
    /// When `make` throws, the model is left as it was and the error rethrown.
    func replaceSource(_ make: @Sendable (ModelSource) async throws -> ModelSource) async throws {
        while busy { await withCheckedContinuation { idleWaiters.append($0) } }
        busy = true
        do {
            source = try await make(source)
        } catch {
            finished()
            throw error
        }
        finished()
    }
}
