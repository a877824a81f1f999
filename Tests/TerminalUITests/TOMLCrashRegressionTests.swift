import Testing
@testable import TerminalUI

/// Inputs that aborted the process in the old TOML parser (toml++ assertions), found by
/// Fuzz/fuzz-keymap-toml and Fuzz/fuzz-theme-toml: each is now a syntax error naming the
/// file, line and column.
@Suite struct TOMLCrashRegressionTests {
    static let keyMapCrashes: [(input: String, line: Int)] = [
        // `[}`: parse_value() asserted `!is_value_terminator(*cp)`.
        ("# overrides\n[keys]\ntrain = \"ctrl-t\"\nhelp = [\"?\", \"F1\"]\nstep = [}\nquit = \"ctrl-q\"\nfocus_next = [\"?\",\n", 5),
        // `[` and a line end: parse_key() asserted `is_bare_key_character(*cp) || is_string_delimiter(*cp)`.
        ("# overrides\n[\ntrain = \"ctrl-t\"\nhelp = [\"?\", \"F1\"]\nstep = []\nquit = \"ctrl-q\"\nfocus_next = \"tab \"tab\"\n", 2),
    ]

    @Test(arguments: keyMapCrashes)
    func keyMapCrashInputsAreSyntaxErrors(_ input: String, _ line: Int) {
        let e = uiError { _ = try KeyMap.standard.applyingOverrides(input, path: "keys.toml") }
        guard case let .syntax(path, l, _, _)? = e else {
            Issue.record("expected a syntax error, got \(String(describing: e))")
            return
        }
        #expect(path == "keys.toml" && l == line, "\(String(describing: e))")
    }

    @Test func themeCrashInputIsASyntaxError() {
        // `[!colors8]`: parse_key() from parse_table_header() asserted as above.
        let input = "name = \"seed\"\n[colors]\nbackground = 255\ntext = 236\nselection = { fg = 16, bg = 153 }\nborder = \"#8a8a8a\"\n"
            + "title = \"bright-blue\"\n[!colors8]\nselecAion = { fg old\", \"underline\"]\n[mono]\nselection = \"reverse\"\n"
        let e = uiError { _ = try Theme.parse(input, path: "Themes/fuzz.toml") }
        guard case let .syntax(path, line, _, _)? = e else {
            Issue.record("expected a syntax error, got \(String(describing: e))")
            return
        }
        #expect(path == "Themes/fuzz.toml" && line == 8, "\(String(describing: e))")
        // The smallest forms of both.
        #expect(uiError { _ = try Theme.parse("x = [}", path: "t.toml") } != nil)
        #expect(uiError { _ = try Theme.parse("[\n", path: "t.toml") } != nil)
        #expect(uiError { _ = try Theme.parse("[]", path: "t.toml") } != nil)
        #expect(uiError { _ = try Theme.parse("x = {a = }", path: "t.toml") } != nil)
    }
}
