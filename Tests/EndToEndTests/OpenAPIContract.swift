import Foundation

/// The served OpenAPI document as a checker of answers: a reader for the subset of YAML the
/// document is written in, and a validator for the subset of JSON Schema it uses. A keyword
/// outside that subset is reported as a problem, never silently passed.
struct OpenAPIContract {
    let document: [String: Any]

    init(yaml: String) throws {
        guard let root = try YAMLSubset.parse(yaml) as? [String: Any] else { throw ContractError("the document is not a mapping") }
        document = root
    }

    /// What is wrong with an answer of `method path` (the route's pattern, `/v1/models/{name}`)
    /// under the contract: its status not listed, its content type not listed, a header listed
    /// but missing, or its body against the schema. Empty when it conforms.
    func problems(method: String, path: String, status: Int, contentType: String?, headers: [String: String], body: Data) -> [String] {
        guard let item = (document["paths"] as? [String: Any])?[path] as? [String: Any] else { return ["no path \(path) in the document"] }
        // A 405 answers a method the path does not have: it is listed under the path's operations.
        let operations = item[method.lowercased()].map { [$0] } ?? (status == 405 ? Array(item.values) : [])
        guard !operations.isEmpty else { return ["\(path) has no \(method) operation"] }
        var listed: [String: Any]?
        for case let operation as [String: Any] in operations {
            if let r = (operation["responses"] as? [String: Any])?["\(status)"] { listed = resolved(r) as? [String: Any]; break }
        }
        guard let response = listed else { return ["\(method) \(path): status \(status) is not listed"] }
        var found: [String] = []
        for name in (response["headers"] as? [String: Any] ?? [:]).keys
        where !headers.keys.contains(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) {
            found.append("\(method) \(path) \(status): header \(name) is listed but missing")
        }
        let content = response["content"] as? [String: Any] ?? [:]
        let type = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard let media = content[type] as? [String: Any] else {
            return found + ["\(method) \(path) \(status): content type '\(type)' is not listed (\(content.keys.sorted()))"]
        }
        guard let schema = media["schema"] else { return found }
        let value: JSONValue
        if type.hasSuffix("json") {
            do { value = try JSONDecoder().decode(JSONValue.self, from: body) } catch {
                return found + ["\(method) \(path) \(status): the body is not JSON: \(String(decoding: body, as: UTF8.self))"]
            }
        } else {
            value = .string(String(decoding: body, as: UTF8.self))
        }
        return found + problems(value, schema, at: "\(method) \(path) \(status) body")
    }

    /// `$ref` followed (one `#/...` pointer into the document).
    func resolved(_ node: Any) -> Any? {
        guard let map = node as? [String: Any], let ref = map["$ref"] as? String else { return node }
        guard ref.hasPrefix("#/") else { return nil }
        var here: Any? = document
        for part in ref.dropFirst(2).split(separator: "/") { here = (here as? [String: Any])?[String(part)] }
        return here.flatMap(resolved)
    }

    /// The keywords the validator checks, and those it knows carry no rule.
    static let checked: Set<String> = ["$ref", "type", "const", "enum", "required", "properties", "additionalProperties", "items", "minItems", "minimum", "format"]
    static let annotations: Set<String> = ["description", "title"]

    func problems(_ value: JSONValue, _ node: Any, at where_: String) -> [String] {
        guard let schema = resolved(node) as? [String: Any] else { return ["\(where_): the schema \(node) cannot be read"] }
        var found: [String] = []
        for key in schema.keys where !Self.checked.contains(key) && !Self.annotations.contains(key) {
            found.append("\(where_): the validator does not know the keyword '\(key)'")
        }
        if let type = schema["type"] {
            let types = (type as? [Any] ?? [type]).compactMap { $0 as? String }
            if !types.contains(where: value.isOfType) { found.append("\(where_): \(value) is not of type \(types)") }
        }
        if let c = schema["const"], !value.equals(c) { found.append("\(where_): \(value) is not \(c)") }
        if let options = schema["enum"] as? [Any], !options.contains(where: value.equals) { found.append("\(where_): \(value) is not one of \(options)") }
        switch value {
        case let .object(object):
            for key in schema["required"] as? [Any] ?? [] {
                if let key = key as? String, object[key] == nil { found.append("\(where_): the field '\(key)' is missing") }
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, v) in object.sorted(by: { $0.key < $1.key }) {
                if let p = properties[key] {
                    found += problems(v, p, at: "\(where_).\(key)")
                } else if let extra = schema["additionalProperties"] {
                    if let allowed = extra as? Bool {
                        if !allowed { found.append("\(where_): the field '\(key)' is not in the schema") }
                    } else {
                        found += problems(v, extra, at: "\(where_).\(key)")
                    }
                }
            }
        case let .array(items):
            if let min = schema["minItems"] as? Int, items.count < min { found.append("\(where_): \(items.count) items, fewer than \(min)") }
            if let item = schema["items"] {
                for (i, v) in items.enumerated() { found += problems(v, item, at: "\(where_)[\(i)]") }
            }
        case let .int(n):
            if let min = schema["minimum"] as? Int, n < min { found.append("\(where_): \(n) is below \(min)") }
        case let .double(x):
            if let min = schema["minimum"] as? Int, x < Double(min) { found.append("\(where_): \(x) is below \(min)") }
        case let .string(s):
            if schema["format"] as? String == "date-time",
               (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(s)) == nil,
               (try? Date.ISO8601FormatStyle().parse(s)) == nil {
                found.append("\(where_): '\(s)' is not a date-time")
            }
        default:
            break
        }
        return found
    }
}

