import Foundation

/// JSON Lines data sets: one JSON object per non-blank line, the text a string under the text
/// key, the label a string, integer or boolean under the label key (integers and booleans
/// become their JSON spelling: `1`, `true`). Other keys are ignored.
enum JSONLinesRecords {
    /// Single-label reading: a label that is a JSON array is refused, as it always was.
    static func forEach(path: String, options: ReadOptions, _ body: (LabelledText, Int) throws -> Void) throws {
        try forEachLabelled(path: path, options: options, allowLists: false) { labels, _, text, line in
            try body(LabelledText(label: labels[0], text: text), line)
        }
    }

    /// Every record's labels (one, or for a JSON array of labels every distinct one, possibly
    /// none), whether the label was an array, the text and the 1-based line.
    static func forEachLabelled(path: String, options: ReadOptions, allowLists: Bool = true,
                                _ body: ([String], Bool, String, Int) throws -> Void) throws {
        let textKey = options.textKey ?? "text"
        let labelKey = options.labelKey ?? "label"
        if textKey == labelKey {
            throw TextDataError.invalidConfiguration(what: path, reason: "the text and label keys are both '\(textKey)'")
        }
        let decoder = JSONDecoder()
        try LineReader(path: path, chunkSize: 64 * 1024).forEachLine { number, bytes in
            if bytes.allSatisfy(LabelledTextReader.isASCIIWhitespace) { return }
            let line = try DatasetReader.decodeUTF8(bytes, path: path, line: number)
            func fail(_ expected: String, _ found: String) -> TextDataError {
                .malformedLine(path: path, line: number, expected: expected, found: found)
            }
            let value: JSONValue
            do {
                value = try decoder.decode(JSONValue.self, from: Data(bytes))
            } catch {
                throw fail("a JSON object", "invalid JSON \(LabelledTextReader.excerpt(line))")
            }
            guard case .object(let object) = value else {
                throw fail("a JSON object", value.kindName)
            }
            guard let textValue = object[textKey] else {
                throw fail("a text string under the key '\(textKey)'", "keys \(keyList(object))")
            }
            guard case .string(let text) = textValue else {
                throw fail("a text string under the key '\(textKey)'", textValue.kindName)
            }
            guard let labelValue = object[labelKey] else {
                throw fail("a label under the key '\(labelKey)'", "keys \(keyList(object))")
            }
            func scalar(_ value: JSONValue) -> String? {
                switch value {
                case .string(let s): return s[...].trimmingASCIIWhitespace()
                case .int(let i): return String(i)
                case .bool(let b): return b ? "true" : "false"
                default: return nil
                }
            }
            if allowLists, case .array(let items) = labelValue {
                var labels: [String] = []
                var seen: Set<ExactKey> = []
                for (i, item) in items.enumerated() {
                    guard let label = scalar(item) else {
                        throw fail("labels (strings, integers or booleans) in the array under the key '\(labelKey)'",
                                   "\(item.kindName) at position \(i + 1)")
                    }
                    guard !label.isEmpty else {
                        throw fail("labels in the array under the key '\(labelKey)'", "an empty label at position \(i + 1)")
                    }
                    if seen.insert(ExactKey(label)).inserted { labels.append(label) }
                }
                try body(labels, true, text, number)
                return
            }
            guard let label = scalar(labelValue) else {
                throw fail("a label (string, integer or boolean) under the key '\(labelKey)'", labelValue.kindName)
            }
            guard !label.isEmpty else {
                throw fail("a label under the key '\(labelKey)'", "an empty label")
            }
            try body([label], false, text, number)
        }
    }

    private static func keyList(_ object: [String: JSONValue]) -> String {
        if object.isEmpty { return "none (an empty object)" }
        let keys = object.keys.sorted(by: PythonText.precedes)
        let shown = keys.prefix(20).map { "'\($0)'" }.joined(separator: ", ")
        return keys.count > 20 ? shown + ", … (\(keys.count) in all)" : shown
    }
}

/// A parsed JSON value with booleans, integers and other numbers kept apart.
enum JSONValue: Decodable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// For messages: "a number", "null", "an array", ...
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
