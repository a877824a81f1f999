// A TOML 1.0 reader for the theme and key-map files, in Swift.
//
// It replaces TOMLKit (a wrapper around the C++ toml++ 3.4), whose parser asserts on some
// malformed input, e.g. `x = [}` or a `[` header followed by a new line: the process
// aborted on a bad theme or key file (found by Fuzz/fuzz-keymap-toml; without NDEBUG the
// assert fires, with it the same checks become undefined behaviour). Here any input is a
// value or a `TerminalUIError.syntax` naming the line and column.
//
// Everything of TOML 1.0 that a settings file uses: comments; bare, quoted and dotted keys;
// `[table]` and `[[array of tables]]` headers; basic, literal and multi-line strings with
// escapes; integers (decimal, 0x, 0o, 0b, underscores), floats (exponents, inf, nan),
// booleans, arrays, inline tables. Dates and times are refused with a message saying so:
// no theme or key setting is a date. Nesting is limited to 100 levels (no deep recursion).

/// The recursive-descent parser, over the UTF-8 bytes: the document, keys, values and where
/// they go here; strings and numbers in TOML+Literals.swift.
struct TOMLParser {
    static let maxDepth = 100

    let bytes: [UInt8]
    let path: String
    var i = 0
    var line = 1
    var lineStart = 0
    var depth = 0

    var root = TOMLTable()
    /// The table that key/value lines go into (a path from the root; array-of-tables
    /// components mean their last element).
    var current: [String] = []
    /// Tables defined by a `[header]` or by key/value lines (directly or through dotted keys),
    /// which a later `[header]` may not define again.
    var defined: Set<[String]> = []
    /// Inline tables and arrays given as values: closed to headers and dotted keys.
    var sealed: Set<[String]> = []

    init(_ text: String, path: String) {
        bytes = Array(text.utf8)
        self.path = path
    }

    // MARK: Errors and positions

    func fail(_ reason: String, at offset: Int? = nil) -> TerminalUIError {
        let at = min(offset ?? i, bytes.count)
        // The column in characters (UTF-8 lead bytes) from the line's start.
        var column = 1
        var k = lineStart
        while k < at {
            if bytes[k] & 0xC0 != 0x80 { column += 1 }
            k += 1
        }
        return .syntax(path: path, line: line, column: max(1, column), reason: reason)
    }

    /// Errors at `offset` as a closure of their own (for code that holds `root` in place).
    func failure(at offset: Int) -> (String) -> TerminalUIError {
        guard case let .syntax(path, line, column, _) = fail("", at: offset) else { return { .file(path: "", reason: $0) } }
        return { .syntax(path: path, line: line, column: column, reason: $0) }
    }

