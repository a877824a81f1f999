// Theme files (`Themes/<name>.toml`) override parts of the built-in dark theme; every key is
// optional and anything not given keeps the built-in value.
//
//     name = "light"                  # optional; defaults to the file name without .toml
//
//     [colors]                        # 256-colour terminals
//     background = 255                # the screen colour (a background colour)
//     text = 236                      # other roles: a bare value is the text colour …
//     selection = { fg = 16, bg = 153 }   # … or a table with fg and/or bg
//     border = "#8a8a8a"              # colours: 0–255, "default" (the terminal's own),
//                                     # black red green yellow blue magenta cyan white,
//                                     # "bright-<name>" (8–15), or "#rrggbb" (nearest entry)
//
//     [colors8]                       # 8-colour terminals: 0–7, "default" or the 8 names
//     selection = { fg = "black", bg = "cyan" }
//
//     [attributes]                    # always added to the role: a name or a list of
//     title = ["bold"]                # bold, dim, reverse, underline ([] for none)
//
//     [mono]                          # added only without colour (NO_COLOR set, or a
//     selection = "reverse"           # terminal without colours)
//
// Keys under the sections are the `ThemeRole` raw values (`border_focused`, `series_3`, …).
// A table value overrides only the fields it names (fg, bg); an attribute value replaces the
// role's attributes. An unknown section, role or field, or a bad colour or attribute, is an
// error naming the file and the dotted key; callers show it and keep the default theme.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Theme {
    /// The top-level keys of a theme file.
    public static let fileSections = ["name", "colors", "colors8", "attributes", "mono"]

    /// `base` with the overrides of the theme file text `toml`; `path` names the file in errors
    /// and gives the default name.
    public static func parse(_ toml: String, path: String, base: Theme = .default) throws -> Theme {
        let table = try TOMLFile.parse(toml, path: path)
        var theme = base
        theme.name = TOMLFile.baseName(path)
        for key in table.keys.sorted() {
            guard let value = table[key] else { continue }
            switch key {
            case "name":
                guard let s = value.string, !s.isEmpty else {
                    throw TerminalUIError.invalidValue(path: path, key: key, expected: "a non-empty string",
                                                       found: TOMLFile.describe(value))
                }
                theme.name = s
            case "colors":
                try parseColors(value, section: key, path: path, eightColor: false, into: &theme.colors)
            case "colors8":
                try parseColors(value, section: key, path: path, eightColor: true, into: &theme.colors8)
            case "attributes":
                try parseAttributes(value, section: key, path: path, into: &theme.attributes)
            case "mono":
                try parseAttributes(value, section: key, path: path, into: &theme.monoAttributes)
            default:
                throw TerminalUIError.unknownKey(path: path, key: key, known: fileSections)
            }
        }
        return theme
    }

    /// The theme file at `path` over `base`.
    public static func load(path: String, base: Theme = .default) throws -> Theme {
        try parse(TOMLFile.read(path), path: path, base: base)
    }

    /// The theme at `path`, or `fallback` and the error when it cannot be loaded.
    public static func loadOrDefault(path: String, fallback: Theme = .default) -> (theme: Theme, error: TerminalUIError?) {
        do {
            return (try load(path: path, base: fallback), nil)
        } catch let e as TerminalUIError {
            return (fallback, e)
        } catch {
            return (fallback, .file(path: path, reason: "\(error)"))
        }
    }

    /// Paths of the `*.toml` files in `directory`, sorted by name (empty if it cannot be read).
    public static func files(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasSuffix(".toml") && !name.hasPrefix(".") { names.append(name) }
        }
        let sep = directory.hasSuffix("/") ? "" : "/"
        return names.sorted().map { directory + sep + $0 }
    }

    private static let roleNames = ThemeRole.allCases.map(\.rawValue)

    private static func section(_ value: TOMLValue, _ name: String, path: String) throws -> TOMLTable {
        guard let t = value.table else {
            throw TerminalUIError.invalidValue(path: path, key: name, expected: "a table ([\(name)])",
                                               found: TOMLFile.describe(value))
        }
        return t
    }

    private static func parseColors(_ value: TOMLValue, section name: String, path: String,
                                    eightColor: Bool, into colors: inout [ThemeRole: RoleColors]) throws {
        let table = try section(value, name, path: path)
        for key in table.keys.sorted() {
            guard let v = table[key] else { continue }
            let dotted = "\(name).\(key)"
            guard let role = ThemeRole(rawValue: key) else {
                throw TerminalUIError.unknownKey(path: path, key: dotted, known: roleNames)
            }
            var entry = colors[role] ?? RoleColors()
            if let fields = v.table {
                for field in fields.keys.sorted() {
                    guard let fv = fields[field] else { continue }
                    let fieldKey = "\(dotted).\(field)"
                    switch field {
                    case "fg" where role != .background:
                        entry.foreground = try color(fv, key: fieldKey, path: path, eightColor: eightColor)
                    case "bg":
                        entry.background = try color(fv, key: fieldKey, path: path, eightColor: eightColor)
                    default:
                        throw TerminalUIError.unknownKey(path: path, key: fieldKey,
                                                         known: role == .background ? ["bg"] : ["fg", "bg"])
                    }
                }
            } else {
                let c = try color(v, key: dotted, path: path, eightColor: eightColor)
                if role == .background { entry.background = c } else { entry.foreground = c }
            }
            colors[role] = entry
        }
    }

    private static func color(_ v: TOMLValue, key: String, path: String,
                              eightColor: Bool) throws -> TerminalColor {
        let expected = eightColor
            ? "a colour 0-7, \"default\" or one of \(TerminalColor.basicNames.joined(separator: ", "))"
            : "a colour 0-255, \"default\", one of \(TerminalColor.basicNames.joined(separator: ", ")), \"bright-<name>\" or \"#rrggbb\""
        if let i = v.int {
            if i >= 0 && i < (eightColor ? 8 : 256) { return .index(UInt8(i)) }
        } else if let s = v.string {
            if let c = eightColor ? TerminalColor(value8: s) : TerminalColor(value256: s) { return c }
        }
        throw TerminalUIError.invalidValue(path: path, key: key, expected: expected, found: TOMLFile.describe(v))
    }

    private static func parseAttributes(_ value: TOMLValue, section name: String, path: String,
                                        into attributes: inout [ThemeRole: TextAttributes]) throws {
        let table = try section(value, name, path: path)
        let expected = "an attribute or a list of them: " + TextAttributes.names.map(\.name).joined(separator: ", ")
        for key in table.keys.sorted() {
            guard let v = table[key] else { continue }
            let dotted = "\(name).\(key)"
            guard let role = ThemeRole(rawValue: key) else {
                throw TerminalUIError.unknownKey(path: path, key: dotted, known: roleNames)
            }
            var items: [TOMLValue] = []
            if let a = v.array {
                for item in a { items.append(item) }
            } else {
                items = [v]
            }
            var attrs: TextAttributes = []
            for item in items {
                guard let s = item.string, let a = TextAttributes.names.first(where: { $0.name == s.lowercased() }) else {
                    throw TerminalUIError.invalidValue(path: path, key: dotted, expected: expected,
                                                       found: TOMLFile.describe(item))
                }
                attrs.formUnion(a.value)
            }
            attributes[role] = attrs
        }
    }
}

