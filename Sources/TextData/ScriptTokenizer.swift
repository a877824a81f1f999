/// A script-aware tokenizer, the default for new sessions: Chinese, Japanese and Korean text
/// (written without spaces, or with meaning carried by single characters) becomes one token
/// per character; other scripts become words. Same vocabulary rules as `KerasTokenizer`
/// (index by count then first appearance, `numWords`, `oovToken`), through `Vocabulary`.
///
/// Splitting, on Unicode code points after lowercasing (Python `str.lower()` rules):
/// - CJK: a run of Han ideographs (all extensions, compatibility ideographs, radicals, 々 〇),
///   Hiragana, Katakana (with ー, half-width forms) and Hangul (syllables and jamo) gives one
///   token per character. With `bigrams`, each character is followed by the bigram it starts
///   inside its run: "天气好" → 天, 天气, 气, 气好, 好. A run ends at any other code point
///   (space, punctuation, Latin letter).
/// - Words: maximal runs of letters and digits (Unicode `Alphabetic` or numeric code points)
///   with their combining marks. An apostrophe (' or ’, stored as ') between two letters or
///   digits stays inside the word ("don't", "l'amour"); so do "." and "," between two digits
///   ("3.14", "1,000"). Scripts without spaces other than CJK (Thai, Lao, Khmer, Myanmar)
///   give one token per space-separated run.
/// - Other symbols (emoji, ©, ☆: general category So) are one token each; emoji modifiers,
///   variation selectors and joiners are dropped, so a ZWJ sequence gives its parts.
/// - Everything else (punctuation, spaces, math and currency signs, controls) separates
///   tokens and is dropped.
public struct ScriptTokenizer: Sendable {
    /// Add character bigrams inside CJK runs.
    public let bigrams: Bool
    /// Lowercase before splitting (Python `str.lower()`, per code point).
    public let lower: Bool

    /// The word table: counts, index order and the `numWords` / OOV lookup.
    public private(set) var vocab: Vocabulary

    public init(numWords: Int? = nil, oovToken: String? = nil, bigrams: Bool = false, lower: Bool = true) {
        self.bigrams = bigrams
        self.lower = lower
        vocab = Vocabulary(numWords: numWords, oovToken: oovToken)
    }

    // MARK: Vocabulary

    public var numWords: Int? { vocab.numWords }
    public var oovToken: String? { vocab.oovToken }
    public var documentCount: Int { vocab.documentCount }
    public var isFitted: Bool { vocab.isFitted }
    /// Index order: `vocabulary[i - 1]` has index `i`; the OOV token, if set, is first.
    public var vocabulary: [String] { vocab.tokens }
    public var wordIndex: [String: Int] { vocab.wordIndex }
    public var wordCounts: [Vocabulary.WordCount] { vocab.wordCounts }
    public var wordDocs: [Vocabulary.WordCount] { vocab.wordDocs }
    public var oovIndex: Int? { vocab.oovIndex }
    /// Embedding `input_dim`: `numWords` if set, else `vocabulary.count + 1`.
    public var embeddingInputDim: Int { vocab.embeddingInputDim }
    public func index(of token: String) -> Int? { vocab.index(of: token) }

    /// Adds the texts' tokens to the counts (cumulative over calls) and rebuilds the index.
    public mutating func fit(on texts: some Sequence<String>) {
        for text in texts { vocab.add(document: tokens(in: text)) }
        vocab.buildIndex()
    }

    /// The indices of one text's tokens: known tokens below the `numWords` limit give their
    /// index, others the OOV index if there is one, else are dropped.
    public func sequence(for text: String) -> [Int] { vocab.sequence(for: tokens(in: text)) }

    public func sequences(for texts: some Sequence<String>) -> [[Int]] { texts.map { sequence(for: $0) } }

    /// The tokens of a sequence joined by one space (unknown indices give the OOV token if set).
    public func text(for sequence: some Sequence<Int>) -> String {
        vocab.words(for: sequence).joined(separator: " ")
    }

    // MARK: Splitting