    var atEnd: Bool { i >= bytes.count }
    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }
    func peek(_ offset: Int) -> UInt8? { i + offset < bytes.count ? bytes[i + offset] : nil }

    static func describe(_ b: UInt8?) -> String {
        guard let b else { return "the end of the file" }
        switch b {
        case 0x0A: return "a new line"
        case 0x0D: return "a carriage return"
        case 0x09: return "a tab"
        case 0x20...0x7E: return "'\(Character(Unicode.Scalar(b)))'"
        default: return "byte 0x" + String(b, radix: 16)
        }
    }

    mutating func newLine() {
        line += 1
        lineStart = i
    }

    // MARK: Whitespace, comments, line ends

    mutating func skipSpaces() {
        while let b = peek, b == 0x20 || b == 0x09 { i += 1 }
    }

    /// A comment up to (not including) the line end; control characters other than tab are not allowed in it.
    mutating func skipComment() throws {
        guard peek == UInt8(ascii: "#") else { return }
        while let b = peek, b != 0x0A {
            if b == 0x0D && peek(1) == 0x0A { return }
            if (b < 0x20 && b != 0x09) || b == 0x7F { throw fail("a control character in a comment") }
            i += 1
        }
    }

    /// A line end (LF or CRLF) if one is here.
    mutating func lineEnd() -> Bool {
        if peek == 0x0A { i += 1; newLine(); return true }
        if peek == 0x0D && peek(1) == 0x0A { i += 2; newLine(); return true }
        return false
    }

    /// Spaces, comments and line ends (inside arrays).
    mutating func skipBlank() throws {
        while true {
            skipSpaces()
            try skipComment()
            if !lineEnd() { return }
        }
    }

    /// After a key/value pair or header: spaces, an optional comment, then a line end or the end.
    mutating func endOfLine() throws {
        skipSpaces()
        try skipComment()
        if atEnd || lineEnd() { return }
        throw fail("expected the end of the line, found \(Self.describe(peek))")
    }

    // MARK: The document

    mutating func document() throws -> TOMLTable {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3; lineStart = 3 }
        while true {
            try skipBlank()
            guard let b = peek else { break }
            if b == UInt8(ascii: "[") {
                try header()
            } else {
                try keyValue()
            }
            try endOfLine()
        }
        return root
    }

    mutating func header() throws {
        let start = i
        let isArray = peek(1) == UInt8(ascii: "[")
        i += isArray ? 2 : 1
        skipSpaces()
        let key = try dottedKey()
        skipSpaces()
        guard peek == UInt8(ascii: "]") else { throw fail("expected ']' to close the table header, found \(Self.describe(peek))") }
        i += 1
        if isArray {
            guard peek == UInt8(ascii: "]") else { throw fail("expected ']]' to close the array-of-tables header, found \(Self.describe(peek))") }
            i += 1
        }
        if isArray {
            try appendTable(at: key, start: start)
        } else {
            let resolved = try resolve(key, start: start)
            guard !defined.contains(resolved) else { throw fail("table [\(key.joined(separator: "."))] is defined twice", at: start) }
            defined.insert(resolved)
            current = resolved
        }
    }

    mutating func keyValue() throws {
        let start = i
        let key = try dottedKey()
        skipSpaces()
        guard peek == UInt8(ascii: "=") else { throw fail("expected '=' after the key, found \(Self.describe(peek))") }
        i += 1
        skipSpaces()
        let value = try self.value()
        try insert(value, at: current, key: key, start: start)
    }

    // MARK: Keys

    mutating func dottedKey() throws -> [String] {
        var parts = [try simpleKey()]
        while true {
            let save = i
            skipSpaces()
            guard peek == UInt8(ascii: ".") else { i = save; return parts }
            guard parts.count < Self.maxDepth else { throw fail("a key of more than \(Self.maxDepth) dotted parts") }
            i += 1
            skipSpaces()
            parts.append(try simpleKey())
        }
    }

    mutating func simpleKey() throws -> String {
        guard let b = peek else { throw fail("expected a key, found the end of the file") }
        if b == UInt8(ascii: "\"") {
            if peek(1) == b && peek(2) == b { throw fail("a key cannot be a multi-line string") }
            return try basicString()
        }
        if b == UInt8(ascii: "'") {
            if peek(1) == b && peek(2) == b { throw fail("a key cannot be a multi-line string") }
            return try literalString()
        }
        let start = i
        while let c = peek, Self.isBareKeyByte(c) { i += 1 }
        guard i > start else { throw fail("expected a key, found \(Self.describe(peek))") }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    static func isBareKeyByte(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
    }

    // MARK: Values

    mutating func value() throws -> TOMLValue {
        guard let b = peek else { throw fail("expected a value, found the end of the file") }
        switch b {
        case UInt8(ascii: "\""):
            if peek(1) == b && peek(2) == b { return .string(try multiLineBasicString()) }
            return .string(try basicString())
        case UInt8(ascii: "'"):
            if peek(1) == b && peek(2) == b { return .string(try multiLineLiteralString()) }
            return .string(try literalString())
        case UInt8(ascii: "["):
            return try nested { try $0.arrayValue() }
        case UInt8(ascii: "{"):
            return try nested { try $0.inlineTable() }
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            if matches("true") { i += 4; return .boolean(true) }
            if matches("false") { i += 5; return .boolean(false) }
            throw fail("expected a value, found \(Self.describe(b)) (true and false are lower case)")
        default:
            return try number()
        }
    }

    func matches(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { return false }
        // Not the start of a longer word.
        if let next = peek(w.count), Self.isBareKeyByte(next) { return false }
        return true
    }

    mutating func nested(_ body: (inout TOMLParser) throws -> TOMLValue) throws -> TOMLValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw fail("arrays and inline tables nested more than \(Self.maxDepth) deep") }
        return try body(&self)
    }

    mutating func arrayValue() throws -> TOMLValue {
        i += 1
        var items: [TOMLValue] = []
        while true {
            try skipBlank()
            if peek == UInt8(ascii: "]") { i += 1; return .array(items) }
            items.append(try value())
            try skipBlank()
            switch peek {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "]"): i += 1; return .array(items)
            default: throw fail("expected ',' or ']' in the array, found \(Self.describe(peek))")
            }
        }
    }

    mutating func inlineTable() throws -> TOMLValue {
        i += 1
        var table = TOMLTable()
        var inner = TOMLParser.Sub()
        skipSpaces()
        if peek == UInt8(ascii: "}") { i += 1; return .table(table) }
        while true {
            skipSpaces()
            let start = i
            let key = try dottedKey()
            skipSpaces()
            guard peek == UInt8(ascii: "=") else { throw fail("expected '=' after the key, found \(Self.describe(peek))") }
            i += 1
            skipSpaces()
            let v = try value()
            try inner.insert(v, key: key, into: &table, fail: failure(at: start))
            skipSpaces()
            switch peek {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "}"): i += 1; return .table(table)
            default: throw fail("expected ',' or '}' in the inline table (which stays on one line), found \(Self.describe(peek))")
            }
        }
    }

    /// Dotted keys inside one inline table: which sub-tables it made (so `a.b = 1, a = 2` fails).
    struct Sub {
        var made: Set<[String]> = []

        mutating func insert(_ value: TOMLValue, key: [String], into table: inout TOMLTable,
                             fail: (String) -> TerminalUIError) throws {
            try Self.put(value, key[...], prefix: [], into: &table, made: &made, fail: fail)
        }

        static func put(_ value: TOMLValue, _ key: ArraySlice<String>, prefix: [String], into table: inout TOMLTable,
                        made: inout Set<[String]>, fail: (String) -> TerminalUIError) throws {
            guard let first = key.first else { return }
            let here = prefix + [first]
            if key.count == 1 {
                guard table[first] == nil else { throw fail("key '\(here.joined(separator: "."))' is defined twice") }
                table[first] = value
                return
            }
            var sub: TOMLTable
            switch table[first] {
            case nil: sub = TOMLTable(); made.insert(here)
            case let .table(t)? where made.contains(here): sub = t
            default: throw fail("key '\(here.joined(separator: "."))' is already a value, not a table for dotted keys")
            }
            try put(value, key.dropFirst(), prefix: here, into: &sub, made: &made, fail: fail)
            table[first] = .table(sub)
        }
    }

    // MARK: Putting values in place

    /// The path of table `key` (from the root), created (as implicit tables) when missing.
    /// An array of tables on the way means its last table.
    mutating func resolve(_ key: [String], start: Int) throws -> [String] {
        var resolvedPath: [String] = []
        try Self.walk(&root, key[...], resolved: &resolvedPath, sealed: sealed, fail: failure(at: start))
        return resolvedPath
    }

    /// Walks (creating) the tables along `key` inside `table`; `resolved` gets the path, with
    /// "#n" for element n of an array of tables.
    static func walk(_ table: inout TOMLTable, _ key: ArraySlice<String>, resolved: inout [String], sealed: Set<[String]>,
                     fail: (String) -> TerminalUIError) throws {
        guard let first = key.first else { return }
        resolved.append(first)
        let rest = key.dropFirst()
        switch table[first] {
        case nil:
            var sub = TOMLTable()
            try walk(&sub, rest, resolved: &resolved, sealed: sealed, fail: fail)
            table[first] = .table(sub)
        case var .table(sub)?:
            if sealed.contains(resolved) { throw fail("'\(resolved.filter { !$0.hasPrefix("#") }.joined(separator: "."))' is an inline table; it cannot be extended") }
            try walk(&sub, rest, resolved: &resolved, sealed: sealed, fail: fail)
            table[first] = .table(sub)
        case var .array(items)? where !items.isEmpty && !sealed.contains(resolved):
            guard case var .table(last) = items[items.count - 1] else { throw fail("'\(first)' is already a value, not a table") }
            resolved.append("#\(items.count - 1)")
            try walk(&last, rest, resolved: &resolved, sealed: sealed, fail: fail)
            items[items.count - 1] = .table(last)
            table[first] = .array(items)
        default:
            throw fail("'\(resolved.filter { !$0.hasPrefix("#") }.joined(separator: "."))' is already a value, not a table")
        }
    }

    mutating func appendTable(at key: [String], start: Int) throws {
        let parent = try resolve(Array(key.dropLast()), start: start)
        guard let name = key.last else { return }
        let sealed = self.sealed
        let fail = failure(at: start)
        var made: [String] = []
        try Self.modify(&root, at: parent[...]) { table in
            switch table[name] {
            case nil:
                table[name] = .array([.table(TOMLTable())])
                made = parent + [name, "#0"]
            case var .array(items)? where !sealed.contains(parent + [name]) && items.allSatisfy({ $0.table != nil }):
                items.append(.table(TOMLTable()))
                table[name] = .array(items)
                made = parent + [name, "#\(items.count - 1)"]
            default:
                throw fail("'\(key.joined(separator: "."))' is already a value, not an array of tables")
            }
        }
        defined.insert(made)
        current = made
    }

    /// Runs `body` on the table at `path` (as `resolve` gives it).
    static func modify(_ table: inout TOMLTable, at path: ArraySlice<String>, _ body: (inout TOMLTable) throws -> Void) throws {
        guard let first = path.first else { return try body(&table) }
        var rest = path.dropFirst()
        switch table[first] {
        case var .table(sub)?:
            try modify(&sub, at: rest, body)
            table[first] = .table(sub)
        case var .array(items)?:
            guard let index = rest.first.flatMap({ Int($0.dropFirst()) }), items.indices.contains(index),
                  case var .table(sub) = items[index] else { return }
            rest = rest.dropFirst()
            try modify(&sub, at: rest, body)
            items[index] = .table(sub)
            table[first] = .array(items)
        default:
            return
        }
    }

    /// A key/value line: `key` (dotted) inside the table at `tablePath`.
    mutating func insert(_ value: TOMLValue, at tablePath: [String], key: [String], start: Int) throws {
        guard let last = key.last else { return }
        // Dotted keys define the tables they go through (a header cannot define them again).
        var parent = tablePath
        let fail = failure(at: start)
        if key.count > 1 {
            let sealed = self.sealed
            try Self.modify(&root, at: tablePath[...]) { table in
                var resolved = tablePath
                try Self.walk(&table, key.dropLast()[...], resolved: &resolved, sealed: sealed, fail: fail)
                parent = resolved
            }
            var prefix = tablePath
            for part in key.dropLast() {
                prefix.append(part)
                defined.insert(prefix)
            }
        }
        try Self.modify(&root, at: parent[...]) { table in
            guard table[last] == nil else { throw fail("key '\(key.joined(separator: "."))' is defined twice") }
            table[last] = value
        }
        if value.table != nil || value.array != nil { sealed.insert(parent + [last]) }
    }
}
