import Foundation
import TextData

/// Every error the session layer throws. Descriptions name the session, and for files the
/// file and what is wrong with it.
public enum SessionError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A session name that cannot be a folder name.
    case invalidName(String, reason: String)
    case notFound(String)
    case alreadyExists(String)
    /// A session file that cannot be read, is corrupt, or is of a newer schema.
    case file(path: String, reason: String)
    /// Another live process (or another manager) holds the session's lock.
    case locked(session: String, pid: Int32?)
    /// The data set changed since the session was built on it.
    case dataChanged(path: String, recorded: String, found: String)
    /// The operation needs the session in another state (e.g. idle to change the model).
    case busy(session: String, status: SessionStatus, operation: String)
    /// A session opened read-only cannot train or be changed.
    case readOnly(session: String)
    /// A setting that cannot be used, naming the field.
    case invalidSetting(field: String, reason: String)
    /// The manager or the engine has shut down.
    case shutDown

    public var description: String {
        switch self {
        case let .invalidName(name, reason):
            return "invalid session name '\(Quoted.escaped(name))': \(reason)"
        case let .notFound(name):
            return "no session named '\(name)'"
        case let .alreadyExists(name):
            return "a session named '\(name)' already exists"
        case let .file(path, reason):
            return "\(path): \(reason)"
        case let .locked(session, pid):
            let who = pid.map { "process \($0)" } ?? "another process"
            return "session '\(session)' is in use by \(who), which holds its lock; close it there first"
        case let .dataChanged(path, recorded, found):
            return "\(path): the data set changed since the session was built on it (content hash \(recorded) recorded, \(found) now); restore the file or create a new session"
        case let .busy(session, status, operation):
            return "session '\(session)' is \(status.label): cannot \(operation) now"
        case let .readOnly(session):
            return "session '\(session)' is open read-only: it cannot be trained or changed here"
        case let .invalidSetting(field, reason):
            return "\(field): \(reason)"
        case .shutDown:
            return "the session manager has shut down"
        }
    }
}