    /// The tokens of one text, in order.
    public func tokens(in text: String) -> [String] {
        var s = Array(text.unicodeScalars)
        if lower { s = PythonText.lowercased(s) }
        var out: [String] = []
        var word = String.UnicodeScalarView()       // the word being built
        var run: [String.UnicodeScalarView] = []    // the CJK run being built, one entry per character

        func endWord() {
            if !word.isEmpty { out.append(String(word)); word = String.UnicodeScalarView() }
        }
        func endRun() {
            guard !run.isEmpty else { return }
            for (i, c) in run.enumerated() {
                out.append(String(c))
                if bigrams && i + 1 < run.count {
                    var pair = c
                    pair.append(contentsOf: run[i + 1])
                    out.append(String(pair))
                }
            }
            run.removeAll(keepingCapacity: true)
        }

        var i = 0
        while i < s.count {
            let c = s[i]
            switch Self.kind(of: c) {
            case .cjk:
                endWord()
                run.append(String.UnicodeScalarView([c]))
            case .wordChar:
                endRun()
                word.append(c)
            case .mark:
                // A combining mark belongs to the character or word before it; alone it is dropped.
                if !word.isEmpty { word.append(c) } else if !run.isEmpty { run[run.count - 1].append(c) }
            case .apostrophe, .numberSeparator:
                let joins: Bool
                if let last = word.last, i + 1 < s.count, Self.kind(of: s[i + 1]) == .wordChar {
                    joins = Self.kind(of: c) == .apostrophe
                        || (Self.isDigit(last) && Self.isDigit(s[i + 1]))
                } else {
                    joins = false
                }
                if joins {
                    word.append(c == "\u{2019}" ? "'" : c)
                } else {
                    endWord()
                    endRun()
                }
            case .symbol:
                endWord()
                endRun()
                out.append(String(c))
            case .ignorable:
                break
            case .separator:
                endWord()
                endRun()
            }
            i += 1
        }
        endWord()
        endRun()
        return out
    }

    enum Kind: Equatable { case cjk, wordChar, mark, apostrophe, numberSeparator, symbol, ignorable, separator }

    static func kind(of c: Unicode.Scalar) -> Kind {
        let v = c.value
        if v < 0x80 {
            if (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) { return .wordChar }
            if v == 0x27 { return .apostrophe }
            if v == 0x2E || v == 0x2C { return .numberSeparator }
            return .separator
        }
        if isCJK(v) { return .cjk }
        if v == 0x2019 { return .apostrophe }
        if v == 0x200B { return .separator }       // zero width space (a word break in Thai, Khmer)
        let p = c.properties
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return p.isVariationSelector ? .ignorable : .mark
        case .otherSymbol:
            return .symbol
        case .format:
            return .ignorable          // ZWJ, ZWNJ, soft hyphen, BOM: inside a word or run, ignored
        default:
            break
        }
        if p.isEmojiModifier { return .ignorable }
        if p.isAlphabetic || p.numericType != nil { return .wordChar }
        return .separator
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.properties.numericType == .decimal }

    /// Han, Hiragana, Katakana and Hangul code points (Unicode 16 blocks, letters only: the
    /// CJK punctuation such as 、。「」・ is excluded).
    static func isCJK(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x11FF,            // Hangul Jamo
             0x2E80...0x2E99, 0x2E9B...0x2EF3, 0x2F00...0x2FD5,  // CJK and Kangxi radicals
             0x3005, 0x3007, 0x3021...0x3029, 0x3038...0x303B,    // 々 〇 Hangzhou numerals 〻
             0x3041...0x3096, 0x309D...0x309F,                    // Hiragana
             0x30A1...0x30FA, 0x30FC...0x30FF,                    // Katakana (not ・)
             0x3131...0x318E,            // Hangul compatibility jamo
             0x31F0...0x31FF,            // Katakana phonetic extensions
             0x3400...0x4DBF,            // CJK extension A
             0x4E00...0x9FFF,            // CJK unified ideographs
             0xA960...0xA97C,            // Hangul jamo extended-A
             0xAC00...0xD7A3,            // Hangul syllables
             0xD7B0...0xD7FB,            // Hangul jamo extended-B
             0xF900...0xFAFF,            // CJK compatibility ideographs
             0xFF66...0xFF9D,            // half-width Katakana
             0xFFA0...0xFFDC,            // half-width Hangul
             0x1AFF0...0x1B16F,          // Kana extended/supplement, small kana
             0x20000...0x323AF:          // CJK extensions B–I, compatibility supplement
            return true
        default:
            return false
        }
    }
}

// MARK: - Codable

/// Stores `bigrams` and `lower` beside the vocabulary's fields (`numWords`, `oovToken`,
/// `fitted`, `documentCount`, `words`) in one object; the index is rebuilt on decoding.
extension ScriptTokenizer: Codable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(bigrams, forKey: AnyCodingKey("bigrams"))
        try c.encode(lower, forKey: AnyCodingKey("lower"))
        try vocab.encodeFields(into: &c)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        bigrams = try c.decode(Bool.self, forKey: AnyCodingKey("bigrams"))
        lower = try c.decode(Bool.self, forKey: AnyCodingKey("lower"))
        vocab = try Vocabulary(decodingFieldsFrom: c)
    }
}
