import Dispatch
import Foundation

/// The signals that ask `train --session` to stop: SIGINT (Ctrl-C), SIGTERM (`kill`, service
/// managers, CI time-outs) and SIGHUP (the terminal went away). The first one stops training at
/// the next batch boundary with the progress saved, and the command then exits with 128 + the
/// signal's number (130, 143, 129) so a script can tell it did not run to the end. A second
/// one (of any of the three) ends the process at once, as the signal's default action does.
final class StopSignals: @unchecked Sendable {
    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private let lock = NSLock()
    private var first: Int32?
    private var sources: [any DispatchSourceSignal] = []

    /// Starts listening; `onFirst` runs (on a dispatch queue) for the first signal only.
    init(onFirst: @escaping @Sendable (Int32) -> Void) {
        for sig in Self.handled {
            // Dispatch sees the signal only when its default action (ending the process) is off.
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.received(sig, onFirst) }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any.
    var received: Int32? {
        lock.lock(); defer { lock.unlock() }
        return first
    }

    /// The exit code for a command the signal stopped: 128 + its number, as a shell reports a
    /// process the signal killed.
    var exitCode: Int32? { received.map { 128 + $0 } }

    private func received(_ sig: Int32, _ onFirst: @Sendable (Int32) -> Void) {
        lock.lock()
        let isFirst = first == nil
        if isFirst { first = sig }
        lock.unlock()
        guard isFirst else { return }
        // From now on the default actions: the next signal ends the process at once.
        for s in Self.handled { signal(s, SIG_DFL) }
        // After SIGHUP, standard output and error may lead to a closed terminal or a reader
        // that died with it: writing there must not end the process before the save.
        if sig == SIGHUP { signal(SIGPIPE, SIG_IGN) }
        onFirst(sig)
    }

    /// Stops listening and gives the signals their default actions back.
    func cancel() {
        for source in sources { source.cancel() }
        sources = []
        for s in Self.handled { signal(s, SIG_DFL) }
    }

    /// The name of a signal, for messages.
    static func name(_ sig: Int32) -> String {
        switch sig {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(sig)"
        }
    }
}
