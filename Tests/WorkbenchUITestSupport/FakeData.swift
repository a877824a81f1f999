#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TerminalUI
@testable import WorkbenchUI

/// Data, curves and predictions for the fake service: all deterministic.
public enum FakeData {
    /// A small bilingual review set (Chinese and English), labels neg / pos.
    public static let dataset: DatasetSnapshot = {
        let rows: [(String, String)] = [
            ("pos", "这家酒店的服务非常好，房间干净，下次还会再来"),
            ("neg", "太差了，等了一个小时才上菜，再也不来了"),
            ("pos", "Great battery life and the screen is lovely"),
            ("neg", "The package arrived broken and support was slow"),
            ("pos", "物流很快，包装完好，东西质量不错，推荐购买"),
            ("neg", "质量很差，用了两天就坏了，申请退货"),
            ("pos", "Excellent value, works exactly as described"),
            ("neg", "Terrible fit, the seams came apart after one wash"),
            ("pos", "味道很棒，分量也足，服务员态度很好"),
            ("neg", "房间有异味，空调也坏了，很失望"),
            ("pos", "I love it, fast delivery and nice quality"),
            ("neg", "Awful experience, I want a refund"),
            ("pos", "性价比很高，屏幕清晰，运行流畅"),
            ("neg", "客服态度恶劣，问题一直没有解决"),
            ("pos", "Nice and sturdy, would buy again"),
            ("neg", "Slow, noisy and the app keeps crashing"),
            ("pos", "环境优雅，菜品精致，值得一去"),
            ("neg", "价格贵，味道一般，不推荐"),
            ("pos", "The hotel staff were friendly and the breakfast was great"),
            ("neg", "Bad smell in the room and the wifi never worked"),
            ("pos", "很喜欢，颜色和图片一样，穿着舒服"),
            ("neg", "发货太慢，催了好几次，差评"),
            ("pos", "Good sound, great bass, comfortable to wear"),
            ("neg", "Broken on arrival, the worst purchase this year"),
        ]
        let examples = rows.map { DatasetExample(label: $0.0, text: $0.1) }
        let lengths = rows.map { FakePredictor.tokens(of: $0.1).count }
        let vocabulary = Set(rows.flatMap { FakePredictor.tokens(of: $0.1) }).count
        let lo = lengths.min() ?? 0, hi = lengths.max() ?? 0
        let binCount = 8
        let span = max(1, (hi - lo + binCount) / binCount)
        var bins: [HistogramBin] = []
        var start = lo
        while start <= hi {
            let end = start + span - 1
            bins.append(HistogramBin(lowerBound: start, upperBound: end,
                                     count: lengths.filter { $0 >= start && $0 <= end }.count))
            start += span
        }
        return DatasetSnapshot(
            fileName: "reviews-demo.tsv",
            labelCounts: [LabelCount(label: "neg", count: rows.filter { $0.0 == "neg" }.count),
                          LabelCount(label: "pos", count: rows.filter { $0.0 == "pos" }.count)],
            lengthHistogram: bins, vocabularySize: vocabulary, examples: examples,
            tokenizer: "chars for CJK, words otherwise")
    }()

    /// A light variant of the built-in theme.
    public static let lightTheme: Theme = {
        var t = Theme.default
        t.name = "light"
        let changes: [ThemeRole: RoleColors] = [
            .background: RoleColors(on: .index(255)), .text: RoleColors(.index(236)), .dim: RoleColors(.index(244)),
            .border: RoleColors(.index(248)), .borderFocused: RoleColors(.index(25)), .title: RoleColors(.index(238)),
            .titleFocused: RoleColors(.index(25)), .accent: RoleColors(.index(166)),
            .selection: RoleColors(.index(16), on: .index(153)), .statusBar: RoleColors(.index(236), on: .index(252)),
            .statusText: RoleColors(.index(238), on: .index(252)), .statusKey: RoleColors(.index(25), on: .index(252)),
            .input: RoleColors(.index(16)), .overlay: RoleColors(.index(236), on: .index(254)),
            .axis: RoleColors(.index(246)), .barEmpty: RoleColors(.index(250)),
        ]
        for (role, colors) in changes { t.colors[role] = colors }
        return t
    }()