/// Reading and describing TOML for the theme and key-map loaders.
enum TOMLFile {
    static func read(_ path: String) throws -> String {
        guard let f = fopen(path, "rb") else {
            throw TerminalUIError.file(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
            if n < buffer.count {
                if ferror(f) != 0 { throw TerminalUIError.file(path: path, reason: "read error") }
                break
            }
            if bytes.count > 1 << 20 { throw TerminalUIError.file(path: path, reason: "larger than 1 MiB") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TerminalUIError.file(path: path, reason: "not valid UTF-8 text")
        }
        return text
    }

    static func parse(_ toml: String, path: String) throws -> TOMLTable {
        if toml.utf8.contains(0) {
            throw TerminalUIError.file(path: path, reason: "contains a NUL byte; expected TOML text")
        }
        return try TOMLTable.parse(toml, path: path)
    }

    /// "Themes/light.toml" → "light".
    static func baseName(_ path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        return last.hasSuffix(".toml") ? String(last.dropLast(5)) : last
    }

    /// A value for an error message: strings quoted, others with their TOML type.
    static func describe(_ v: TOMLValue) -> String {
        switch v {
        case let .string(s): return "\"\(s)\""
        case let .integer(i): return String(i)
        case let .float(d): return "a float (\(d))"
        case let .boolean(b): return "a boolean (\(b))"
        case .table: return "a table"
        case .array: return "an array"
        }
    }
}
