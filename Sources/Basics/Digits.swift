/// Whole numbers written for people: digits in groups of three, without Foundation or a
/// locale, so reports, errors and screens read the same everywhere.
public enum Digits {
    /// 1234567 → "1,234,567"; -1234 → "-1,234".
    public static func grouped<T: BinaryInteger>(_ n: T) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }
}
