import Engine
import Foundation
import WorkbenchUI

/// The view (chart settings, console line and history, focus) kept with each session in
/// `view.json` beside its files, so reopening the session brings it back.
extension SessionWorkbenchService {
    static let viewFileName = "view.json"

    /// The current session's `view.json`.
    var viewFile: URL {
        manager.store.root.appendingPathComponent(current).appendingPathComponent(Self.viewFileName)
    }

    /// Writes `view.json` whole or not at all (a crash mid-write leaves the old file).
    public func saveViewState(_ view: WorkbenchViewState) async {
        let url = viewFile
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(view), to: url)
        } catch {
            continuation.yield(.warning("the view was not saved to \(url.path): \(error)"))
        }
    }

    /// The saved view of the current session; nil when there is none. A damaged file is
    /// left alone and reported as a warning: the session opens with the default view.
    func savedViewState() -> WorkbenchViewState? {
        let url = viewFile
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(WorkbenchViewState.self, from: try Data(contentsOf: url))
        } catch {
            continuation.yield(.warning("\(url.path) could not be read (\(Self.describe(error))): the default view is used"))
            return nil
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.dataCorrupted(c): return "not valid JSON: \(c.debugDescription)"
        case let DecodingError.typeMismatch(_, c): return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        default: return "\(error)"
        }
    }
}
