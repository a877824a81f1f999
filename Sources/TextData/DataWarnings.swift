/// Signs that a data set was read in the wrong layout (columns swapped, a header read as data
/// or data read as a header), found from the examples alone. Pure and cheap (one pass), so
/// `train`, `data inspect` and the workbench's data summary show the same warnings before
/// anything trains. A warning is advice, not an error: the data may really be like that.
public enum DataWarning: Sendable, Equatable, CustomStringConvertible {
    /// More distinct labels than `DataWarnings.classFraction` of the examples: the label
    /// column probably holds text.
    case tooManyClasses(classes: Int, examples: Int)
    /// The first example reads like a header row (`label<TAB>text` read from a file with a
    /// header): its label and text are column names and its label occurs nowhere else.
    case firstRowLooksLikeHeader(label: String, text: String)
    /// A header cell (the names a header row gave) that looks like a value: a number, or one
    /// of the data's own labels, or a sentence.
    case headerLooksLikeData(cell: String)
    /// Most labels are long or several words, as text is.
    case labelsLookLikeText(share: Double, example: String)
    /// The labels are longer than the texts on average: the columns are probably swapped.
    case labelsLongerThanTexts(meanLabel: Double, meanText: Double)

    public var description: String {
        switch self {
        case let .tooManyClasses(classes, examples):
            return "\(classes) classes in \(examples) examples: the label column may hold text (wrong column or format?)"
        case let .firstRowLooksLikeHeader(label, text):
            return "the first row ('\(Self.short(label))', '\(Self.short(text))') looks like a header read as an example (does the file have a header?)"
        case let .headerLooksLikeData(cell):
            return "the header cell '\(Self.short(cell))' looks like data, not a column name (does the file have a header?)"
        case let .labelsLookLikeText(share, example):
            return "\(Int((share * 100).rounded()))% of the labels look like text (e.g. '\(Self.short(example))'): are the text and label columns swapped?"
        case let .labelsLongerThanTexts(meanLabel, meanText):
            return "labels are longer than texts on average (\(String(format1: meanLabel)) vs \(String(format1: meanText)) characters): are the text and label columns swapped?"
        }
    }

    /// At most 30 characters of a value, control characters escaped, for a one-line message.
    static func short(_ s: String) -> String {
        let safe = Quoted.terminalSafe(s)
        return safe.count > 30 ? String(safe.prefix(29)) + "…" : safe
    }
}

public enum DataWarnings {
    /// More distinct labels than this fraction of the examples is suspicious…
    public static let classFraction = 0.5
    /// …once there are at least this many classes (a tiny file may have one example a class).
    public static let minimumSuspiciousClasses = 10
    /// A label of more characters than this, or of `labelWords` words or more, looks like text.
    static let labelCharacters = 40
    static let labelWords = 4
    /// Words that name a column, for telling a header row from data.
    static let columnNames: Set<String> = [
        "text", "label", "labels", "class", "category", "categories", "sentence", "sentences", "review", "content",
        "body", "document", "target", "y", "x", "tag", "tags", "intent", "sentiment", "topic", "message", "title",
        "id", "input", "output", "comment", "tweet", "question", "answer", "polarity", "rating", "score", "name",
    ]

    /// The warnings for `examples` as read, in a fixed order. `header` is the header row's cells
    /// when the reader took one (CSV / TSV with a header), else nil.
    public static func check(_ examples: [LabelledText], header: [String]? = nil) -> [DataWarning] {
        guard !examples.isEmpty else { return [] }
        var warnings: [DataWarning] = []
        var labelCounts: [String: Int] = [:]
        var labelChars = 0, textChars = 0
        for e in examples {
            labelCounts[e.label, default: 0] += 1
            labelChars += e.label.unicodeScalars.count
            textChars += e.text.unicodeScalars.count
        }
        let classes = labelCounts.count
        if classes >= minimumSuspiciousClasses, Double(classes) > classFraction * Double(examples.count) {
            warnings.append(.tooManyClasses(classes: classes, examples: examples.count))
        }
        if header == nil, examples.count > 1, let first = examples.first, labelCounts[first.label] == 1,
           isColumnName(first.label), isColumnName(first.text) {
            warnings.append(.firstRowLooksLikeHeader(label: first.label, text: first.text))
        }
        if let header {
            if let cell = header.first(where: { looksLikeValue($0, labels: labelCounts) }) {
                warnings.append(.headerLooksLikeData(cell: cell))
            }
        }
        let textLike = labelCounts.keys.filter(looksLikeText)
        if !textLike.isEmpty, 2 * textLike.count > classes {
            let example = textLike.min { ($0.count, $0) < ($1.count, $1) } ?? ""
            warnings.append(.labelsLookLikeText(share: Double(textLike.count) / Double(classes), example: example))
        }
        let meanLabel = Double(labelChars) / Double(examples.count), meanText = Double(textChars) / Double(examples.count)
        if meanLabel > meanText, meanLabel > 3 {
            warnings.append(.labelsLongerThanTexts(meanLabel: meanLabel, meanText: meanText))
        }
        return warnings
    }

    /// A short word that names a column (`text`, `Label`, `category`…).
    static func isColumnName(_ s: String) -> Bool {
        let folded = Substring(s).trimmingASCIIWhitespace().lowercased()
        return columnNames.contains(folded)
    }

    /// A header cell that reads as a value: a number, one of the labels, or text-like.
    static func looksLikeValue(_ cell: String, labels: [String: Int]) -> Bool {
        let trimmed = Substring(cell).trimmingASCIIWhitespace()
        if trimmed.isEmpty { return false }
        if isColumnName(trimmed) { return false }
        if Double(trimmed) != nil { return true }
        if labels[trimmed] != nil { return true }
        return looksLikeText(trimmed)
    }

    /// Long, or several words.
    static func looksLikeText(_ s: String) -> Bool {
        s.unicodeScalars.count > labelCharacters || s.split(whereSeparator: { $0 == " " || $0 == "\t" }).count >= labelWords
    }
}
