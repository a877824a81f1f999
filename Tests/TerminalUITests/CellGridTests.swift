import Testing
import TerminalUI

/// Checks the wide-character invariant: every width-2 cell is followed by a continuation and
/// every continuation follows a width-2 cell.
func expectWellFormed(_ g: CellGrid, sourceLocation: SourceLocation = #_sourceLocation) {
    for y in 0..<g.height {
        for x in 0..<g.width {
            guard let c = g[x, y] else { continue }
            if c.width == 2 {
                #expect(g[x + 1, y]?.isContinuation == true, "wide cell at (\(x), \(y)) without continuation", sourceLocation: sourceLocation)
            }
            if c.isContinuation {
                #expect(g[x - 1, y]?.width == 2, "orphan continuation at (\(x), \(y))", sourceLocation: sourceLocation)
            }
        }
    }
}

@Suite struct TextWidthTests {
    @Test func builtinTable() {
        #expect(TextWidth.builtin("a") == 1)
        #expect(TextWidth.builtin("中") == 2)
        #expect(TextWidth.builtin("，") == 2)  // fullwidth comma
        #expect(TextWidth.builtin("Ａ") == 2)  // fullwidth A
        #expect(TextWidth.builtin("한") == 2)
        #expect(TextWidth.builtin("😀") == 2)
        #expect(TextWidth.builtin("\u{301}") == 0)  // combining acute
        #expect(TextWidth.builtin("\u{200B}") == 0)  // zero-width space
        #expect(TextWidth.builtin("é") == 1)
        #expect(TextWidth.builtin("─") == 1)
        #expect(TextWidth.builtin("𠀀") == 2)  // CJK extension B
    }

    @Test func stringsAndSanitising() {
        #expect(TextWidth.of("ab中文c") == 7)
        #expect(TextWidth.of("e\u{301}") == 1)
        #expect(TextWidth.cell(for: "\u{1B}") == ("\u{FFFD}", 1))  // ESC never reaches the terminal
        #expect(TextWidth.cell(for: "\t") == (" ", 1))
        #expect(TextWidth.cell(for: "\r\n") == (" ", 1))
        #expect(TextWidth.cell(for: "\u{301}").width == 0)
        #expect(TextWidth.of(Unicode.Scalar(0x9B)!) == nil)  // C1 CSI
    }

    @Test func truncateAndPad() {
        #expect(TextWidth.truncated("hello", to: 10) == "hello")
        #expect(TextWidth.truncated("hello world", to: 6) == "hello…")
        #expect(TextWidth.truncated("中文字符", to: 5) == "中文…")
        #expect(TextWidth.truncated("中文字符", to: 4) == "中…")
        #expect(TextWidth.truncated("abc", to: 0) == "")
        #expect(TextWidth.padded("中", to: 4) == "中  ")
        #expect(TextWidth.of(TextWidth.padded("中文字符x", to: 6)) == 6)
    }
}

@Suite struct CellGridTests {
    @Test func putPlainTextAndClipping() {
        var g = CellGrid(width: 10, height: 2)
        #expect(g.put("hello", x: 2, y: 0) == 7)
        #expect(g.text(row: 0) == "  hello   ")
        g.put("abcdefghijkl", x: 6, y: 1)
        #expect(g.text(row: 1) == "      abcd")
        g.put("xyz", x: -2, y: 1)
        #expect(g.text(row: 1) == "z     abcd")
        g.put("nothing", x: 0, y: 5)  // off the grid
        g.put("12345", x: 0, y: 0, maxWidth: 3)
        #expect(g.text(row: 0) == "123ello   ")
        #expect(g.text() == "123ello   \nz     abcd")
        expectWellFormed(g)
    }

    @Test func wideCharactersTakeTwoCells() {
        var g = CellGrid(width: 8, height: 1)
        #expect(g.put("中文ab", x: 0, y: 0) == 6)
        #expect(g[0, 0]?.width == 2)
        #expect(g[1, 0]?.isContinuation == true)
        #expect(g[4, 0]?.grapheme == "a")
        #expect(g.text(row: 0) == "中文ab  ")
        expectWellFormed(g)
    }