    /// The training loss after `step` batches of run number `run` (1-based): a decaying
    /// curve with deterministic wiggles, a little different per run.
    public static func loss(step: Int, run: Int) -> Double {
        let s = Double(step), r = Double(max(1, run))
        let decay = 45.0 * (1 + 0.2 * (r - 1))
        return 0.2 + 0.5 * exp(-s / decay) + 0.04 * sin(s * 1.3 + r) * exp(-s / 300)
    }

    public static func accuracy(step: Int, run: Int) -> Double {
        let s = Double(step), r = Double(max(1, run))
        let rise = 50.0 * (1 + 0.2 * (r - 1))
        let a = 0.5 + 0.44 * (1 - exp(-s / rise)) + 0.02 * cos(s * 1.7 + r)
        return min(1, max(0, a))
    }
}

/// Fake classification: a tiny sentiment lexicon plus hashed scores, growing more confident
/// as training goes on (`progress` 0…1).
public enum FakePredictor {
    static let positive: Set<String> = ["好", "棒", "爱", "赞", "快", "喜", "值", "荐", "优", "舒", "净",
                                        "good", "great", "love", "excellent", "nice", "fast", "lovely", "friendly", "sturdy", "comfortable", "recommend"]
    static let negative: Set<String> = ["差", "坏", "慢", "烂", "退", "失", "贵", "异", "恶", "劣",
                                        "bad", "terrible", "slow", "awful", "broken", "worst", "refund", "noisy", "crashing", "hate"]

    /// Chinese, Japanese and Korean characters one by one, other letters and digits as
    /// lower-case words; spaces and punctuation separate.
    public static func tokens(of text: String) -> [String] {
        var out: [String] = []
        var word = ""
        for c in text {
            if TextWidth.of(c) == 2 && (c.isLetter || c.isNumber) {
                if !word.isEmpty { out.append(word); word = "" }
                out.append(String(c))
            } else if c.isLetter || c.isNumber {
                word += c.lowercased()
            } else if !word.isEmpty {
                out.append(word)
                word = ""
            }
        }
        if !word.isEmpty { out.append(word) }
        return out
    }

    /// FNV-1a over the token's scalars and a salt, mapped to -1…1.
    static func hash(_ token: String, salt: UInt64) -> Double {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ salt
        for s in token.unicodeScalars {
            h ^= UInt64(s.value)
            h = h &* 0x100_0000_01b3
        }
        return Double(h % 20001) / 10000 - 1
    }

    static func sentiment(_ token: String) -> Double {
        if positive.contains(token) { return 1 }
        if negative.contains(token) { return -1 }
        return 0.25 * hash(token, salt: 7)
    }

    /// Probabilities for `labels` and per-token attributions towards the predicted class.
    public static func predict(_ text: String, labels: [String], progress: Double) -> ConsoleSnapshot {
        let toks = tokens(of: text)
        let k = max(2, labels.count)
        let names = labels.count >= 2 ? labels : ["neg", "pos"]
        let confidence = 0.4 + 2.6 * min(max(progress.isFinite ? progress : 0, 0), 1)
        var probs: [Double]
        var attribution: [Double]
        if k == 2 {
            let posIndex = names.firstIndex { ["pos", "positive", "1", "good"].contains($0.lowercased()) } ?? 1
            let scores = toks.map { sentiment($0) * confidence }
            let z = scores.reduce(0, +)
            let p = 1 / (1 + exp(-z))
            probs = [0, 0]
            probs[posIndex] = p
            probs[1 - posIndex] = 1 - p
            attribution = scores.map { p >= 0.5 ? $0 : -$0 }
        } else {
            let per = toks.map { t in (0..<k).map { hash(t, salt: UInt64($0 + 1)) * confidence } }
            var logits = [Double](repeating: 0, count: k)
            for row in per { for c in 0..<k { logits[c] += row[c] } }
            let top = logits.max() ?? 0
            let e = logits.map { exp($0 - top) }
            let sum = e.reduce(0, +)
            probs = e.map { $0 / sum }
            let best = probs.indices.max { probs[$0] < probs[$1] } ?? 0
            attribution = per.map { row in row[best] - row.reduce(0, +) / Double(k) }
        }
        return ConsoleSnapshot(text: text, classNames: names, probabilities: probs,
                               tokens: zip(toks, attribution).map { TokenAttribution($0.0, score: $0.1) })
    }
}
