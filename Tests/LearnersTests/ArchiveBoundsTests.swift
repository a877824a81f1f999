import Foundation
import Learners
import Testing
import TextData

/// A learner file with its header replaced (data bytes kept).
private func withHeader(_ data: Data, _ edit: (inout [String: Any]) -> Void) throws -> Data {
    let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
    var header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any])
    edit(&header)
    let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    var out = Data()
    var len = UInt64(json.count).littleEndian
    withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
    out.append(json)
    out.append(data.suffix(from: 8 + n))
    return out
}

private func message(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}

/// A learner file's sizes are checked before use: no trap, no allocation sized from the file.
@Suite struct LearnerArchiveBounds {
    @Test func overflowingShapesAndBadOffsetsAreRefused() throws {
        let learner = try LearnerKind.nb.fit(separableSet(classes: 2), settings: quickSettings(), seed: 1).learner
        let good = try LearnerIO.encode(learner)
        let cases: [([Int], [Int], String)] = [
            ([1 << 40, 1 << 40], [0, 0], "more elements than can be addressed"),
            ([1 << 62], [0, 0], "more elements than can be addressed"),
            ([1 << 61, 2], [0, 0], "more elements than can be addressed"),
            ([2], [0, 1 << 62], "truncated"),
            ([2], [Int.max - 8, Int.max], "truncated"),
        ]
        for (shape, offsets, needle) in cases {
            let bad = try withHeader(good) { h in
                h["class_log_prior"] = ["dtype": "F32", "shape": shape, "data_offsets": offsets]
            }
            let m = message { _ = try LearnerIO.decode(bad, path: "nb.safetensors") }
            #expect(m?.contains("nb.safetensors") == true && m?.contains("class_log_prior") == true && m?.contains(needle) == true,
                    "\(shape) \(offsets): \(m ?? "no error")")
        }
    }

    @Test func nonFiniteWeightsAreRefusedNamingTheArray() throws {
        let learner = try LearnerKind.logreg.fit(separableSet(classes: 2), settings: quickSettings(), seed: 1).learner
        var data = try LearnerIO.encode(learner)
        let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any])
        let begin = try #require(((header["weights"] as? [String: Any])?["data_offsets"] as? [Int])?.first)
        var nan = Float.nan.bitPattern.littleEndian
        withUnsafeBytes(of: &nan) { data.replaceSubrange((8 + n + begin)..<(8 + n + begin + 4), with: $0) }
        let m = message { _ = try LearnerIO.decode(data, path: "logreg.safetensors") }
        #expect(m?.contains("logreg.safetensors") == true && m?.contains("'weights'") == true && m?.contains("NaN") == true, "\(m ?? "no error")")
    }

    @Test func aForestClaimingMoreTreesThanItHoldsIsRefused() throws {
        var settings = quickSettings()
        settings.forest.trees = 2
        let learner = try LearnerKind.forest.fit(separableSet(classes: 2), settings: settings, seed: 1).learner
        let good = try LearnerIO.encode(learner)
        // Allocating room for 10^12 trees before finding the second one missing would abort.
        let bad = try withHeader(good) { h in
            var meta = h["__metadata__"] as? [String: String] ?? [:]
            meta["workbench.forest"] = #"{"trees":1000000000000}"#
            h["__metadata__"] = meta
        }
        let m = message { _ = try LearnerIO.decode(bad, path: "forest.safetensors") }
        #expect(m?.contains("1000000000000 trees") == true, "\(m ?? "no error")")
    }

    @Test func forestSizeIsBounded() throws {
        var settings = quickSettings()
        settings.forest.trees = 1 << 40
        let m = message { _ = try LearnerKind.forest.fit(separableSet(classes: 2), settings: settings, seed: 1) }
        #expect(m?.contains("trees must be in 1...10000") == true, "\(m ?? "no error")")
    }
}