    @Test func wideCharacterAtRightEdgeBecomesSpace() {
        var g = CellGrid(width: 5, height: 1)
        #expect(g.put("ab中文", x: 0, y: 0) == 5)
        // "中" fits in cells 2-3; "文" would need 4-5 but only 4 exists.
        #expect(g.text(row: 0) == "ab中 ")
        #expect(g[4, 0]?.grapheme == " ")
        expectWellFormed(g)
        // With maxWidth the limit is inside the grid.
        var h = CellGrid(width: 10, height: 1)
        h.fill(h.bounds, with: "#")
        h.put("中文字", x: 1, y: 0, maxWidth: 5)
        #expect(h.text(row: 0) == "#中文 ####")
        expectWellFormed(h)
    }

    @Test func wideCharacterCutAtLeftEdge() {
        var g = CellGrid(width: 6, height: 1)
        g.put("中文x", x: -1, y: 0)
        #expect(g.text(row: 0) == " 文x  ")
        expectWellFormed(g)
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var g = CellGrid(width: 6, height: 1)
        g.put("中文", x: 0, y: 0)
        g.put("x", x: 1, y: 0)  // right half of 中
        #expect(g.text(row: 0) == " x文  ")
        expectWellFormed(g)
        g.put("y", x: 2, y: 0)  // left half of 文
        #expect(g.text(row: 0) == " xy   ")
        expectWellFormed(g)
        g.put("中文", x: 0, y: 0)
        g.put("字", x: 1, y: 0)  // straddles both
        #expect(g.text(row: 0) == " 字   ")
        expectWellFormed(g)
    }

