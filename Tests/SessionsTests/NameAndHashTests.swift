import Foundation
import Testing
@testable import Sessions
import TextData

@Suite struct SessionNameTests {
    @Test func acceptsOrdinaryNames() throws {
        for name in ["reviews", "my session 1", "中文会话", "a.b", "run-2024_01", "x"] {
            #expect(SessionName.isValid(name), "\(name)")
        }
    }

    @Test func rejectsPathsDotsControlsAndBlanks() throws {
        let bad: [(String, String)] = [
            ("", "empty"), ("a/b", "path separator"), ("a\\b", "path separator"), ("..", "'..'"), ("a..b", "'..'"),
            ("../x", "path separator"), (".hidden", "starts with '.'"), ("tab\there", "control"), ("nul\u{0}x", "control"),
            ("line\nbreak", "control"), ("del\u{7F}", "control"), ("rtl\u{202E}x", "control"), (" lead", "whitespace"),
            ("trail ", "whitespace"), (String(repeating: "x", count: 101), "longer than"),
        ]
        for (name, why) in bad {
            #expect(throws: SessionError.self, "\(Quoted.escaped(name))") { try SessionName.validate(name) }
            do { try SessionName.validate(name) } catch {
                #expect("\(error)".contains(why), "\(Quoted.escaped(name)): \(error)")
            }
        }
    }

    @Test func managerAndStoreRefuseBadNames() async throws {
        let tmp = try TempDir()
        let store = SessionStore(root: tmp.file("S"))
        #expect(throws: SessionError.self) { _ = try store.directory(for: "../escape") }
        try await withManager(store) { m in
            await #expect(throws: SessionError.self) { try await m.open("a/b") }
            await #expect(throws: SessionError.self) { try await m.create("..", setup: SessionSetup(data: "x.tsv")) }
            await #expect(throws: SessionError.self) { try await m.rename("a", to: "b\u{1}") }
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.file("escape").path))
    }

    @Test func sessionsFolderResolution() {
        let env = [SessionStore.environmentVariable: "/env/sessions"]
        #expect(SessionStore.resolveRoot(override: "/flag", environment: env, currentDirectory: "/cwd").path == "/flag")
        #expect(SessionStore.resolveRoot(override: nil, environment: env, currentDirectory: "/cwd").path == "/env/sessions")
        #expect(SessionStore.resolveRoot(override: nil, environment: [:], currentDirectory: "/cwd").path == "/cwd/Sessions")
        #expect(SessionStore.resolveRoot(override: "rel", environment: [:], currentDirectory: "/cwd").path == "/cwd/rel")
    }
}

@Suite struct ContentHashTests {
    /// Reference values from `xxhsum -H64`.
    @Test func xxh64MatchesReferenceValues() throws {
        func h(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { XXH64.hash($0) } }
        #expect(h([]) == 0xEF46_DB37_51D8_E999)
        #expect(h(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(h([UInt8](repeating: UInt8(ascii: "x"), count: 1000)) == 0x4CB9_A3B6_9CB7_00E1)
        let ramp = (0..<3).flatMap { _ in (0...255).map { UInt8($0) } }
        #expect(h(ramp) == 0x8E03_C838_C596_036F)
        // Streaming in uneven pieces gives the same value.
        for chunk in [1, 3, 7, 31, 32, 33, 100] {
            var s = XXH64()
            var i = 0
            while i < ramp.count {
                let j = min(i + chunk, ramp.count)
                ramp[i..<j].withUnsafeBytes { s.update($0) }
                i = j
            }
            #expect(s.digest() == 0x8E03_C838_C596_036F, "chunk \(chunk)")
        }
    }

    @Test func fileAndFolderHashes() throws {
        let tmp = try TempDir()
        let f = tmp.file("a.txt")
        try Data("abc".utf8).write(to: f)
        #expect(try ContentHash.of(path: f.path) == "xxh64:44bc2cf5ad770999")
        let folder = tmp.file("data")
        for (label, text) in [("pos", "good"), ("neg", "bad")] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(label), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: folder.appendingPathComponent(label).appendingPathComponent("1.txt"))
        }
        let before = try ContentHash.of(path: folder.path)
        #expect(before.hasPrefix("xxh64:") && before.count == 22)
        try Data("bad!".utf8).write(to: folder.appendingPathComponent("neg/1.txt"))
        #expect(try ContentHash.of(path: folder.path) != before)
        #expect(throws: SessionError.self) { try ContentHash.of(path: tmp.file("missing").path) }
    }
}
