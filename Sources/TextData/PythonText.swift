/// Python `str` semantics on Swift strings, where they differ.
///
/// Python strings are sequences of code points compared code point by code point; Swift
/// `String` iterates grapheme clusters and compares by canonical equivalence ("e\u{301}" ==
/// "é", and the CJK compatibility ideograph U+F900 == U+8C48). Keras's tokenizer is Python,
/// so the tokenizer works on `unicodeScalars` and keys its tables by exact code points.
public enum PythonText {
    /// `str.lower()`: full Unicode lowercase mapping per code point (SpecialCasing included,
    /// e.g. U+0130 → "i\u{307}"), plus CPython's Final_Sigma rule for U+03A3, which Swift's
    /// `lowercased()` does not apply.
    public static func lowercased(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        for i in s.indices {
            let c = s[i]
            if c.value < 0x80 {
                out.append(c.value >= 65 && c.value <= 90 ? Unicode.Scalar(UInt8(c.value + 32)) : c)
            } else if isCaseless(c.value) {
                out.append(c)
            } else if c.value == 0x3A3 {
                out.append(isFinalSigma(s, at: i) ? "\u{3C2}" : "\u{3C3}")
            } else if c.properties.changesWhenLowercased {
                out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Blocks without letter case, where looking up the scalar's properties (the slow part of
    /// lowercasing Chinese, Japanese or Korean text) can be skipped: CJK symbols and
    /// punctuation, kana, CJK unified ideographs (extension A and the main block) and Hangul
    /// syllables. A test checks every scalar in them against `changesWhenLowercased`.
    static let caselessRanges: [ClosedRange<UInt32>] = [0x3000...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3]

    @inline(__always)
    static func isCaseless(_ v: UInt32) -> Bool {
        (v >= 0x4E00 && v <= 0x9FFF) || (v >= 0x3000 && v <= 0x30FF) || (v >= 0xAC00 && v <= 0xD7A3)
            || (v >= 0x3400 && v <= 0x4DBF)
    }

    /// CPython `handle_capital_sigma`: \p{cased} \p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased}),
    /// judged on the original (not yet lowered) text.
    private static func isFinalSigma(_ s: [Unicode.Scalar], at i: Int) -> Bool {
        var j = i - 1
        while j >= 0 && s[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0 && s[j].properties.isCased else { return false }
        j = i + 1
        while j < s.count && s[j].properties.isCaseIgnorable { j += 1 }
        return j == s.count || !s[j].properties.isCased
    }

    /// `str.split(sep)` for a non-empty `sep`: leftmost non-overlapping matches, scanning left
    /// to right; empty pieces are kept (the caller drops them, as Keras does).
    static func split(_ s: [Unicode.Scalar], separator sep: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        let m = sep.count, n = s.count
        guard m > 0 else { return [s[...]] }
        var pieces: [ArraySlice<Unicode.Scalar>] = []
        var start = 0, i = 0
        while i + m <= n {
            var match = true
            for k in 0..<m where s[i + k] != sep[k] { match = false; break }
            if match {
                pieces.append(s[start..<i])
                i += m
                start = i
            } else {
                i += 1
            }
        }
        pieces.append(s[start..<n])
        return pieces
    }

    static func string<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Python code-point order (`sorted()` on str), not Swift's `<`.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }
}

/// A dictionary key equal only for identical code points (Python `str` equality).
struct ExactKey: Hashable, Sendable {
    let string: String
    init(_ s: String) { string = s }

    static func == (a: ExactKey, b: ExactKey) -> Bool {
        a.string.utf8.elementsEqual(b.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
