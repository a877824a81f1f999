import Foundation

/// Folder-per-class data sets, like Keras's `text_dataset_from_directory`: each subfolder of
/// the root is a class named after it, and each `.txt` file inside it (at any depth,
/// extension case-insensitive) is one example, its whole content the text (a UTF-8 byte
/// order mark removed, otherwise unchanged). Classes in code-point order of their names,
/// files in code-point order of their paths inside the class folder. Hidden entries (names
/// starting with ".") and files at the root are ignored; symbolic links are followed.
enum FolderRecords {
    /// `body` gets each example with the path of its file.
    static func forEach(path: String, _ body: (LabelledText, String) throws -> Void) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
            throw TextDataError.file(path: path, reason: "no such directory")
        }
        guard isDir.boolValue else {
            throw TextDataError.file(path: path, reason: "is a file, expected a directory with one subfolder per class")
        }
        let root = URL(fileURLWithPath: path)
        let classes = try entries(of: root).filter(\.isDirectory).map(\.name)
        guard !classes.isEmpty else {
            throw TextDataError.file(path: path, reason: "no class subfolders (expected one subfolder per label, each holding .txt files)")
        }
        for name in classes {
            for file in try textFiles(in: root.appendingPathComponent(name)) {
                try body(LabelledText(label: name, text: try read(file.path)), file.path)
            }
        }
    }

    private struct Entry {
        var name: String
        var isDirectory: Bool
    }

    /// The visible entries of a directory, sorted by code point.
    private static func entries(of dir: URL) throws -> [Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        } catch {
            throw TextDataError.file(path: dir.path, reason: "cannot list the directory: \(error.localizedDescription)")
        }
        return names.filter { !$0.hasPrefix(".") }.sorted(by: PythonText.precedes).map { name in
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path, isDirectory: &isDir)
            return Entry(name: name, isDirectory: exists && isDir.boolValue)
        }
    }

    /// The `.txt` files under `dir`, depth first, sorted by their path relative to `dir`.
    private static func textFiles(in dir: URL) throws -> [URL] {
        var found: [(relative: String, url: URL)] = []
        func walk(_ d: URL, _ prefix: String, depth: Int) throws {
            guard depth < 64 else {
                throw TextDataError.file(path: d.path, reason: "folders nested more than 64 deep (a symbolic link loop?)")
            }
            for e in try entries(of: d) {
                let url = d.appendingPathComponent(e.name)
                if e.isDirectory {
                    try walk(url, prefix + e.name + "/", depth: depth + 1)
                } else if e.name.lowercased().hasSuffix(".txt") {
                    found.append((prefix + e.name, url))
                }
            }
        }
        try walk(dir, "", depth: 0)
        return found.sorted { PythonText.precedes($0.relative, $1.relative) }.map(\.url)
    }

    /// A whole file as UTF-8 text, without a byte order mark.
    private static func read(_ path: String) throws -> String {
        let handle = try LineReader.open(path)
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: LineReader.maxLineBytes + 1) ?? Data()
        } catch {
            throw TextDataError.file(path: path, reason: "read failed: \(error.localizedDescription)")
        }
        guard data.count <= LineReader.maxLineBytes else {
            throw TextDataError.file(path: path, reason: "longer than \(LineReader.maxLineBytes >> 20) MiB, the limit for one example's text")
        }
        var bytes = [UInt8](data)[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        // Name the line and the byte within it.
        let bad = bytes.startIndex + LabelledTextReader.firstInvalidByte(bytes)
        let lineStart = bytes[..<bad].lastIndex(of: 0x0A).map { $0 + 1 } ?? bytes.startIndex
        let line = 1 + bytes[..<bad].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        throw TextDataError.invalidUTF8(path: path, line: line, byte: bad - lineStart + 1, value: bytes[bad])
    }
}
