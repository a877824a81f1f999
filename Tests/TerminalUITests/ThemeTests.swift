import Foundation
import Testing
import TerminalUI
import TestSupport

/// The package root, where `Themes/` lives.
let packageRoot: String = TestPaths.packageRoot.path

/// A scratch directory; tests remove it with `defer { dir.remove() }`.
struct TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("terminalui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func write(_ name: String, _ text: String) throws -> String {
        let p = url.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The error `body` throws, or a recorded issue if it throws none or another kind.
func uiError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> TerminalUIError? {
    do {
        try body()
        Issue.record("expected a TerminalUIError, none thrown", sourceLocation: sourceLocation)
    } catch let e as TerminalUIError {
        return e
    } catch {
        Issue.record("expected a TerminalUIError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite struct ThemeTests {
    @Test func defaultThemeCoversEveryRole() {
        for role in ThemeRole.allCases {
            #expect(Theme.default.colors[role] != nil, "no 256-colour entry for \(role)")
            #expect(Theme.default.colors8[role] != nil, "no 8-colour entry for \(role)")
        }
        #expect(ThemeRole.series(0) == .series1)
        #expect(ThemeRole.series(9) == .series2)
        #expect(ThemeRole.series(-1) == .series8)
    }

    @Test func shippedThemesLoad() throws {
        let files = Theme.files(in: packageRoot + "/Themes")
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["dark.toml", "high-contrast.toml", "light.toml"])
        for f in files {
            let t = try Theme.load(path: f)
            #expect(!t.name.isEmpty)
            for role in ThemeRole.allCases {
                #expect(t.colors[role] != nil && t.colors8[role] != nil, "\(f): \(role)")
            }
        }
        // dark.toml spells out the built-in theme exactly.
        #expect(try Theme.load(path: packageRoot + "/Themes/dark.toml") == Theme.default)
        let light = try Theme.load(path: packageRoot + "/Themes/light.toml")
        #expect(light.name == "light")
        #expect(light.resolve(Style(.text), mode: .palette256)
                == ResolvedStyle(foreground: .index(236), background: .index(255), attributes: []))
    }

    @Test func partialOverrideKeepsTheRest() throws {
        let t = try Theme.parse("""
            [colors]
            border = 244
            selection = { bg = "#005f87" }
            accent = "bright-red"
            [colors8]
            border = "white"
            accent = 3
            [attributes]
            title = ["bold", "underline"]
            status_key = []
            """, path: "mine.toml")
        #expect(t.name == "mine")
        #expect(t.colors[.border] == RoleColors(.index(244)))
        // Only bg was given: fg stays the default's.
        #expect(t.colors[.selection] == RoleColors(.index(231), on: .index(24)))
        #expect(t.colors[.accent] == RoleColors(.index(9)))
        #expect(t.colors8[.accent] == RoleColors(.yellow))
        #expect(t.attributes[.title] == [.bold, .underline])
        #expect(t.attributes[.statusKey] == [])
        #expect(t.colors[.text] == Theme.default.colors[.text])
        #expect(t.colors8[.selection] == Theme.default.colors8[.selection])
        #expect(t.monoAttributes == Theme.default.monoAttributes)
        var expected = Theme.default
        expected.name = "mine"
        expected.colors[.border] = RoleColors(.index(244))
        expected.colors[.accent] = RoleColors(.index(9))
        expected.colors8[.border] = RoleColors(.white)
        expected.colors8[.accent] = RoleColors(.yellow)
        expected.attributes[.title] = [.bold, .underline]
        expected.attributes[.statusKey] = []
        #expect(t == expected)
        #expect(try Theme.parse("name = \"x\"", path: "y.toml").name == "x")
        #expect(try Theme.parse("", path: "Themes/empty.toml") == { var d = Theme.default; d.name = "empty"; return d }())
    }

    @Test func resolutionInheritsTextAndBackground() {
        let d = Theme.default
        // border has only a foreground: the background is the screen's.
        #expect(d.resolve(Style(.border), mode: .palette256)
                == ResolvedStyle(foreground: .index(240), background: .index(234), attributes: []))
        #expect(d.resolve(Style(.background), mode: .palette256).foreground == .index(252))
        #expect(d.resolve(Style(.statusKey, .underline), mode: .palette256)
                == ResolvedStyle(foreground: .index(81), background: .index(236), attributes: [.bold, .underline]))
        var bare = Theme(name: "bare", colors: [:], colors8: [:])
        #expect(bare.resolve(Style(.accent), mode: .palette256)
                == ResolvedStyle(foreground: .terminalDefault, background: .terminalDefault, attributes: []))
        bare.colors[.text] = RoleColors(.index(1))
        #expect(bare.resolve(Style(.accent), mode: .palette256).foreground == .index(1))
    }

    @Test func eightColourFallback() {
        let d = Theme.default
        #expect(d.resolve(Style(.selection), mode: .eight)
                == ResolvedStyle(foreground: .black, background: .cyan, attributes: []))
        #expect(d.resolve(Style(.border), mode: .eight)
                == ResolvedStyle(foreground: .white, background: .black, attributes: []))
        // Every role's 8-colour entry stays within the basic eight.
        for role in ThemeRole.allCases {
            let r = d.resolve(Style(role), mode: .eight)
            for c in [r.foreground, r.background] {
                if case let .index(i) = c { #expect(i < 8, "\(role)") }
            }
        }
    }

    @Test func noColorMeansMonochrome() {
        #expect(ColorMode.detect(colorCount: 256, environment: ["NO_COLOR": "1"]) == .monochrome)
        #expect(ColorMode.detect(colorCount: 256, environment: ["NO_COLOR": ""]) == .palette256)
        #expect(ColorMode.detect(colorCount: 256, environment: [:]) == .palette256)
        #expect(ColorMode.detect(colorCount: 8, environment: [:]) == .eight)
        #expect(ColorMode.detect(colorCount: 16, environment: [:]) == .eight)
        #expect(ColorMode.detect(colorCount: 0, environment: [:]) == .monochrome)
        let d = Theme.default
        // Attributes only: selection and focus stay visible.
        #expect(d.resolve(Style(.selection), mode: .monochrome)
                == ResolvedStyle(foreground: .terminalDefault, background: .terminalDefault, attributes: [.reverse]))
        #expect(d.resolve(Style(.borderFocused), mode: .monochrome).attributes == [.bold])
        #expect(d.resolve(Style(.text, .underline), mode: .monochrome).attributes == [.underline])
        for role in ThemeRole.allCases {
            let r = d.resolve(Style(role), mode: .monochrome)
            #expect(r.foreground == .terminalDefault && r.background == .terminalDefault)
        }
    }

    @Test func colourValues() {
        #expect(TerminalColor(value256: "default") == .terminalDefault)
        #expect(TerminalColor(value256: "Cyan") == .cyan)
        #expect(TerminalColor(value256: "bright-white") == .index(15))
        #expect(TerminalColor(value256: "#000000") == .index(16))
        #expect(TerminalColor(value256: "#ffffff") == .index(231))
        #expect(TerminalColor(value256: "#ff0000") == .index(196))
        #expect(TerminalColor(value256: "#808080") == .index(244))
        #expect(TerminalColor(value256: "#12345") == nil)
        #expect(TerminalColor(value256: "purple") == nil)
        #expect(TerminalColor(value8: "bright-red") == nil)
        #expect(TerminalColor(value8: "red") == .red)
        #expect(TerminalColor.index(9).description == "bright-red")
    }

    @Test func unknownRoleNamesFileAndKey() {
        let e = uiError { _ = try Theme.parse("[colors]\nboder = 244\n", path: "Themes/bad.toml") }
        guard case let .unknownKey(path, key, known)? = e else {
            Issue.record("wrong error \(String(describing: e))")
            return
        }
        #expect(path == "Themes/bad.toml")
        #expect(key == "colors.boder")
        #expect(known.contains("border"))
        #expect(e?.description.hasPrefix("Themes/bad.toml: colors.boder: unknown key (expected one of: background, text,") == true)
        #expect(uiError { _ = try Theme.parse("[colours]\ntext = 1", path: "t.toml") }
                == .unknownKey(path: "t.toml", key: "colours", known: Theme.fileSections))
        #expect(uiError { _ = try Theme.parse("[colors]\nselection = { fg = 1, bold = true }", path: "t.toml") }
                == .unknownKey(path: "t.toml", key: "colors.selection.bold", known: ["fg", "bg"]))
        #expect(uiError { _ = try Theme.parse("[colors]\nbackground = { fg = 1 }", path: "t.toml") }
                == .unknownKey(path: "t.toml", key: "colors.background.fg", known: ["bg"]))
        #expect(uiError { _ = try Theme.parse("[mono]\nsparkle = \"bold\"", path: "t.toml") }
                == .unknownKey(path: "t.toml", key: "mono.sparkle", known: ThemeRole.allCases.map(\.rawValue)))
    }

    @Test func badColourNamesFileAndKey() {
        /// "key | found" of the invalid-value error `toml` gives.
        func invalid(_ toml: String) -> String? {
            guard case let .invalidValue(path, key, _, found)? = uiError({ _ = try Theme.parse(toml, path: "x.toml") }) else {
                return nil
            }
            #expect(path == "x.toml")
            return key + " | " + found
        }
        #expect(invalid("[colors]\nborder = 256") == "colors.border | " + "256")
        #expect(invalid("[colors]\nborder = -1") == "colors.border | " + "-1")
        #expect(invalid("[colors]\nborder = \"purple\"") == "colors.border | " + "\"purple\"")
        #expect(invalid("[colors]\nborder = 2.5") == "colors.border | " + "a float (2.5)")
        #expect(invalid("[colors]\nselection = { bg = true }") == "colors.selection.bg | " + "a boolean (true)")
        #expect(invalid("[colors8]\nborder = 9") == "colors8.border | " + "9")
        #expect(invalid("[colors8]\nborder = \"#ffffff\"") == "colors8.border | " + "\"#ffffff\"")
        #expect(invalid("[attributes]\ntitle = \"blink\"") == "attributes.title | " + "\"blink\"")
        #expect(invalid("[attributes]\ntitle = [\"bold\", 3]") == "attributes.title | " + "3")
        #expect(invalid("colors = 3") == "colors | " + "3")
        #expect(invalid("name = 3") == "name | " + "3")
        let e = uiError { _ = try Theme.parse("[colors]\nborder = 300", path: "x.toml") }
        #expect(e?.description == "x.toml: colors.border: expected a colour 0-255, \"default\", one of black, red, green, yellow, blue, magenta, cyan, white, \"bright-<name>\" or \"#rrggbb\", found 300")
    }

    @Test func syntaxAndFileErrors() throws {
        guard case let .syntax(path, line, _, _)? = uiError({ _ = try Theme.parse("[colors]\nborder = = 3\n", path: "s.toml") }) else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(path == "s.toml")
        #expect(line == 2)
        guard case let .file(p, _)? = uiError({ _ = try Theme.load(path: "/nonexistent/theme.toml") }) else {
            Issue.record("expected a file error")
            return
        }
        #expect(p == "/nonexistent/theme.toml")
        // The caller falls back to the default theme and keeps the error to show.
        let dir = try TempDir()
        defer { dir.remove() }
        let bad = try dir.write("bad.toml", "[colors]\nborder = \"nope\"\n")
        let (theme, error) = Theme.loadOrDefault(path: bad)
        #expect(theme == .default)
        #expect(error?.description.contains("bad.toml: colors.border") == true)
        let good = try dir.write("good.toml", "[colors]\nborder = 1\n")
        let ok = Theme.loadOrDefault(path: good)
        #expect(ok.error == nil)
        #expect(ok.theme.colors[.border] == RoleColors(.index(1)))
        #expect(ok.theme.name == "good")
        let binary = try dir.write("nul.toml", "a = 1\u{0}")
        #expect(uiError { _ = try Theme.load(path: binary) } != nil)
    }
}
