import ArgumentParser
import Foundation
import Sessions

/// Which session `ui --data FILE` opens. A session of that name built on the same file is
/// reopened; one built on another file is never reused in silence: with `--session NAME` given
/// that is refused, and with the name taken from the file a new name is chosen (`topics-2`)
/// and said.
struct UISessionChoice: Equatable {
    var name: String
    /// Why the name is not the one asked for, to print before the screen opens.
    var notice: String?

    static func choose(data: String, requested: String?, defaultName: String, store: SessionStore) throws -> UISessionChoice {
        let wanted = requested ?? defaultName
        let dataPath = URL(fileURLWithPath: data).standardizedFileURL.path
        guard store.exists(wanted), let record = try? store.record(wanted), record.dataset.path != dataPath else {
            return UISessionChoice(name: wanted, notice: nil)
        }
        if requested != nil {
            throw ValidationError("session '\(wanted)' was built on \(record.dataset.path); --data \(data) is another data set (choose another --session name, or leave --data out to open it)")
        }
        var n = 2
        while true {
            let candidate = "\(wanted)-\(n)"
            if !store.exists(candidate) {
                return UISessionChoice(name: candidate, notice: "session '\(wanted)' was built on \(record.dataset.path); a new session '\(candidate)' is made for \(data)")
            }
            // A session of that name already on this file: reopen it rather than making another.
            if let r = try? store.record(candidate), r.dataset.path == dataPath { return UISessionChoice(name: candidate, notice: nil) }
            n += 1
        }
    }
}