struct ContractError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A JSON value with JSON's own types (booleans apart from numbers, integers apart from
/// fractions), as JSON Schema tells them.
enum JSONValue: Decodable, CustomStringConvertible {
    case null, bool(Bool), int(Int), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func isOfType(_ type: String) -> Bool {
        switch (type, self) {
        case ("null", .null), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double),
             ("string", .string), ("array", .array), ("object", .object): return true
        default: return false
        }
    }

    /// Equal to a scalar of the document.
    func equals(_ other: Any) -> Bool {
        switch self {
        case let .string(s): return other as? String == s
        case let .int(i): return other as? Int == i
        case let .bool(b): return other as? Bool == b
        case .null: return other is NSNull
        default: return false
        }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return "\(b)"
        case let .int(i): return "\(i)"
        case let .double(d): return "\(d)"
        case let .string(s): return "\"\(s)\""
        case let .array(a): return "[\(a.map(\.description).joined(separator: ", "))]"
        case let .object(o): return "{\(o.keys.sorted().joined(separator: ", "))}"
        }
    }
}

/// The YAML the document is written in: block mappings and sequences by indentation, flow
/// mappings and sequences (`{a: b}`, `[a, 'b']`), single- and double-quoted and plain scalars,
/// and `|` / `>` block scalars. Anything else is an error naming the line.
enum YAMLSubset {
    private struct Line { var number: Int; var indent: Int; var text: String }

