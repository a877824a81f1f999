import Engine
import Foundation
import Testing
@testable import Sessions

/// A generator state that cannot advance is refused by name instead of hanging the resume.
@Suite struct RandomStateTests {
    /// A session "h" trained one epoch with a dropout layer (so it has a layer generator).
    static func trained() async throws -> (TempDir, SessionStore) {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            try await m.create("h", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
            try await m.open("h").train()
            #expect(try await m.open("h", readOnly: true).waitUntilSettled() == .finished)
        }
        return (tmp, store)
    }

    /// An all-zero xoshiro state draws 0 for ever (a shuffle would never end): session.json
    /// naming the field, instead of a resume that hangs.
    @Test(arguments: ["shuffle_generator", "layer_generators"])
    func zeroedGeneratorStateIsRefused(_ field: String) async throws {
        let (tmp, store) = try await Self.trained()
        try CorruptionTests.editJSON(tmp.file("S/h/session.json")) { obj in
            var runs = try #require(obj["runs"] as? [[String: Any]])
            var neural = try #require(runs[0]["neural"] as? [String: Any])
            var cursor = try #require(neural["cursor"] as? [String: Any])
            let zero: [String: Any] = ["state": [0, 0, 0, 0]]
            if field == "shuffle_generator" {
                cursor["shuffle_generator"] = zero
            } else {
                var layers = try #require(cursor["layer_generators"] as? [String: Any])
                for k in layers.keys { layers[k] = zero }
                cursor["layer_generators"] = layers
            }
            neural["cursor"] = cursor
            runs[0]["neural"] = neural
            obj["runs"] = runs
        }
        try await withManager(store) { m in
            do {
                try await m.open("h")
                Issue.record("a zeroed generator state was accepted")
                return   // training it would never end
            } catch {
                #expect("\(error)".contains("session.json") && "\(error)".contains(field), "\(error)")
            }
        }
    }

    /// The generator itself refuses states that cannot work, wherever they are decoded, and a
    /// trainer refuses to restore one.
    @Test func generatorStatesThatCannotAdvanceDoNotDecode() throws {
        for bad in [#"{"state":[0,0,0,0]}"#, #"{"state":[1,2,3]}"#, #"{"state":[]}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(SeededGenerator.self, from: Data(bad.utf8)) }
        }
        var g = try JSONDecoder().decode(SeededGenerator.self, from: Data(#"{"state":[0,0,0,1]}"#.utf8))
        var seen = Set<UInt64>()
        for _ in 0..<8 { seen.insert(g.next()) }
        #expect(seen.count > 1)
    }
}
