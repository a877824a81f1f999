/// TOMLParser's literals: the four kinds of string with their escapes, and numbers
/// (integers in four bases with underscores, floats, inf and nan).
extension TOMLParser {
    // MARK: Strings

    mutating func basicString() throws -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard let b = peek else { throw fail("a string is not closed (missing '\"')") }
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            case 0x0A, 0x0D:
                throw fail("a string is not closed on its line (missing '\"'; use \"\"\" for several lines)")
            default:
                if (b < 0x20 && b != 0x09) || b == 0x7F { throw fail("a control character in a string (write it as an escape)") }
                out.append(b)
                i += 1
            }
        }
    }

    mutating func multiLineBasicString() throws -> String {
        i += 3
        _ = lineEnd()   // a line end right after the opening quotes is dropped
        var out: [UInt8] = []
        while true {
            guard let b = peek else { throw fail("a multi-line string is not closed (missing '\"\"\"')") }
            if b == UInt8(ascii: "\"") && peek(1) == b && peek(2) == b {
                // Up to two more quotes just before the closing ones belong to the string.
                var quotes = 3
                while quotes < 5 && peek(quotes) == b { quotes += 1 }
                out += Array(repeating: b, count: quotes - 3)
                i += quotes
                return String(decoding: out, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") {
                // A backslash at the end of a line drops the line end and the blanks after it.
                var k = i + 1
                while k < bytes.count, bytes[k] == 0x20 || bytes[k] == 0x09 { k += 1 }
                if k < bytes.count, bytes[k] == 0x0A || (bytes[k] == 0x0D && k + 1 < bytes.count && bytes[k + 1] == 0x0A) {
                    i = k
                    while true {
                        skipSpaces()
                        if !lineEnd() { break }
                    }
                    continue
                }
                try escape(into: &out)
                continue
            }
            if lineEnd() { out.append(0x0A); continue }
            if (b < 0x20 && b != 0x09) || b == 0x7F { throw fail("a control character in a string (write it as an escape)") }
            out.append(b)
            i += 1
        }
    }

    mutating func literalString() throws -> String {
        i += 1
        let start = i
        while true {
            guard let b = peek else { throw fail("a string is not closed (missing \"'\")") }
            if b == UInt8(ascii: "'") {
                let s = String(decoding: bytes[start..<i], as: UTF8.self)
                i += 1
                return s
            }
            if b == 0x0A || b == 0x0D { throw fail("a string is not closed on its line (missing \"'\"; use ''' for several lines)") }
            if (b < 0x20 && b != 0x09) || b == 0x7F { throw fail("a control character in a string") }
            i += 1
        }
    }

    mutating func multiLineLiteralString() throws -> String {
        i += 3
        _ = lineEnd()
        var out: [UInt8] = []
        while true {
            guard let b = peek else { throw fail("a multi-line string is not closed (missing \"'''\")") }
            if b == UInt8(ascii: "'") && peek(1) == b && peek(2) == b {
                var quotes = 3
                while quotes < 5 && peek(quotes) == b { quotes += 1 }
                out += Array(repeating: b, count: quotes - 3)
                i += quotes
                return String(decoding: out, as: UTF8.self)
            }
            if lineEnd() { out.append(0x0A); continue }
            if (b < 0x20 && b != 0x09) || b == 0x7F { throw fail("a control character in a string") }
            out.append(b)
            i += 1
        }
    }

    /// A backslash escape at `i`, appended as UTF-8.
    mutating func escape(into out: inout [UInt8]) throws {
        let start = i
        i += 1
        guard let e = peek else { throw fail("a string is not closed (missing '\"')") }
        i += 1
        switch e {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "e"): out.append(0x1B)
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let n = e == UInt8(ascii: "u") ? 4 : 8
            guard i + n <= bytes.count,
                  let code = UInt32(String(decoding: bytes[i..<i + n], as: UTF8.self), radix: 16),
                  bytes[i..<i + n].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }) else {
                throw fail("\\\(Character(Unicode.Scalar(e))) needs \(n) hexadecimal digits", at: start)
            }
            guard let scalar = Unicode.Scalar(code) else {
                throw fail("\\\(Character(Unicode.Scalar(e)))\(String(decoding: bytes[i..<i + n], as: UTF8.self)) is not a Unicode scalar value", at: start)
            }
            out += Array(String(Character(scalar)).utf8)
            i += n
        default:
            throw fail("unknown escape '\\\(Self.describe(e).trimmingQuotes)' in a string", at: start)
        }
    }

    // MARK: Numbers

    mutating func number() throws -> TOMLValue {
        let start = i
        while let c = peek, Self.isNumberByte(c) { i += 1 }
        let token = String(decoding: bytes[start..<i], as: UTF8.self)
        guard !token.isEmpty else { throw fail("expected a value, found \(Self.describe(peek))") }
        if let v = Self.parseNumber(token) { return v }
        // 1979-05-27, 07:32:00…
        if token.count >= 5, token.utf8.dropFirst(2).contains(UInt8(ascii: ":")) || (token.utf8.count > 4 && Array(token.utf8)[4] == UInt8(ascii: "-")) {
            throw fail("dates and times are not supported here", at: start)
        }
        throw fail("'\(token)' is not a number, a string, a boolean, an array or a table", at: start)
    }

    static func isNumberByte(_ c: UInt8) -> Bool {
        isBareKeyByte(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
    }

    static func parseNumber(_ token: String) -> TOMLValue? {
        var body = Substring(token)
        var sign = ""
        if let f = body.first, f == "+" || f == "-" { sign = f == "-" ? "-" : ""; body = body.dropFirst() }
        switch body {
        case "inf": return .float(sign == "-" ? -.infinity : .infinity)
        case "nan": return .float(.nan)
        default: break
        }
        // Underscores only between digits.
        func digits(_ s: Substring, _ isDigit: (Character) -> Bool) -> String? {
            guard let f = s.first, let l = s.last, isDigit(f), isDigit(l) else { return nil }
            var out = ""
            var previousUnderscore = false
            for ch in s {
                if ch == "_" {
                    if previousUnderscore { return nil }
                    previousUnderscore = true
                    continue
                }
                guard isDigit(ch) else { return nil }
                previousUnderscore = false
                out.append(ch)
            }
            return out
        }
        let isDecimal: (Character) -> Bool = { $0 >= "0" && $0 <= "9" }
        for (prefix, radix, isDigit) in [("0x", 16, { (c: Character) in c.isHexDigit }), ("0o", 8, { (c: Character) in c >= "0" && c <= "7" }),
                                          ("0b", 2, { (c: Character) in c == "0" || c == "1" })] where body.hasPrefix(prefix) {
            guard sign.isEmpty && !token.hasPrefix("+"), let d = digits(body.dropFirst(2), isDigit), let v = Int64(d, radix: radix) else { return nil }
            return .integer(v)
        }
        if let d = digits(body, isDecimal) {
            // No leading zeros.
            if d.count > 1 && d.hasPrefix("0") { return nil }
            return Int64(sign + d).map { .integer($0) }
        }
        // A float: integer part, then a fraction, an exponent or both.
        var mantissa = body
        var exponent: Substring?
        if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = body[..<e]
            exponent = body[body.index(after: e)...]
        }
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = digits(parts[0], isDecimal), whole.count == 1 || !whole.hasPrefix("0") else { return nil }
        var text = sign + whole
        if parts.count == 2 {
            guard let fraction = digits(parts[1], isDecimal) else { return nil }
            text += "." + fraction
        }
        if var exp = exponent {
            var expSign = ""
            if let f = exp.first, f == "+" || f == "-" { expSign = String(f); exp = exp.dropFirst() }
            guard let e = digits(exp, isDecimal) else { return nil }
            text += "e" + expSign + e
        } else if parts.count == 1 {
            return nil
        }
        return Double(text).map { .float($0) }
    }
}

private extension String {
    var trimmingQuotes: String { hasPrefix("'") && hasSuffix("'") && count >= 2 ? String(dropFirst().dropLast()) : self }
}