    static func parse(_ text: String) throws -> Any {
        var lines: [Line] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = raw.drop(while: { $0 == " " })
            lines.append(Line(number: i + 1, indent: raw.count - content.count, text: String(content)))
        }
        var reader = Reader(lines: lines)
        reader.skipBlank()
        guard reader.index < lines.count else { return [String: Any]() }
        let value = try reader.block(indent: lines[reader.index].indent)
        reader.skipBlank()
        if reader.index < lines.count { throw ContractError("YAML line \(lines[reader.index].number): not where it is indented") }
        return value
    }

    private struct Reader {
        var lines: [Line]
        var index = 0

        mutating func skipBlank() {
            while index < lines.count && (lines[index].text.isEmpty || lines[index].text.hasPrefix("#")) { index += 1 }
        }

        mutating func block(indent: Int) throws -> Any {
            skipBlank()
            return lines[index].text.hasPrefix("-") ? try sequence(indent: indent) : try mapping(indent: indent)
        }

        mutating func mapping(indent: Int) throws -> [String: Any] {
            var map: [String: Any] = [:]
            while true {
                skipBlank()
                guard index < lines.count, lines[index].indent == indent, !lines[index].text.hasPrefix("- ") else { return map }
                let line = lines[index]
                let (key, rest) = try YAMLSubset.keyValue(line.text, line: line.number)
                index += 1
                map[key] = try value(after: rest, indent: indent, line: line.number)
            }
        }

        mutating func sequence(indent: Int) throws -> [Any] {
            var list: [Any] = []
            while true {
                skipBlank()
                guard index < lines.count, lines[index].indent == indent, lines[index].text.hasPrefix("-") else { return list }
                let line = lines[index]
                let rest = String(line.text.dropFirst().drop(while: { $0 == " " }))
                if rest.isEmpty {
                    index += 1
                    skipBlank()
                    list.append(try block(indent: lines[index].indent))
                } else if !"{['\"".contains(rest.first!), rest.contains(": ") || rest.hasSuffix(":") {
                    // `- key: value`: a mapping whose keys line up after the dash.
                    lines[index] = Line(number: line.number, indent: line.indent + (line.text.count - rest.count), text: rest)
                    list.append(try mapping(indent: lines[index].indent))
                } else {
                    index += 1
                    list.append(try YAMLSubset.flow(rest, line: line.number))
                }
            }
        }

        mutating func value(after rest: String, indent: Int, line: Int) throws -> Any {
            if rest.isEmpty {
                skipBlank()
                guard index < lines.count else { return NSNull() }
                let next = lines[index]
                if next.indent > indent || (next.indent == indent && next.text.hasPrefix("- ")) { return try block(indent: next.indent) }
                return NSNull()
            }
            if ["|", ">", "|-", ">-"].contains(rest) {
                var parts: [String] = []
                while index < lines.count && (lines[index].text.isEmpty || lines[index].indent > indent) {
                    parts.append(lines[index].text)
                    index += 1
                }
                return parts.joined(separator: rest.hasPrefix("|") ? "\n" : " ")
            }
            return try YAMLSubset.flow(rest, line: line)
        }
    }

    /// `key: rest` (rest empty for a key that opens a block).
    static func keyValue(_ text: String, line: Int) throws -> (String, String) {
        if text.hasSuffix(":") && !text.contains(": ") { return (unquoted(String(text.dropLast())), "") }
        guard let r = text.range(of: ": ") else { throw ContractError("YAML line \(line): expected 'key: value', found '\(text)'") }
        return (unquoted(String(text[..<r.lowerBound])), String(text[r.upperBound...]).trimmingCharacters(in: .whitespaces))
    }

    private static func unquoted(_ s: String) -> String {
        (s.hasPrefix("'") && s.hasSuffix("'") && s.count >= 2) || (s.hasPrefix("\"") && s.hasSuffix("\"") && s.count >= 2)
            ? String(s.dropFirst().dropLast()) : s
    }

    /// A flow value: `{...}`, `[...]`, a quoted or a plain scalar.
    static func flow(_ text: String, line: Int) throws -> Any {
        var chars = Array(text)[...]
        let value = try flowValue(&chars, inFlow: false, line: line)
        guard chars.allSatisfy({ $0 == " " }) else { throw ContractError("YAML line \(line): unexpected '\(String(chars))'") }
        return value
    }

    private static func skipSpaces(_ c: inout ArraySlice<Character>) { while c.first == " " { c.removeFirst() } }

    private static func flowValue(_ c: inout ArraySlice<Character>, inFlow: Bool, line: Int) throws -> Any {
        skipSpaces(&c)
        guard let first = c.first else { throw ContractError("YAML line \(line): a value is missing") }
        switch first {
        case "{":
            c.removeFirst()
            var map: [String: Any] = [:]
            skipSpaces(&c)
            if c.first == "}" { c.removeFirst(); return map }
            while true {
                guard let key = try flowValue(&c, inFlow: true, line: line) as? String, c.first == ":" else {
                    throw ContractError("YAML line \(line): expected 'key: value' in a flow mapping")
                }
                c.removeFirst()
                map[key] = try flowValue(&c, inFlow: true, line: line)
                skipSpaces(&c)
                guard let next = c.popFirst() else { throw ContractError("YAML line \(line): '{' not closed") }
                if next == "}" { return map }
                guard next == "," else { throw ContractError("YAML line \(line): expected ',' or '}'") }
            }
        case "[":
            c.removeFirst()
            var list: [Any] = []
            skipSpaces(&c)
            if c.first == "]" { c.removeFirst(); return list }
            while true {
                list.append(try flowValue(&c, inFlow: true, line: line))
                skipSpaces(&c)
                guard let next = c.popFirst() else { throw ContractError("YAML line \(line): '[' not closed") }
                if next == "]" { return list }
                guard next == "," else { throw ContractError("YAML line \(line): expected ',' or ']'") }
            }
        case "'", "\"":
            c.removeFirst()
            var s = ""
            while let ch = c.popFirst() {
                if ch == first {
                    // '' inside single quotes is one quote.
                    if first == "'" && c.first == "'" { c.removeFirst(); s.append("'"); continue }
                    return s
                }
                s.append(ch)
            }
            throw ContractError("YAML line \(line): quote not closed")
        default:
            var s = ""
            while let ch = c.first {
                if inFlow && (ch == "," || ch == "}" || ch == "]") { break }
                // In a flow, a key ends at ':' (followed by a space or the end of the key).
                if inFlow && ch == ":" && (c.dropFirst().first == " " || c.dropFirst().first == nil) { break }
                s.append(ch)
                c.removeFirst()
            }
            return scalar(s.trimmingCharacters(in: .whitespaces))
        }
    }

    private static func scalar(_ s: String) -> Any {
        switch s {
        case "true": return true
        case "false": return false
        case "null", "~": return NSNull()
        default:
            if let i = Int(s) { return i }
            if s.contains("."), s.filter({ $0 == "." }).count == 1, let d = Double(s) { return d }
            return s
        }
    }
}
