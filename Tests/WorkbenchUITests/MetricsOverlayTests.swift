import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// The metrics overlay (`M`, `:metrics`): drawn whole from a fixed snapshot, and how keys and
/// the service's answer change it.
@Suite struct MetricsOverlayTests {
    static let three = MetricsSnapshot(
        title: "run 2 LSTM(32) · 40 validation examples",
        classes: [ClassMetrics(name: "pos", precision: 0.8, recall: 0.9, f1: 0.847, support: 20),
                  ClassMetrics(name: "neg", precision: 0.75, recall: 0.75, f1: 0.75, support: 12),
                  ClassMetrics(name: "mixed-feelings", precision: 0.5, recall: 0.375, f1: 0.429, support: 8)],
        confusion: [[18, 1, 1], [2, 9, 1], [3, 2, 3]], accuracy: 0.75,
        macro: AveragedMetrics(precision: 0.683, recall: 0.675, f1: 0.675),
        weighted: AveragedMetrics(precision: 0.73, recall: 0.75, f1: 0.735))

    /// Ten classes with long names, as en-fortunes has.
    static let ten: MetricsSnapshot = {
        let names = ["computers", "education", "food", "humorists", "linux", "literature", "love", "medicine", "politics", "science-fiction"]
        let classes = names.map { ClassMetrics(name: $0, precision: 0.5, recall: 0.5, f1: 0.5, support: 10) }
        let confusion = (0..<10).map { t in (0..<10).map { p in p == t ? 5 : (p == (t + 1) % 10 ? 5 : 0) } }
        let avg = AveragedMetrics(precision: 0.5, recall: 0.5, f1: 0.5)
        return MetricsSnapshot(title: "run 1 fasttext · 100 validation examples", classes: classes, confusion: confusion,
                               accuracy: 0.5, macro: avg, weighted: avg)
    }()

    static func shown(_ snapshot: MetricsSnapshot, size: Size = Size(width: 72, height: 22)) -> WorkbenchState {
        var s = GoldenScreenTests.state(size)
        let effects = s.update(.key(.character("M")))
        #expect(calls(effects) == [.metrics])
        _ = s.update(.reply(.metrics(.ready(snapshot))))
        return s
    }

    @Test func overlayWithCountsThenRowShares() {
        var s = Self.shown(Self.three)
        expectScreen(rows(s.render().grid, 1..<20), """
            ┃┏━ Metrics — counts (n) · ↑↓←→ scroll · Esc closes ━━━━━━━━━━━━━━━━━━┓│
            ┃┃ run 2 LSTM(32) · 40 validation examples                            ┃│
            ┃┃ accuracy 0.750 · macro F1 0.675 · weighted F1 0.735 · 40 examples  ┃│
            ┃┃                                                                    ┃│
            ┃┃ class         precision   recall       F1  support                 ┃│
            ┃┃ pos               0.800    0.900    0.847       20                 ┃│
            ┃┃ neg               0.750    0.750    0.750       12                 ┃│
            ┃┃ mixed-feelings    0.500    0.375    0.429        8                 ┃│
            ┗┃ macro avg         0.683    0.675    0.675       40                 ┃│
            ┌┃ weighted avg      0.730    0.750    0.735       40                 ┃│
            │┃                                                                    ┃┘
            │┃ confusion matrix: rows true, columns predicted                     ┃┐
            │┃                     pos     neg mixed-…                            ┃│
            │┃ pos                  18       1       1                            ┃│
            │┃ neg                   2       9       1                            ┃│
            │┃ mixed-feelings        3       2       3                            ┃│
            │┃                                                                    ┃│
            │┃                                                                    ┃│
            └┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛┘
            """)
        // Only the numbers are coloured: the diagonal positive, the confusions negative.
        let grid = s.render().grid
        let cells = Array(grid.text(row: 14)), styles = Array(styleRows(grid)[14])
        let digits = cells.indices.filter { cells[$0].isNumber }
        #expect(digits.map { styles[$0] } == ["p", "p", "n", "n"], "\(styles)")
        #expect(cells.indices.filter { cells[$0] == " " }.allSatisfy { styles[$0] == "o" })

        press(&s, .character("n"))
        let shares = (0..<22).map { s.render().grid.text(row: $0) }
        #expect(shares.contains { $0.contains("Metrics — row %") })
        func words(_ prefix: String) -> [String] {
            guard let row = shares.first(where: { $0.contains("┃ " + prefix + "  ") && $0.contains("%") }) else { return [] }
            return row.split(separator: " ").map(String.init).filter { $0.hasSuffix("%") }
        }
        #expect(words("pos") == ["90%", "5%", "5%"], "\(shares)")
        #expect(words("mixed-feelings") == ["38%", "25%", "38%"], "\(shares)")
        #expect(s.hints.map(\.label) == ["counts/row %", "scroll", "close"])

        press(&s, .escape)
        #expect(s.overlay == nil)
    }

    @Test func manyClassesScrollSideways() {
        var s = Self.shown(Self.ten, size: Size(width: 60, height: 24))
        var text = (0..<24).map { s.render().grid.text(row: $0) }.joined(separator: "\n")
        #expect(text.contains("columns 1–5 of 10 (←→)"), "\(text)")
        #expect(text.contains("comput… educat…    food"), "\(text)")
        // Down to the end: the matrix's last rows come into view.
        press(&s, .character("G"))
        text = (0..<24).map { s.render().grid.text(row: $0) }.joined(separator: "\n")
        #expect(text.contains("science-ficti…        5"), "\(text)")
        // Right, as far as it goes: the last columns, no further.
        press(&s, [Key](repeating: .right, count: 20))
        guard case let .metrics(view)? = s.overlay else {
            Issue.record("the overlay closed")
            return
        }
        #expect(view.columnScroll == 5)
        text = (0..<24).map { s.render().grid.text(row: $0) }.joined(separator: "\n")
        #expect(text.contains("columns 6–10 of 10 (←→)") && text.contains("scienc…"), "\(text)")
        #expect(rowsAreWhole(s.render().grid))
    }

    @Test func commandOpensAndRefusalIsShown() {
        var s = GoldenScreenTests.state()
        let effects = s.update(.key(.character(":"))) + press(&s, typed("metrics")) + s.update(.key(.enter))
        #expect(calls(effects) == [.metrics])
        let loading = (0..<22).map { s.render().grid.text(row: $0) }.joined(separator: "\n")
        #expect(loading.contains("computing on the validation data…"))
        _ = s.update(.reply(.metrics(.refused("untrained: no metrics until a run has weights (t trains)"))))
        let refused = (0..<22).map { s.render().grid.text(row: $0) }.joined(separator: "\n")
        #expect(refused.contains("untrained: no metrics until a run has weights"), "\(refused)")
        // An answer that comes after the overlay closed is dropped.
        press(&s, .escape)
        _ = s.update(.reply(.metrics(.ready(Self.three))))
        #expect(s.overlay == nil)
    }

    @Test func leaderboardShowsMacroF1() {
        let entry = LeaderboardEntry(id: "2", model: "svm", validationAccuracy: 0.845, trainAccuracy: 0.995,
                                     trainingSeconds: 4.4, validationMacroF1: 0.812)
        #expect(entry.pickerItem.detail == "val 0.845 · macro-F1 0.812 · train 0.995 · 4.4 s")
    }
}
