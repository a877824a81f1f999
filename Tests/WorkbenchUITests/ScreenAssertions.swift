import Testing
import TerminalUI

/// Whole-screen comparisons, like ratatui's `assert_buffer_eq`: every row of a grid against
/// an expected screen written in the test as a multi-line string literal. Rows compare without
/// their trailing spaces (a literal cannot show them); the number of rows must match. On a
/// mismatch the message shows both screens with the differing rows marked, and the actual
/// screen once more as a literal to paste.
func expectScreen(_ grid: CellGrid, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let actual = (0..<grid.height).map { grid.text(row: $0).trimmingTrailingSpaces() }
    compareRows(actual, expected, what: "screen", sourceLocation: sourceLocation)
}

/// The colours of a screen as letters, one per cell (a wide character's two cells both carry
/// its letter), against an expected literal; see `styleLetter` for the letters.
func expectStyles(_ grid: CellGrid, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
    compareRows(styleRows(grid), expected, what: "styles", sourceLocation: sourceLocation)
}

/// Rows `range` of `grid` as a grid of their own (to compare part of a screen: the status line).
func rows(_ grid: CellGrid, _ range: Range<Int>) -> CellGrid {
    var out = CellGrid(width: grid.width, height: range.count)
    for (i, y) in range.enumerated() {
        var x = 0
        while x < grid.width {
            guard let cell = grid[x, y] else { break }
            if cell.isContinuation { x += 1; continue }
            x = out.put(cell.grapheme, x: x, y: i, style: cell.style, maxWidth: grid.width - x)
        }
    }
    return out
}

func styleRows(_ grid: CellGrid) -> [String] {
    (0..<grid.height).map { y in String(grid.styles(row: y).map { styleLetter($0.role) }) }
}

/// One letter per theme role: `.` text, `d` dim, `b`/`B` border/focused border, `t`/`T`
/// title/focused title, `a` accent, `s` selection, `=` status bar, `-` status text, `k` status
/// key, `i` input, `o` overlay, `x` axis, `r`/`v` train/validation series, `1`…`8` run
/// colours, `p`/`n` positive/negative, `w` warning, `e` error, `#`/`:` bar fill/empty,
/// `P`/`N` token pushing towards/away from the class, `_` background.
func styleLetter(_ role: ThemeRole) -> Character {
    switch role {
    case .background: return "_"
    case .text: return "."
    case .dim: return "d"
    case .border: return "b"
    case .borderFocused: return "B"
    case .title: return "t"
    case .titleFocused: return "T"
    case .accent: return "a"
    case .selection: return "s"
    case .statusBar: return "="
    case .statusText: return "-"
    case .statusKey: return "k"
    case .input: return "i"
    case .overlay: return "o"
    case .axis: return "x"
    case .trainSeries: return "r"
    case .validationSeries: return "v"
    case .series1: return "1"
    case .series2: return "2"
    case .series3: return "3"
    case .series4: return "4"
    case .series5: return "5"
    case .series6: return "6"
    case .series7: return "7"
    case .series8: return "8"
    case .positive: return "p"
    case .negative: return "n"
    case .warning: return "w"
    case .error: return "e"
    case .barFill: return "#"
    case .barEmpty: return ":"
    case .tokenPositive: return "P"
    case .tokenNegative: return "N"
    }
}

private func compareRows(_ actual: [String], _ expected: String, what: String, sourceLocation: SourceLocation) {
    let want = expected.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmingTrailingSpaces() }
    guard actual != want else { return }
    let width = max(actual.map { TextWidth.of($0) }.max() ?? 0, want.map { TextWidth.of($0) }.max() ?? 0)
    var lines = ["\(what) differs (\(want.count) rows expected, \(actual.count) drawn; > marks a differing row):",
                 "     " + TextWidth.padded("expected", to: width) + " │ actual"]
    for i in 0..<max(actual.count, want.count) {
        let a = i < actual.count ? actual[i] : "∅", w = i < want.count ? want[i] : "∅"
        let mark = a == w ? " " : ">"
        lines.append("\(mark)" + String(repeating: " ", count: max(0, 3 - String(i).count)) + "\(i) "
                     + TextWidth.padded(w, to: width) + " │ " + a)
    }
    lines.append("actual, to paste:")
    lines.append("\"\"\"")
    lines += actual
    lines.append("\"\"\"")
    Issue.record(Comment(rawValue: lines.joined(separator: "\n")), sourceLocation: sourceLocation)
}
