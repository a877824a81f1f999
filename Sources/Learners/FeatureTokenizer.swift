import TextData

/// How the learners split a text into the tokens their n-grams are built from. The default,
/// `automatic`, follows the recipes of the reference tools: scikit-learn's character analyzer
/// for Chinese, Japanese and Korean text and its word analyzer otherwise (TF-IDF learners);
/// for fastText, the characters without spaces, or the words and punctuation of its tutorial's
/// preprocessing.
public enum FeatureTokenizer: Sendable {
    /// scikit-learn's default word analyzer: lowercase (Python's `str.lower()`), then every
    /// maximal run of two or more word characters (Python's `\w`: letters, digits and other
    /// numeric characters, underscore); shorter runs and everything else are dropped.
    case words
    /// scikit-learn's `analyzer="char"`: lowercase, each run of two or more whitespace
    /// characters replaced by one space, then every code point is a token (spaces and
    /// punctuation included).
    case characters
    /// Every code point except whitespace, lowercased: a Chinese text "fed as space-separated
    /// characters", as fastText's reference figures were made.
    case nonSpaceCharacters
    /// fastText's own splitting: runs of non-whitespace characters, case kept.
    case whitespace
    /// The fastText tutorial's preprocessing: lowercase, the characters `. ! ? , ' / ( )`
    /// split off as tokens of their own, then runs of non-whitespace characters.
    case punctuatedWords
    /// A TextData tokenizer (script-aware or Keras-compatible); its vocabulary is not used.
    case tokenizer(TextTokenizer)
    /// Chosen at training from the training texts: see `resolved(for:fastText:)`.
    case automatic

    /// The tokens of one text. `automatic` (unresolved) splits as `words`.
    public func tokens(in text: String) -> [String] {
        switch self {
        case .words, .automatic: return Self.scikitWords(text)
        case .characters: return Self.scikitCharacters(text)
        case .nonSpaceCharacters:
            return Self.lowercasedScalars(text).compactMap { Self.isWhitespace($0) ? nil : String($0) }
        case .whitespace:
            return text.unicodeScalars.split(whereSeparator: Self.isWhitespace).map { String(String.UnicodeScalarView($0)) }
        case .punctuatedWords:
            return Self.punctuatedWords(text)
        case .tokenizer(let t):
            return t.tokens(in: text)
        }
    }

    /// `automatic` made concrete: when at least half of the letters in `texts` are Han, Kana or
    /// Hangul, `characters` (TF-IDF) or `nonSpaceCharacters` (fastText); otherwise `words`
    /// (TF-IDF) or `punctuatedWords` (fastText). Other cases are returned as they are.
    public func resolved(for texts: some Sequence<String>, fastText: Bool) -> FeatureTokenizer {
        guard case .automatic = self else { return self }
        var letters = 0, cjk = 0
        for text in texts {
            for c in text.unicodeScalars where Self.isAlphabetic(c) {
                letters += 1
                if Self.isCJK(c.value) { cjk += 1 }
            }
        }
        let asian = letters > 0 && 2 * cjk >= letters
        switch (asian, fastText) {
        case (true, false): return .characters
        case (true, true): return .nonSpaceCharacters
        case (false, false): return .words
        case (false, true): return .punctuatedWords
        }
    }

    public var name: String {
        switch self {
        case .words: return "words"
        case .characters: return "characters"
        case .nonSpaceCharacters: return "non-space characters"
        case .whitespace: return "whitespace-separated words"
        case .punctuatedWords: return "words and punctuation"
        case .tokenizer(let t): return "\(t.kind.rawValue) tokenizer"
        case .automatic: return "automatic"
        }
    }

    // MARK: Splitting

    /// Python-lowercased code points, as the Keras-compatible tokenizers lowercase.
    static func lowercasedScalars(_ text: String) -> [Unicode.Scalar] {
        PythonText.lowercased(Array(text.unicodeScalars))
    }

