import Foundation
import Testing
import TestSupport

/// Where the test material lives: all inside the repository (TestSupport finds it).
enum SharedPaths {
    static var kerasFixtures: URL { TestPaths.kerasFixtures }
    static var data: URL { TestPaths.data }
}

struct FixtureError: Error, CustomStringConvertible { let description: String }

/// A parsed JSON value; booleans and numbers stay distinct (JSONSerialization on Linux
/// answers `is Bool` for the number 1).
enum JSON: Decodable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([JSON]), object([String: JSON])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSON].self)) }
    }
}

/// Reads the Keras golden fixtures at run time. A missing file fails the test with its path.
enum Fixtures {
    static func load(_ file: String) throws -> J {
        let url = SharedPaths.kerasFixtures.appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FixtureError(description: "fixture file \(url.path) not found (set KERAS_FIXTURES_DIR)")
        }
        return J(try JSONDecoder().decode(JSON.self, from: data), file)
    }

    /// The `cases` of a fixture file; an empty or missing list is an error.
    static func cases(_ file: String) throws -> [J] {
        let all = try load(file)["cases"].array
        guard !all.isEmpty else { throw FixtureError(description: "\(file): no cases") }
        return all
    }
}

/// JSON access whose errors name the JSON path.
struct J {
    let value: JSON?
    let path: String
    init(_ v: JSON?, _ path: String = "$") { value = v; self.path = path }

    subscript(_ key: String) -> J {
        if case .object(let o)? = value { return J(o[key], path + "." + key) }
        return J(nil, path + "." + key)
    }

    var exists: Bool {
        switch value { case nil, .null?: return false; default: return true }
    }
    var keys: [String] {
        if case .object(let o)? = value { return o.keys.sorted() }
        return []
    }
    var isArray: Bool { if case .array? = value { return true } else { return false } }
    var array: [J] {
        if case .array(let a)? = value { return a.enumerated().map { J($1, path + "[\($0)]") } }
        return []
    }

    private func fail(_ what: String) -> FixtureError { FixtureError(description: "\(path): expected \(what)") }

    func string() throws -> String {
        guard case .string(let s)? = value else { throw fail("a string") }
        return s
    }
    func int() throws -> Int {
        guard case .int(let i)? = value else { throw fail("an integer") }
        return i
    }
    func bool() throws -> Bool {
        guard case .bool(let b)? = value else { throw fail("a boolean") }
        return b
    }
    /// nil for JSON null or an absent key.
    func optionalInt() throws -> Int? { exists ? try int() : nil }
    func optionalString() throws -> String? { exists ? try string() : nil }

    func strings() throws -> [String] {
        guard isArray else { throw fail("an array of strings") }
        return try array.map { try $0.string() }
    }
    func ints() throws -> [Int] {
        guard isArray else { throw fail("an array of integers") }
        return try array.map { try $0.int() }
    }
    func intRows() throws -> [[Int]] {
        guard isArray else { throw fail("an array of integer arrays") }
        return try array.map { try $0.ints() }
    }
    /// `[[word, n], ...]`, in file order.
    func pairs() throws -> [(String, Int)] {
        guard isArray else { throw fail("an array of [string, integer] pairs") }
        return try array.map { p in
            let e = p.array
            guard e.count == 2 else { throw FixtureError(description: "\(p.path): expected a [string, integer] pair") }
            return (try e[0].string(), try e[1].int())
        }
    }
}
