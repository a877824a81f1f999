import CNcursesw

/// Display widths in terminal cells: 2 for East Asian wide and fullwidth characters and emoji,
/// 0 for combining marks and format characters, 1 otherwise.
///
/// The C library's `wcwidth` is asked first, so the grid agrees with ncurses, which places
/// characters by the same function. It only knows non-ASCII characters under a UTF-8 locale
/// (the backend sets one up); when it answers -1 (the C locale of `swift test`, or an
/// unassigned code point) a built-in table gives the answer, so tests do not depend on the
/// locale.
public enum TextWidth {
    /// The width of one scalar, or nil for control characters (never sent to the terminal).
    public static func of(_ scalar: Unicode.Scalar) -> Int? {
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return nil }
        if v < 0x7F { return 1 }
        let w = Int(wcwidth(wchar_t(bitPattern: v)))
        if w >= 0 { return min(w, 2) }
        return builtin(scalar)
    }

    /// The width the pure-Swift table gives (used when `wcwidth` cannot answer).
    public static func builtin(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x7F { return v < 0x20 ? 0 : 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return 0
        case .format where v != 0x00AD: return 0
        default: break
        }
        if v >= 0x1160 && v <= 0x11FF { return 0 }  // Hangul medial vowels and final consonants
        if scalar.properties.isEmojiPresentation { return 2 }
        return isWide(v) ? 2 : 1
    }

    /// One grapheme as it goes into a cell: its text and width. Tabs and line breaks become a
    /// space; other control characters become U+FFFD; a cluster that starts with a zero-width
    /// scalar (a lone combining mark, a zero-width space) has width 0 and is skipped by callers.
    public static func cell(for character: Character) -> (text: String, width: Int) {
        guard let first = character.unicodeScalars.first else { return ("", 0) }
        guard let w = of(first) else {
            switch first {
            case "\t", "\n", "\r": return (" ", 1)
            default: return ("\u{FFFD}", 1)
            }
        }
        if w == 0 { return ("", 0) }
        // Drop control scalars hidden inside a cluster (they would reach the terminal).
        if character.unicodeScalars.count > 1,
           character.unicodeScalars.dropFirst().contains(where: { of($0) == nil }) {
            return (String(first), w)
        }
        return (String(character), w)
    }

    /// The width of one character as drawn in a cell.
    public static func of(_ character: Character) -> Int { cell(for: character).width }

    /// The width of a string as drawn cell by cell.
    public static func of(_ text: String) -> Int {
        var total = 0
        for c in text { total += of(c) }
        return total
    }

    /// `text` cut to at most `width` cells; when cut, the last cell is `ellipsis` (if it fits).
    /// A wide character that would straddle the limit is dropped.
    public static func truncated(_ text: String, to width: Int, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        if of(text) <= width { return text }
        let ellipsisWidth = of(ellipsis)
        let budget = ellipsisWidth <= width ? width - ellipsisWidth : width
        var out = ""
        var used = 0
        for c in text {
            let w = of(c)
            if used + w > budget { break }
            out.append(c)
            used += w
        }
        return ellipsisWidth <= width ? out + ellipsis : out
    }

    /// `text` truncated to `width` cells and padded with spaces to exactly `width` cells.
    public static func padded(_ text: String, to width: Int) -> String {
        let t = truncated(text, to: width)
        return t + String(repeating: " ", count: max(0, width - of(t)))
    }

    // East Asian Wide (W) and Fullwidth (F) ranges (Unicode 15) other than emoji, which
    // `isEmojiPresentation` catches above.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
        0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF,
        0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4,
        0x16FF0...0x16FF1, 0x17000...0x18CD5, 0x18D00...0x18D08, 0x1AFF0...0x1B2FB,
        0x1F200...0x1F202, 0x1F210...0x1F23B, 0x1F240...0x1F248, 0x1F250...0x1F251,
        0x1F260...0x1F265, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    private static func isWide(_ v: UInt32) -> Bool {
        var lo = 0
        var hi = wideRanges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = wideRanges[mid]
            if v < r.lowerBound { hi = mid - 1 } else if v > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }
}
