/// Text from input shown in a message. Control characters — C0 (ESC, BEL, CR, …), DEL and C1
/// (U+0080–U+009F, among them the one-character CSI) — are shown escaped, as `\u{1B}`, `\r`,
/// `\n`, `\t`, so data echoed in an error cannot move the cursor, recolour or retitle the
/// terminal. Backslashes are left alone, so escaping twice changes nothing. Every message that
/// quotes input goes through here (the CLI also passes each error message through
/// `terminalSafe` before printing it).
public enum Quoted {
    /// `text` with every control character escaped (line breaks and tabs too): for a label,
    /// a field, a line.
    public static func escaped<S: StringProtocol>(_ text: S) -> String {
        escape(text, keep: { _ in false })
    }

    /// A whole message made safe to print: control characters escaped except the line
    /// breaks and tabs that lay the message out.
    public static func terminalSafe<S: StringProtocol>(_ message: S) -> String {
        escape(message, keep: { $0 == "\n" || $0 == "\t" })
    }

    /// At most `limit` characters of `text`, escaped, in double quotes, with "…" after a cut:
    /// `"first words of the li…"`.
    public static func excerpt<S: StringProtocol>(_ text: S, limit: Int = 40) -> String {
        let cut = text.count > limit
        return "\"" + escaped(cut ? text.prefix(limit) : text[...]) + (cut ? "…\"" : "\"")
    }

    private static func escape<S: StringProtocol>(_ text: S, keep: (Unicode.Scalar) -> Bool) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !keep($0) }) else { return String(text) }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            guard s.properties.generalCategory == .control, !keep(s) else { out.append(s); continue }
            switch s {
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": out.append(contentsOf: #"\r"#.unicodeScalars)
            case "\t": out.append(contentsOf: #"\t"#.unicodeScalars)
            default: out.append(contentsOf: "\\u{\(String(s.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(out)
    }
}
