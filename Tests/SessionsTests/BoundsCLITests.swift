import Foundation
import Testing
@testable import Sessions

/// Hostile input through the CLI: every run ends with a clear error naming the file (exit
/// status 1), never a crash, a hang or raw Foundation error text.
@Suite struct BoundsCLITests {
    private static func editJSON(_ url: URL, _ edit: (inout [String: Any]) -> Void) throws {
        var o = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&o)
        try JSONSerialization.data(withJSONObject: o).write(to: url)
    }

    /// A copy of the model folder `m` as `name`, with classifier.json edited.
    private static func variant(_ tmp: TempDir, _ name: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
        try FileManager.default.copyItem(at: tmp.file("m"), to: tmp.file(name))
        try editJSON(tmp.file("\(name)/classifier.json")) { env in
            var c = env["classifier"] as? [String: Any] ?? [:]
            edit(&c)
            env["classifier"] = c
        }
        return name
    }

    /// Ended with an error message: status 1, or 64 for a usage error; not a signal.
    private static func clean(_ r: ChildResult) -> Bool { r.status == 1 || r.status == 64 }

    @Test func hostileModelFoldersGiveErrorsNamingTheFile() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        func wb(_ args: String...) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }
        var r = try await wb("train", "--data", "data.tsv", "--model", "tiny.json", "--epochs", "1", "--max-length", "8",
                             "--vocab-size", "50", "--save", "m")
        #expect(r.status == 0, "\(r.err)")

        func setModel(_ c: inout [String: Any], _ key: String, _ value: Any) {
            var m = c["model"] as? [String: Any] ?? [:]
            m[key] = value
            c["model"] = m
        }
        let cases: [(String, String, (inout [String: Any]) -> Void)] = [
            ("neg", "max_length': must be at least 1, got -5", { $0["max_length"] = -5 }),
            // Before: the error quoted a different unwritten float on every run.
            ("zero", "max_length': must be at least 1, got 0", { $0["max_length"] = 0 }),
            ("long", "max_length': must be at most 100,000", { $0["max_length"] = 1_000_000_000_000 }),
            ("input", "input_length': must be at most 100,000", { setModel(&$0, "input_length", 1_000_000_000_000) }),
            ("differs", "differs from the model's input_length", { setModel(&$0, "input_length", 9) }),
            ("units", "units': must be at most 65,536", { c in
                var m = c["model"] as? [String: Any] ?? [:]
                var layers = m["layers"] as? [[String: Any]] ?? []
                layers[layers.count - 1]["units"] = 1 << 40
                m["layers"] = layers
                c["model"] = m
            }),
        ]
        for (name, needle, edit) in cases {
            let dir = try Self.variant(tmp, name, edit)
            r = try await wb("predict", "--model-dir", dir, "great food")
            #expect(Self.clean(r) && r.err.contains("\(dir)/classifier.json") && r.err.contains(needle), "\(name): \(r.status) \(r.err)")
        }

        // Weights whose shape product overflows (before: a trap), or that are not finite.
        try FileManager.default.copyItem(at: tmp.file("m"), to: tmp.file("overflow"))
        let header = #"{"embedding/embeddings":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,0]}}"#
        var file = Data()
        var n = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &n) { file.append(contentsOf: $0) }
        file.append(Data(header.utf8))
        try file.write(to: tmp.file("overflow/weights.safetensors"))
        r = try await wb("eval", "--model-dir", "overflow", "--data", "data.tsv")
        #expect(Self.clean(r) && r.err.contains("overflow/weights.safetensors") && r.err.contains("more elements than can be addressed"), "\(r.err)")

        // A folder with both a learner and a neural model (before: the learner, silently).
        r = try await wb("train", "--data", "data.tsv", "--model", "nb", "--save", "nb")
        #expect(r.status == 0, "\(r.err)")
        try FileManager.default.copyItem(at: tmp.file("nb/learner.safetensors"), to: tmp.file("m/learner.safetensors"))
        r = try await wb("predict", "--model-dir", "m", "great")
        #expect(Self.clean(r) && r.err.contains("holds both a learner model (learner.safetensors) and a neural model (classifier.json, weights.safetensors)"), "\(r.err)")
        // Saving one kind into the other's folder is refused before training.
        r = try await wb("train", "--data", "data.tsv", "--model", "tiny.json", "--max-length", "8", "--save", "nb")
        #expect(Self.clean(r) && r.err.contains("already holds a learner model") && !r.out.contains("epoch"), "\(r.out)\(r.err)")
        // An export or save target that is a file: no raw NSCocoaErrorDomain text.
        try Data().write(to: tmp.file("afile"))
        r = try await wb("train", "--data", "data.tsv", "--model", "nb", "--save", "afile")
        #expect(Self.clean(r) && r.err.contains("afile: already exists and is a file") && !r.err.contains("NSCocoaErrorDomain"), "\(r.err)")
    }

    @Test func sizeFlagsAndSpecsAreBounded() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Data(#"{"layers": [{"type": "embedding", "dim": 8}, {"type": "lstm", "units": 1099511627776}, {"type": "dense", "units": 1, "activation": "sigmoid"}]}"#.utf8)
            .write(to: tmp.file("huge.json"))
        func wb(_ args: String...) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }
        let cases: [([String], String)] = [
            (["--max-length", "100000000"], "--max-length must be at most 100,000"),
            (["--vocab-size", "1000000000000"], "--vocab-size must be at most 10,000,000"),
            (["--max-length", "3000000"], "--max-length must be at most 100,000"),
            // Within each limit, but the default preset's embedding over the per-example limit.
            (["--max-length", "100000"], "numbers per example"),
            (["--model", "huge.json", "--max-length", "8"], "units': must be at most 65,536"),
            (["--batch-size", "1000000000"], "batch_size"),
        ]
        for (flags, needle) in cases {
            let r = try await runWorkbench(["train", "--data", "data.tsv", "--epochs", "1"] + flags, in: tmp.url)
            #expect(Self.clean(r) && r.err.contains(needle), "\(flags): \(r.status) \(r.err)")
        }
        let r = try await wb("train", "--session", "s", "--sessions-dir", "S", "--data", "data.tsv", "--max-length", "100000000")
        #expect(Self.clean(r) && r.err.contains("--max-length must be at most 100,000"), "\(r.err)")
    }

    @Test func dataErrorsNameTheFileAndEscapeControlCharacters() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Data().write(to: tmp.file("empty.tsv"))
        try Data("pos\tgood\nzzz\u{1B}]0;pwned\u{07}\tbad\n".utf8).write(to: tmp.file("valid.tsv"))
        func wb(_ args: String...) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }
        for model in ["nb", "lstm"] {
            var r = try await wb("train", "--data", "data.tsv", "--validation", "empty.tsv", "--model", model, "--max-length", "8", "--epochs", "1")
            #expect(Self.clean(r) && r.err.contains("empty.tsv: no examples"), "\(model): \(r.err)")
            r = try await wb("train", "--data", "data.tsv", "--validation", "valid.tsv", "--model", model, "--max-length", "8", "--epochs", "1")
            #expect(Self.clean(r) && r.err.contains(#"valid.tsv:2: expected one of the training data's labels ('neg', 'pos'), found the label 'zzz\u{1B}]0;pwned\u{7}'"#),
                    "\(model): \(r.err)")
            #expect(!r.err.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" }, "no raw ESC or BEL reaches the terminal")
        }
        var r = try await wb("train", "--session", "s", "--sessions-dir", "S", "--data", "data.tsv", "--validation", "valid.tsv", "--max-length", "8")
        #expect(Self.clean(r) && r.err.contains("valid.tsv:2:") && !r.err.contains("\u{1B}"), "\(r.err)")
        r = try await wb("train", "--data", "empty.tsv", "--model", "nb")
        #expect(Self.clean(r) && r.err.contains("empty.tsv: no examples"), "\(r.err)")
        // One label: the message names the data file.
        try Data("pos\ta\npos\tb\npos\tc\n".utf8).write(to: tmp.file("one.tsv"))
        for model in ["nb", "lstm"] {
            r = try await wb("train", "--data", "one.tsv", "--validation", "one.tsv", "--model", model, "--max-length", "8")
            #expect(Self.clean(r) && r.err.contains("one.tsv: ") && r.err.contains("one label"), "\(model): \(r.err)")
        }
        // A FIFO as data: refused at once instead of waiting for a writer.
        #expect(mkfifo(tmp.file("pipe.tsv").path, 0o600) == 0)
        r = try await wb("train", "--data", "pipe.tsv", "--model", "nb")
        #expect(Self.clean(r) && r.err.contains("pipe.tsv: is a FIFO"), "\(r.err)")
    }
}
