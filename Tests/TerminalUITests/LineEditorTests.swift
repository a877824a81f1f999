import Testing
import TerminalUI

@Suite struct LineEditorTests {
    /// An editor after typing `keys` (characters typed one by one, or named keys).
    func typed(_ keys: [Key], into e: LineEditor = LineEditor()) -> LineEditor {
        var e = e
        for k in keys {
            let handled = e.handle(k)
            #expect(handled, "\(k) not handled")
        }
        return e
    }

    func chars(_ s: String) -> [Key] { s.map { Key.character($0) } }

    @Test func insertMoveAndDelete() {
        var e = typed(chars("helo"))
        #expect(e.text == "helo" && e.cursor == 4)
        e = typed([.left, .character("l")], into: e)
        #expect(e.text == "hello" && e.cursor == 4)
        e = typed([.home, .delete, .character("H"), .end, .backspace, .character("O")], into: e)
        #expect(e.text == "HellO")
        e = typed([.home, .backspace, .left, .end, .delete, .right], into: e)  // no-ops at the ends
        #expect(e.text == "HellO" && e.cursor == 5)
        e = typed([.control("a"), .right, .control("e"), .control("b")], into: e)
        #expect(e.cursor == 4)
        for k in [Key.enter, .escape, .tab, .function(1), .resize] {
            let handled = e.handle(k)
            #expect(!handled, "\(k)")
        }
    }

    @Test func readlineKills() {
        var e = LineEditor(text: "one two  three")
        e = typed([.control("w")], into: e)
        #expect(e.text == "one two  ")
        e = typed([.control("w")], into: e)
        #expect(e.text == "one ")
        e.setText("abc def")
        e = typed([.left, .left, .left, .control("k")], into: e)
        #expect(e.text == "abc ")
        e = typed([.left, .control("u")], into: e)
        #expect(e.text == " " && e.cursor == 0)
        e = typed([.control("w"), .control("u")], into: e)  // nothing before the cursor
        #expect(e.text == " ")
        e.setText("这部电影 很好")
        e = typed([.control("w")], into: e)
        #expect(e.text == "这部电影 ")
    }

    @Test func historyKeepsTheDraft() {
        var e = LineEditor()
        for line in ["first", "second", "", "second", "third"] {
            e.insert(line)
            _ = e.submit()
        }
        #expect(e.history == ["first", "second", "third"])  // no empties, no repeats
        e.insert("dra")
        e = typed([.up], into: e)
        #expect(e.text == "third" && e.cursor == 5 && e.historyIndex == 2)
        e = typed([.up, .up, .up], into: e)  // stops at the oldest
        #expect(e.text == "first")
        e = typed([.down], into: e)
        #expect(e.text == "second")
        e = typed([.character("!")], into: e)  // editing a recalled line
        #expect(e.text == "second!")
        e = typed([.down, .down], into: e)
        #expect(e.text == "dra" && e.historyIndex == nil)
        e = typed([.down], into: e)  // nothing newer than the draft
        #expect(e.text == "dra")
        #expect(e.history == ["first", "second", "third"])  // history entries are not edited
        #expect(e.submit() == "dra")
        #expect(e.text.isEmpty && e.history.last == "dra")
        var limited = LineEditor(historyLimit: 2)
        for s in ["a", "b", "c"] {
            limited.insert(s)
            _ = limited.submit()
        }
        #expect(limited.history == ["b", "c"])
        var empty = LineEditor()
        empty.historyPrevious()
        empty.historyNext()
        #expect(empty.text.isEmpty)
    }

    @Test func wideCharactersAndCursorColumn() {
        var e = typed(chars("ab中文c"))
        #expect(e.cursorColumn == 7)
        e = typed([.left, .left], into: e)
        #expect(e.cursor == 3 && e.cursorColumn == 4)
        e = typed([.backspace], into: e)
        #expect(e.text == "ab文c" && e.cursorColumn == 2)
        let v = e.view(width: 20)
        #expect(v == LineView(text: "ab文c", cursorColumn: 2, clippedLeft: false, clippedRight: false))
    }

    @Test func horizontalScrolling() {
        var e = LineEditor(text: "0123456789abcdef")
        // Cursor at the end (column 16): it sits in the last column of a 10-cell field.
        var v = e.view(width: 10)
        #expect(v == LineView(text: "789abcdef", cursorColumn: 9, clippedLeft: true, clippedRight: false))
        e.moveHome()
        v = e.view(width: 10)
        #expect(v == LineView(text: "0123456789", cursorColumn: 0, clippedLeft: false, clippedRight: true))
        // Wide characters: one cut by the left edge shows as a space; one that would cross the
        // right edge is left out.
        e.setText("中文字符测试")  // 12 cells
        v = e.view(width: 5)
        #expect(v == LineView(text: "测试", cursorColumn: 4, clippedLeft: true, clippedRight: false))
        e.moveHome()
        e.moveRight()
        e.moveRight()
        e.moveRight()  // column 6
        v = e.view(width: 5)
        #expect(v == LineView(text: "文字", cursorColumn: 4, clippedLeft: true, clippedRight: true))
        e.moveHome()
        v = e.view(width: 5)
        #expect(v == LineView(text: "中文", cursorColumn: 0, clippedLeft: false, clippedRight: true))
        e.setText("a中文")  // cursor at column 5; a 4-cell field starts at column 2, inside 中
        v = e.view(width: 4)
        #expect(v == LineView(text: " 文", cursorColumn: 3, clippedLeft: true, clippedRight: false))
        for w in 0...14 {
            for c in 0...6 {
                var f = LineEditor(text: "中a文字b符")
                f.moveHome()
                for _ in 0..<c { f.moveRight() }
                let view = f.view(width: w)
                #expect(TextWidth.of(view.text) <= max(0, w))
                if w > 0 { #expect(view.cursorColumn >= 0 && view.cursorColumn < w) }
            }
        }
    }
}