    static func scikitWords(_ text: String) -> [String] {
        var out: [String] = []
        var run = String.UnicodeScalarView()
        var length = 0
        func end() {
            if length >= 2 { out.append(String(run)) }
            run = String.UnicodeScalarView()
            length = 0
        }
        for c in lowercasedScalars(text) {
            if isWordCharacter(c) {
                run.append(c)
                length += 1
            } else {
                end()
            }
        }
        end()
        return out
    }

    static func punctuatedWords(_ text: String) -> [String] {
        var out: [String] = []
        var word = String.UnicodeScalarView()
        func end() {
            if !word.isEmpty { out.append(String(word)) }
            word = String.UnicodeScalarView()
        }
        for c in lowercasedScalars(text) {
            switch c {
            case ".", "!", "?", ",", "'", "/", "(", ")":
                end()
                out.append(String(c))
            default:
                if isWhitespace(c) { end() } else { word.append(c) }
            }
        }
        end()
        return out
    }

    static func scikitCharacters(_ text: String) -> [String] {
        let s = lowercasedScalars(text)
        var out: [String] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if isWhitespace(s[i]) {
                var j = i + 1
                while j < s.count && isWhitespace(s[j]) { j += 1 }
                // Python's `\s\s+` → " ": a lone whitespace character is kept as it is.
                out.append(j - i >= 2 ? " " : String(s[i]))
                i = j
            } else {
                out.append(String(s[i]))
                i += 1
            }
        }
        return out
    }

    /// Python's `\w` for str patterns: `str.isalnum()` or underscore.
    static func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 {
            let v = c.value
            return (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) || v == 0x5F
        }
        let p = c.properties
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return p.numericType != nil
        }
    }

    /// Blocks whose every scalar is a letter (`isAlphabetic`): CJK unified ideographs
    /// (extension A and the main block) and Hangul syllables. A test checks each one.
    static let letterRanges: [ClosedRange<UInt32>] = [0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3]

    /// `c.properties.isAlphabetic`, without the property lookup for ASCII and `letterRanges`.
    @inline(__always)
    static func isAlphabetic(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 { return (v | 0x20) >= 0x61 && (v | 0x20) <= 0x7A }
        if (v >= 0x4E00 && v <= 0x9FFF) || (v >= 0xAC00 && v <= 0xD7A3) || (v >= 0x3400 && v <= 0x4DBF) { return true }
        return c.properties.isAlphabetic
    }

    /// Python's `str.isspace()`.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    static func isCJK(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x11FF, 0x3040...0x30FF, 0x3130...0x318F, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xAC00...0xD7AF, 0xF900...0xFAFF, 0xFF66...0xFF9D, 0x20000...0x323AF:
            return true
        default:
            return false
        }
    }
}

/// Stored as `{"kind": "words" | "characters" | "nonSpaceCharacters" | "whitespace" |
/// "punctuatedWords" | "automatic"}` or `{"kind": "tokenizer", "tokenizer": {...}}`.
extension FeatureTokenizer: Codable {
    private enum CodingKeys: String, CodingKey { case kind, tokenizer }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .words: try c.encode("words", forKey: .kind)
        case .characters: try c.encode("characters", forKey: .kind)
        case .nonSpaceCharacters: try c.encode("nonSpaceCharacters", forKey: .kind)
        case .whitespace: try c.encode("whitespace", forKey: .kind)
        case .punctuatedWords: try c.encode("punctuatedWords", forKey: .kind)
        case .automatic: try c.encode("automatic", forKey: .kind)
        case .tokenizer(let t):
            try c.encode("tokenizer", forKey: .kind)
            try c.encode(t, forKey: .tokenizer)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "words": self = .words
        case "characters": self = .characters
        case "nonSpaceCharacters": self = .nonSpaceCharacters
        case "whitespace": self = .whitespace
        case "punctuatedWords": self = .punctuatedWords
        case "automatic": self = .automatic
        case "tokenizer": self = .tokenizer(try c.decode(TextTokenizer.self, forKey: .tokenizer))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c,
                debugDescription: "unknown feature tokenizer '\(kind)' (expected words, characters, nonSpaceCharacters, whitespace, punctuatedWords, tokenizer or automatic)")
        }
    }

}
