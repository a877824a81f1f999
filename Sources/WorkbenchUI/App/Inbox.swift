import Foundation

/// A thread-safe queue of events posted by service tasks and drained by the UI loop without
/// waiting (an `AsyncStream` cannot be polled).
final class Inbox<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Element] = []

    func post(_ item: Element) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    /// Everything posted so far, oldest first; the inbox is empty afterwards.
    func drain() -> [Element] {
        lock.lock()
        defer { lock.unlock() }
        let out = items
        items.removeAll(keepingCapacity: true)
        return out
    }

    var isEmpty: Bool {
        lock.lock()
        defer { lock.unlock() }
        return items.isEmpty
    }
}
