import Testing
import TerminalUI

@Suite struct LayoutTests {
    @Test func ratiosAddUpExactly() {
        #expect(Layout.lengths([.ratio(1), .ratio(1), .ratio(1)], total: 10) == [4, 3, 3])
        #expect(Layout.lengths([.ratio(1), .ratio(2)], total: 99) == [33, 66])
        #expect(Layout.lengths([.ratio(0.3), .ratio(0.7)], total: 7) == [2, 5])
        for total in 0..<50 {
            let l = Layout.lengths([.ratio(1), .ratio(3), .ratio(2)], total: total)
            #expect(l.reduce(0, +) == total)
        }
    }

    @Test func fixedSharesComeFirstAndClip() {
        #expect(Layout.lengths([.fixed(30), .ratio(1)], total: 100) == [30, 70])
        #expect(Layout.lengths([.ratio(1), .fixed(1)], total: 20) == [19, 1])
        #expect(Layout.lengths([.fixed(8), .fixed(8)], total: 10) == [8, 2])
        #expect(Layout.lengths([.fixed(3), .fixed(2)], total: 10) == [3, 2])
        #expect(Layout.lengths([.fixed(-3), .ratio(-1), .ratio(.nan), .ratio(1)], total: 5) == [0, 0, 0, 5])
        #expect(Layout.lengths([], total: 5) == [])
    }

    @Test func gaps() {
        #expect(Layout.lengths([.ratio(1), .ratio(1)], total: 11, gap: 1) == [5, 5])
        let cols = Rect(x: 2, y: 1, width: 11, height: 4).columns([.ratio(1), .ratio(1)], gap: 1)
        #expect(cols == [Rect(x: 2, y: 1, width: 5, height: 4), Rect(x: 8, y: 1, width: 5, height: 4)])
    }

    @Test func columnsAndRowsTileTheRect() {
        let screen = Rect(x: 0, y: 0, width: 100, height: 30)
        let rows = screen.rows([.ratio(1), .fixed(1)])
        #expect(rows == [Rect(x: 0, y: 0, width: 100, height: 29), Rect(x: 0, y: 29, width: 100, height: 1)])
        let cols = rows[0].columns([.ratio(1), .ratio(2)])
        #expect(cols == [Rect(x: 0, y: 0, width: 33, height: 29), Rect(x: 33, y: 0, width: 67, height: 29)])
        let right = cols[1].rows([.ratio(3), .ratio(2)])
        #expect(right.map(\.height) == [17, 12])
        #expect(right[1].y == 17)
        #expect(right[1].maxY == 29)
    }

    @Test func rectHelpers() {
        let r = Rect(x: 5, y: 5, width: 10, height: 4)
        #expect(r.inset(by: 1) == Rect(x: 6, y: 6, width: 8, height: 2))
        #expect(r.inset(by: 3).isEmpty)
        #expect(r.contains(Point(x: 14, y: 8)))
        #expect(!r.contains(Point(x: 15, y: 8)))
        #expect(r.intersection(Rect(x: 0, y: 0, width: 7, height: 6)) == Rect(x: 5, y: 5, width: 2, height: 1))
        #expect(r.intersection(Rect(x: 50, y: 0, width: 7, height: 6)).isEmpty)
        #expect(r.centered(Size(width: 4, height: 2)) == Rect(x: 8, y: 6, width: 4, height: 2))
        #expect(Rect(x: 0, y: 0, width: -3, height: 2).width == 0)
    }

    @Test func tooSmallRule() {
        #expect(Layout.isTooSmall(Size(width: 39, height: 30)))
        #expect(Layout.isTooSmall(Size(width: 80, height: 11)))
        #expect(!Layout.isTooSmall(Size(width: 40, height: 12)))
    }

    @Test func tooSmallNoticeIsCentred() {
        var g = CellGrid(width: 30, height: 7)
        g.put("old content", x: 0, y: 0)
        g.renderTooSmall()
        let blank = String(repeating: " ", count: 30)
        func row(_ lead: Int, _ text: String) -> String {
            String(repeating: " ", count: lead) + text + String(repeating: " ", count: 30 - lead - TextWidth.of(text))
        }
        #expect(g.text() == [
            blank, blank,
            row(6, "Terminal too small"),
            row(4, "need 40×12, have 30×7"),
            row(0, "enlarge the window or press q…"),
            blank, blank,
        ].joined(separator: "\n"))
        #expect(g[6, 2]?.style.role == .warning)
        // Tiny grids keep the first lines that fit and never crash.
        for (w, h) in [(0, 0), (1, 1), (5, 2), (18, 1)] {
            var t = CellGrid(width: w, height: h)
            t.renderTooSmall()
            #expect(t.width == w)
        }
        var one = CellGrid(width: 12, height: 1)
        one.renderTooSmall()
        #expect(one.text() == "Terminal to…")
    }
}
