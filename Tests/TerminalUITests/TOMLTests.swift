import Testing
@testable import TerminalUI

/// The TOML reader of theme and key files: what TOML 1.0 settings files use reads as the
/// spec says; anything else is a syntax error with its line and column, never a crash.
@Suite struct TOMLTests {
    func parse(_ s: String) throws -> TOMLTable { try TOMLTable.parse(s, path: "t.toml") }

    /// "line:column: reason" of the syntax error `s` gives, or nil.
    func syntaxError(_ s: String) -> String? {
        do {
            _ = try parse(s)
            return nil
        } catch let TerminalUIError.syntax(path, line, column, reason) {
            #expect(path == "t.toml")
            return "\(line):\(column): \(reason)"
        } catch {
            Issue.record("not a syntax error: \(error)")
            return nil
        }
    }

    @Test func valuesOfEveryKind() throws {
        let t = try parse(#"""
            # a comment
            basic = "tab\there \"quoted\" \u00e9 \U0001F600"   # trailing comment
            literal = 'C:\path\no escapes'
            multi = """
            first
              second \
                 joined"""
            multiLiteral = '''
            raw \n ''kept'' '''
            dec = +1_000
            neg = -17
            hex = 0xDEAD_beef
            oct = 0o755
            bin = 0b1010
            float = 6.626e-34
            exp = 1E6
            frac = -0.5
            inf = -inf
            nan = nan
            yes = true
            no = false
            list = [1, [2, 3], "four", { five = 5 }, ]
            multiline = [
              "a", # one
              "b"
            ]
            inline = { fg = 16, bg = "blue", nested.deep = true }
            "quoted key" = 1
            'literal key' = 2
            dotted.a.b = 3
            """#)
        #expect(t["basic"]?.string == "tab\there \"quoted\" é 😀")
        #expect(t["literal"]?.string == #"C:\path\no escapes"#)
        #expect(t["multi"]?.string == "first\n  second joined")
        #expect(t["multiLiteral"]?.string == "raw \\n ''kept'' ")
        #expect(t["dec"]?.int == 1000 && t["neg"]?.int == -17 && t["hex"]?.int == 0xDEADBEEF && t["oct"]?.int == 0o755 && t["bin"]?.int == 10)
        #expect(t["float"]?.double == 6.626e-34 && t["exp"]?.double == 1e6 && t["frac"]?.double == -0.5)
        #expect(t["inf"]?.double == -.infinity && t["nan"]?.double?.isNaN == true)
        #expect(t["yes"]?.bool == true && t["no"]?.bool == false)
        let list = try #require(t["list"]?.array)
        #expect(list.count == 4 && list[1].array?.count == 2 && list[2].string == "four" && list[3].table?["five"]?.int == 5)
        #expect(t["multiline"]?.array?.compactMap(\.string) == ["a", "b"])
        let inline = try #require(t["inline"]?.table)
        #expect(inline["fg"]?.int == 16 && inline["bg"]?.string == "blue" && inline["nested"]?.table?["deep"]?.bool == true)
        #expect(t["quoted key"]?.int == 1 && t["literal key"]?.int == 2)
        #expect(t["dotted"]?.table?["a"]?.table?["b"]?.int == 3)
    }

    @Test func tablesAndArraysOfTables() throws {
        let t = try parse("\u{FEFF}top = 1\r\n[a]\r\nx = 1\n[a.b]\ny = 2\n[[runs]]\nn = 1\n[[runs]]\nn = 2\n[runs.extra]\nz = 3\n[ c . \"d\" ]\nw = 4\n")
        #expect(t["top"]?.int == 1)
        #expect(t["a"]?.table?["x"]?.int == 1 && t["a"]?.table?["b"]?.table?["y"]?.int == 2)
        let runs = try #require(t["runs"]?.array)
        #expect(runs.count == 2 && runs[0].table?["n"]?.int == 1 && runs[1].table?["n"]?.int == 2)
        #expect(runs[1].table?["extra"]?.table?["z"]?.int == 3)
        #expect(t["c"]?.table?["d"]?.table?["w"]?.int == 4)
        #expect(try parse("").keys.isEmpty && parse("# only a comment").keys.isEmpty)
    }

    @Test func mistakesAreSyntaxErrorsWithLineAndColumn() {
        #expect(syntaxError("a = 1\nb = = 2") == "2:5: expected a value, found '='")
        #expect(syntaxError("a = 1\na = 2") == "2:1: key 'a' is defined twice")
        #expect(syntaxError("[t]\n[t]") == "2:1: table [t] is defined twice")
        #expect(syntaxError("a.b = 1\n[a]") == "2:1: table [a] is defined twice")
        #expect(syntaxError("a = 1\n[a]")?.hasSuffix("'a' is already a value, not a table") == true)
        #expect(syntaxError("a = {x = 1}\na.y = 2")?.hasSuffix("'a' is an inline table; it cannot be extended") == true)
        #expect(syntaxError("a = [1]\n[[a]]")?.hasSuffix("is already a value, not an array of tables") == true)
        #expect(syntaxError("s = \"open\nt = 1")?.hasPrefix("1:") == true)
        #expect(syntaxError("s = \"\\q\"") == "1:6: unknown escape '\\q' in a string")
        #expect(syntaxError("s = \"\\u12\"")?.contains("needs 4 hexadecimal digits") == true)
        #expect(syntaxError("s = \"\\uD800\"")?.contains("not a Unicode scalar value") == true)
        #expect(syntaxError("d = 1979-05-27") == "1:5: dates and times are not supported here")
        #expect(syntaxError("d = 07:32:00") == "1:5: dates and times are not supported here")
        #expect(syntaxError("n = 012") != nil)
        #expect(syntaxError("n = 1__0") != nil)
        #expect(syntaxError("n = 99999999999999999999") != nil)
        #expect(syntaxError("n = 1.") != nil)
        #expect(syntaxError("b = True") != nil)
        #expect(syntaxError("a = 1 b = 2") == "1:7: expected the end of the line, found 'b'")
        #expect(syntaxError("t = {a = 1,}") != nil)
        #expect(syntaxError("t = {a = 1\n}") != nil)
        #expect(syntaxError("t = {a = 1, a = 2}")?.contains("defined twice") == true)
        #expect(syntaxError("é = 1") == "1:1: expected a key, found byte 0xc3")
        #expect(syntaxError("x = \"ok\" # bell \u{7}") != nil)
        #expect(syntaxError("[[a]\n") != nil)
    }

    @Test func deepOrLongInputIsAnErrorNotACrash() {
        #expect(syntaxError("a = " + String(repeating: "[", count: 100_000))?.contains("nested more than 100 deep") == true)
        #expect(syntaxError("a = " + String(repeating: "{b = ", count: 100_000))?.contains("nested more than 100 deep") == true)
        #expect(syntaxError("[" + Array(repeating: "a", count: 100_000).joined(separator: ".") + "]")?.contains("more than 100 dotted parts") == true)
        #expect(syntaxError(Array(repeating: "a", count: 100_000).joined(separator: ".") + " = 1")?.contains("more than 100 dotted parts") == true)
        // Within the limits, deep structures read.
        #expect(throws: Never.self) { try parse("a = " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100)) }
    }
}
