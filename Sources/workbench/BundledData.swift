import ArgumentParser
import Foundation

/// The data sets and colour themes that ship with workbench: a folder holding `Data/` (one
/// folder per set, each with train.tsv, test.tsv and a README) and `Themes/`. Found wherever the
/// binary runs, first match wins:
///
/// 1. `$WORKBENCH_HOME`, when set;
/// 2. beside the executable (`Data/` in the executable's folder: the binary and the two folders
///    copied together);
/// 3. installed: `<executable's folder>/../share/workbench` (e.g. ~/.local/bin/workbench with
///    ~/.local/share/workbench/{Data,Themes});
/// 4. the package the binary was built in (`swift build` / `swift run`): the nearest folder
///    above the executable that holds Package.swift and Data/;
/// 5. `Data/` in the working directory.
///
/// Both the executable's path as called and its symlink-resolved path are tried.
enum BundledData {
    static let homeVariable = "WORKBENCH_HOME"
    static let defaultSet = "zh-reviews"

    /// The folders searched, in order (for the search and for the error message).
    static func candidateHomes() -> [URL] {
        var homes: [URL] = []
        if let env = ProcessInfo.processInfo.environment[homeVariable], !env.isEmpty { homes.append(URL(fileURLWithPath: env)) }
        var executables: [URL] = []
        if let exe = Bundle.main.executableURL { executables.append(exe) }
        let called = CommandLine.arguments.first ?? ""
        if called.contains("/") { executables.append(URL(fileURLWithPath: called)) }
        var folders: [URL] = []
        for exe in executables {
            for url in [exe, exe.resolvingSymlinksInPath()] {
                let folder = url.deletingLastPathComponent().standardizedFileURL
                if !folders.contains(folder) { folders.append(folder) }
            }
        }
        for folder in folders {
            homes.append(folder)
            homes.append(folder.deletingLastPathComponent().appendingPathComponent("share/workbench"))
        }
        for folder in folders {
            var dir = folder
            for _ in 0..<6 where dir.path != "/" {
                dir = dir.deletingLastPathComponent()
                if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                    homes.append(dir)
                    break
                }
            }
        }
        homes.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return homes
    }

    /// The first candidate holding the default set.
    static func home() throws -> URL {
        let homes = candidateHomes()
        for home in homes where FileManager.default.fileExists(
            atPath: home.appendingPathComponent("Data/\(defaultSet)/train.tsv").path) {
            return home
        }
        throw ValidationError("""
            the bundled data sets were not found: looked for Data/\(defaultSet)/train.tsv in \
            \(homes.map(\.path).joined(separator: ", ")). Copy Data/ and Themes/ beside the binary \
            or into <prefix>/share/workbench, or set \(homeVariable) to the folder that holds them.
            """)
    }

    /// `Data/<name>` of the bundled sets.
    static func folder(_ name: String = defaultSet) throws -> URL {
        let dir = try home().appendingPathComponent("Data").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("train.tsv").path) else {
            throw ValidationError("no bundled data set named '\(name)' (bundled: \(names().joined(separator: ", ")))")
        }
        return dir
    }

    /// The bundled sets' names, sorted.
    static func names() -> [String] {
        guard let data = try? home().appendingPathComponent("Data") else { return [] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: data.path)) ?? []
        return entries.filter {
            FileManager.default.fileExists(atPath: data.appendingPathComponent("\($0)/train.tsv").path)
        }.sorted()
    }

    /// The Themes folder shipped beside the data (dark, light, high-contrast).
    static func themesFolder() -> URL? {
        guard let dir = try? home().appendingPathComponent("Themes") else { return nil }
        return FileManager.default.fileExists(atPath: dir.path) ? dir : nil
    }

    /// A data argument as the user gave it: an existing path is taken as it is; otherwise a
    /// bundled set's name means its train.tsv, and `NAME/train` or `NAME/test` (with or without
    /// `.tsv`) the file of that split. Anything else is returned unchanged, for the reader to
    /// report as missing.
    static func resolve(_ argument: String) -> String {
        guard !FileManager.default.fileExists(atPath: argument) else { return argument }
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, !parts[0].hasPrefix(".") else { return argument }
        var file = parts.count == 2 ? parts[1] : "train.tsv"
        if !file.hasSuffix(".tsv") { file += ".tsv" }
        guard file == "train.tsv" || file == "test.tsv", let dir = try? folder(parts[0]) else { return argument }
        return dir.appendingPathComponent(file).path
    }
}
