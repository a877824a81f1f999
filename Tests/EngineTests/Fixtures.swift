import Foundation
import Testing
@testable import Engine
import TestSupport

/// Reads the Keras golden fixtures at run time from Tests/Fixtures/keras (or KERAS_FIXTURES_DIR,
/// see TestSupport). A missing folder or file fails the test.
enum Fixtures {
    static var directory: URL { TestPaths.kerasFixtures }

    struct Missing: Error, CustomStringConvertible { let description: String }

    /// The parsed JSON object of one fixture file.
    static func load(_ file: String) throws -> [String: Any] {
        let url = directory.appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Missing(description: "fixture file \(url.path) not found (set KERAS_FIXTURES_DIR)")
        }
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Missing(description: "\(url.path): top level is not an object")
        }
        return obj
    }

    static func cases(_ file: String) throws -> [[String: Any]] {
        guard let c = try load(file)["cases"] as? [[String: Any]] else {
            throw Missing(description: "\(file): no 'cases' array")
        }
        return c
    }
}

/// Loosely-typed JSON access with errors that name the path.
struct J {
    let value: Any?
    let path: String
    init(_ v: Any?, _ path: String = "$") { value = v; self.path = path }

    subscript(_ key: String) -> J { J((value as? [String: Any])?[key], path + "." + key) }
    subscript(_ i: Int) -> J { J((value as? [Any]).flatMap { i < $0.count ? $0[i] : nil }, path + "[\(i)]") }

    var exists: Bool { value != nil && !(value is NSNull) }
    var object: [String: Any]? { value as? [String: Any] }
    var keys: [String] { object.map { Array($0.keys) } ?? [] }
    var array: [J] { (value as? [Any])?.enumerated().map { J($1, path + "[\($0)]") } ?? [] }

    func string() throws -> String {
        guard let s = value as? String else { throw Fixtures.Missing(description: "\(path): expected a string") }
        return s
    }
    func double() throws -> Double {
        guard let n = value as? NSNumber else { throw Fixtures.Missing(description: "\(path): expected a number") }
        return n.doubleValue
    }
    func int() throws -> Int { Int(try double()) }
    func bool() -> Bool { (value as? NSNumber)?.boolValue ?? false }
    var stringOrNil: String? { value as? String }

    /// A `{"shape": [...], "values": nested}` tensor.
    func tensor() throws -> Tensor {
        guard let o = object, let shape = o["shape"] as? [Any] else {
            throw Fixtures.Missing(description: "\(path): expected a tensor {shape, values}")
        }
        var flat: [Float] = []
        func walk(_ v: Any) {
            if let a = v as? [Any] { for e in a { walk(e) } }
            else if let n = v as? NSNumber { flat.append(Float(n.doubleValue)) }
        }
        walk(o["values"] ?? [])
        let s = shape.map { ($0 as! NSNumber).intValue }
        guard s.reduce(1, *) == flat.count else {
            throw Fixtures.Missing(description: "\(path): shape \(s) but \(flat.count) values")
        }
        return Tensor(shape: s, scalars: flat)
    }

    /// A tensor or a bare number (scalars).
    func numbers() throws -> [Float] {
        if let n = value as? NSNumber { return [Float(n.doubleValue)] }
        return try tensor().scalars
    }
}

/// Tolerances from the fixtures' README: forward rtol 1e-5 / atol 1e-6, gradients and
/// optimiser steps a little looser.
struct Tolerance {
    var rtol: Float
    var atol: Float
    static let forward = Tolerance(rtol: 1e-5, atol: 1e-6)
    static let gradient = Tolerance(rtol: 1e-5, atol: 1e-5)
    static let training = Tolerance(rtol: 1e-4, atol: 1e-5)
}

/// Records a test issue (with the case and quantity named) for every element out of tolerance.
/// Returns true when all match.
@discardableResult
func expectClose(_ got: Tensor, _ want: Tensor, _ tol: Tolerance, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    guard got.shape == want.shape else {
        reportMismatch("\(what): shape \(got.shape), expected \(want.shape)", sourceLocation: sourceLocation)
        return false
    }
    return expectClose(got.scalars, want.scalars, tol, what, sourceLocation: sourceLocation)
}

@discardableResult
func expectClose(_ got: [Float], _ want: [Float], _ tol: Tolerance, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    guard got.count == want.count else {
        reportMismatch("\(what): \(got.count) values, expected \(want.count)", sourceLocation: sourceLocation)
        return false
    }
    var worst = -1, worstErr: Float = 0, bad = 0
    for i in 0..<got.count {
        let err = abs(got[i] - want[i])
        if !(err <= tol.atol + tol.rtol * abs(want[i])) {
            bad += 1
            if err > worstErr || !err.isFinite || worst < 0 { worst = i; worstErr = err }
        }
    }
    if bad > 0 {
        reportMismatch("\(what): \(bad) of \(got.count) values out of tolerance; worst at \(worst): got \(got[worst]), expected \(want[worst])",
                     sourceLocation: sourceLocation)
        return false
    }
    return true
}

/// While set (by the parity self-tests), comparison failures are collected here instead of
/// being recorded as test issues, so a test can prove that a wrong number is caught and still
/// pass cleanly.
final class MismatchLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var messages: [String] { lock.lock(); defer { lock.unlock() }; return stored }
    func add(_ m: String) { lock.lock(); stored.append(m); lock.unlock() }
}

enum ParityReporting {
    @TaskLocal static var log: MismatchLog?
}

func reportMismatch(_ message: String, sourceLocation: SourceLocation) {
    if let log = ParityReporting.log { log.add(message) } else { Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation) }
}