    @Test func boxBordersAreNeverBroken() {
        var g = CellGrid(width: 12, height: 4)
        let rect = Rect(x: 0, y: 0, width: 9, height: 4)
        g.box(rect, title: "数据集 Dataset")
        let inner = rect.inset(by: 1)
        // Inner width 7: "中文中文" needs 8, the last 中 does not fit.
        g.put("中文中文", x: inner.x, y: inner.y, maxWidth: inner.width)
        g.put("a中文中文", x: inner.x, y: inner.y + 1, maxWidth: inner.width)
        #expect(g.text() == """
            ┌─ 数…──┐   
            │中文中 │   
            │a中文中│   
            └───────┘   
            """)
        for y in 0..<4 {
            #expect(g[8, y]?.grapheme == (y == 0 ? "┐" : y == 3 ? "┘" : "│"))
        }
        expectWellFormed(g)
    }

    @Test func boxDrawnOverWideTextRepairsIt() {
        var g = CellGrid(width: 8, height: 3)
        g.put("中文中文", x: 0, y: 1)
        g.box(Rect(x: 3, y: 0, width: 5, height: 3), focused: true)
        // The box's edges at x=3 and x=7 cut both "文": their left halves become spaces.
        #expect(g.text(row: 1) == "中 ┃中 ┃")
        #expect(g[3, 0]?.grapheme == "┏")
        #expect(g[3, 0]?.style.role == .borderFocused)
        expectWellFormed(g)
    }

    @Test func boxTitleAndTinyBoxes() {
        var g = CellGrid(width: 20, height: 3)
        g.box(Rect(x: 0, y: 0, width: 20, height: 3), title: "Model", focused: false)
        #expect(g.text(row: 0) == "┌─ Model ──────────┐")
        #expect(g[3, 0]?.style.role == .title)
        var t = CellGrid(width: 3, height: 3)
        t.box(Rect(x: 0, y: 0, width: 1, height: 3))  // too narrow: nothing drawn
        #expect(t.text() == "   \n   \n   ")
        t.box(Rect(x: 1, y: 1, width: 5, height: 5))  // clipped at the grid's edge
        #expect(t.text() == "   \n ┌─\n │ ")
    }

    @Test func fillAndLines() {
        var g = CellGrid(width: 5, height: 3)
        g.fill(Rect(x: 1, y: 1, width: 10, height: 10), with: "中", style: Style(.accent))  // wide → space
        g.fill(Rect(x: 0, y: 0, width: 2, height: 1), with: "x")
        g.hline(x: 2, y: 0, length: 9)
        #expect(g.text() == "xx───\n     \n     ")
        #expect(g[4, 2]?.style.role == .accent)
        g.vline(x: 4, y: 0, length: 3)
        #expect(g.text() == "xx──│\n    │\n    │")
    }

    @Test func diffGivesOnlyChangedRuns() {
        var old = CellGrid(width: 10, height: 3)
        old.put("hello", x: 0, y: 0)
        old.put("world", x: 0, y: 1)
        var new = old
        #expect(new.diff(from: old).isEmpty)
        new.put("J", x: 0, y: 0)
        new.put("o", x: 4, y: 0)  // unchanged
        new.put("X", x: 9, y: 2)
        new.put("ld", x: 3, y: 1, style: Style(.accent))  // same text, new style
        let runs = new.diff(from: old)
        #expect(runs == [
            Run(row: 0, x: 0, cells: [Cell("J")]),
            Run(row: 1, x: 3, cells: [Cell("l", style: Style(.accent)), Cell("d", style: Style(.accent))]),
            Run(row: 2, x: 9, cells: [Cell("X")]),
        ])
        var applied = old
        applied.apply(runs)
        #expect(applied == new)
    }

    @Test func diffKeepsWideCharactersWhole() {
        var old = CellGrid(width: 8, height: 1)
        old.put("ab中de", x: 0, y: 0)
        var new = old
        new.put("文", x: 2, y: 0)
        var runs = new.diff(from: old)
        #expect(runs == [Run(row: 0, x: 2, cells: [Cell("文", width: 2), .continuation(.text)])])
        // Only the right half's style changes: the run still starts at the left half.
        new = old
        new.put("中", x: 2, y: 0, style: Style(.accent))
        runs = new.diff(from: old)
        #expect(runs.count == 1)
        #expect(runs.first?.x == 2)
        #expect(runs.first?.cells.count == 2)
        // A narrow character over the right half.
        new = old
        new.put("z", x: 3, y: 0)
        runs = new.diff(from: old)
        #expect(runs == [Run(row: 0, x: 2, cells: [Cell(" "), Cell("z")])])
        for r in runs { #expect(r.cells.first?.isContinuation == false) }
        var applied = old
        applied.apply(runs)
        #expect(applied == new)
    }

    @Test func diffRoundTripsRandomEdits() {
        var rng = SplitMix(seed: 7)
        let pieces = ["a", "bc", "中", "文字", "xyz", "─", "數據", " "]
        for _ in 0..<200 {
            var old = CellGrid(width: 13, height: 4)
            for _ in 0..<6 {
                old.put(pieces[rng.next(pieces.count)], x: rng.next(15) - 1, y: rng.next(4),
                        style: Style(ThemeRole.series(rng.next(3))))
            }
            var new = old
            for _ in 0..<rng.next(5) {
                new.put(pieces[rng.next(pieces.count)], x: rng.next(15) - 1, y: rng.next(4),
                        style: Style(ThemeRole.series(rng.next(3))))
            }
            expectWellFormed(new)
            let runs = new.diff(from: old)
            var applied = old
            applied.apply(runs)
            #expect(applied == new)
            for r in runs {
                #expect(r.cells.first?.isContinuation == false)
                #expect(r.cells.last?.width != 2)
                // Every run touches a changed cell.
                let changed = (0..<r.cells.count).contains { old[r.x + $0, r.row] != new[r.x + $0, r.row] }
                #expect(changed)
            }
            // Cells outside the runs are unchanged.
            var covered = Set<Int>()
            for r in runs { for i in 0..<r.cells.count { covered.insert(r.row * 13 + r.x + i) } }
            for y in 0..<4 { for x in 0..<13 where !covered.contains(y * 13 + x) { #expect(old[x, y] == new[x, y]) } }
        }
    }

    @Test func diffAcrossSizesRedrawsEverything() {
        var g = CellGrid(width: 3, height: 2)
        g.put("abc", x: 0, y: 0)
        let runs = g.diff(from: CellGrid(width: 5, height: 5))
        #expect(runs.count == 2)
        #expect(runs.allSatisfy { $0.x == 0 && $0.cells.count == 3 })
    }
}

/// A small deterministic generator for the randomised tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(max(1, bound)))
    }
}
