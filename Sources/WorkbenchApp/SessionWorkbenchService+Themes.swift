import Engine
import Foundation
import Sessions
import TerminalUI
import WorkbenchUI

/// Themes: the shipped theme files, switching, and the theme remembered per session.
extension SessionWorkbenchService {
    func themeFiles() -> [String] {
        guard let dir = themesDirectory else { return [] }
        return Theme.files(in: dir)
    }

    public func setTheme(named name: String) async -> ThemeResult {
        guard let path = themeFiles().first(where: { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent == name }) else {
            return .refused("no theme '\(name)' (\(themeFiles().map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }.joined(separator: ", ")))")
        }
        do {
            let theme = try Theme.load(path: path)
            themeName = name
            Self.rememberTheme(manager.store.root, current, name)
            return .applied(theme)
        } catch {
            return .refused("\(error)")
        }
    }

    /// The theme is remembered per session beside its files (`ui.json`), so reopening the
    /// session brings it back.
    static func rememberedTheme(_ root: URL, _ session: String) -> String? {
        let url = root.appendingPathComponent(session).appendingPathComponent("ui.json")
        guard let data = FileManager.default.contents(atPath: url.path),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return obj["theme"] as? String
    }

    static func rememberTheme(_ root: URL, _ session: String, _ theme: String) {
        let url = root.appendingPathComponent(session).appendingPathComponent("ui.json")
        if let data = try? JSONSerialization.data(withJSONObject: ["theme": theme]) { try? AtomicFile.write(data, to: url) }
    }
}
