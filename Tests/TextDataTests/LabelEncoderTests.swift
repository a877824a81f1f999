import Foundation
import Testing
import TextData

@Suite struct TextDataLabelEncoder {
    @Test func sortsByCodePointAndRoundTrips() throws {
        let enc = try LabelEncoder(labels: ["pos", "neg", "pos", "Zed", "é", "e\u{301}", "neg"])
        // Python sorted(): code point order; "é" and "e\u{301}" are distinct labels.
        #expect(enc.classes.map { Array($0.unicodeScalars) }
                == ["Zed", "e\u{301}", "neg", "pos", "é"].map { Array($0.unicodeScalars) })
        #expect(enc.count == 5 && !enc.isBinary)
        #expect(try enc.encode("neg") == 2 && enc.encode("é") == 4 && enc.encode("e\u{301}") == 1)
        #expect(try enc.encode(["pos", "Zed"]) == [3, 0])
        for i in 0..<enc.count { #expect(try enc.encode(try enc.decode(i)) == i) }
        // Order of the input does not matter.
        #expect(try LabelEncoder(labels: enc.classes.reversed()) == enc)
    }

    @Test func binary() throws {
        let enc = try LabelEncoder(labels: ["pos", "neg"])
        #expect(enc.isBinary && enc.classes == ["neg", "pos"])
        #expect(!(try LabelEncoder(labels: ["only"])).isBinary)
    }

    @Test func errorsNameTheLabelOrIndex() throws {
        let enc = try LabelEncoder(labels: ["neg", "pos"])
        #expect(throws: TextDataError.unknownLabel("neutral", known: ["neg", "pos"])) { try enc.encode("neutral") }
        do {
            _ = try enc.encode("neutral")
        } catch {
            #expect("\(error)" == "unknown label 'neutral' (expected one of: 'neg', 'pos')")
        }
        #expect(throws: TextDataError.classIndexOutOfRange(2, count: 2)) { try enc.decode(2) }
        #expect(throws: TextDataError.classIndexOutOfRange(-1, count: 2)) { try enc.decode(-1) }
        #expect(throws: TextDataError.self) { try LabelEncoder(labels: [String]()) }
    }

    @Test func codable() throws {
        let enc = try LabelEncoder(labels: ["b", "a", "c"])
        let data = try JSONEncoder().encode(enc)
        #expect(String(decoding: data, as: UTF8.self) == #"{"classes":["a","b","c"]}"#)
        #expect(try JSONDecoder().decode(LabelEncoder.self, from: data) == enc)
        for bad in [#"{"classes":["b","a"]}"#, #"{"classes":["a","a"]}"#, #"{"classes":[]}"#] {
            #expect(throws: DecodingError.self, "\(bad)") {
                try JSONDecoder().decode(LabelEncoder.self, from: Data(bad.utf8))
            }
        }
    }
}
