import Foundation

/// A child process run to its end without blocking a thread of Swift's cooperative pool: the
/// test suites run in parallel on as many threads as there are cores (two here), so a test
/// that blocked one in `waitUntilExit` while the child trained for seconds starved every other
/// test's tasks. Output goes to files (a pipe could fill up); the exit is polled.
public struct ChildOutput: Sendable {
    public var status: Int32
    public var out: String
    public var err: String
}

public enum ChildProcess {
    /// Runs `executable args…` in `directory` with `environment` (the whole environment, as
    /// given) and `stdin` as its standard input, and returns its status and output.
    public static func run(_ executable: URL, _ args: [String], in directory: URL, environment: [String: String],
                           stdin: String? = nil) async throws -> ChildOutput {
        let fm = FileManager.default
        let tag = UUID().uuidString
        let outFile = directory.appendingPathComponent(".out-\(tag)"), errFile = directory.appendingPathComponent(".err-\(tag)")
        let inFile = directory.appendingPathComponent(".in-\(tag)")
        _ = fm.createFile(atPath: outFile.path, contents: nil)
        _ = fm.createFile(atPath: errFile.path, contents: nil)
        _ = fm.createFile(atPath: inFile.path, contents: Data((stdin ?? "").utf8))
        defer { for f in [outFile, errFile, inFile] { try? fm.removeItem(at: f) } }
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        p.currentDirectoryURL = directory
        p.environment = environment
        p.standardOutput = try FileHandle(forWritingTo: outFile)
        p.standardError = try FileHandle(forWritingTo: errFile)
        p.standardInput = stdin == nil ? FileHandle.nullDevice : try FileHandle(forReadingFrom: inFile)
        try p.run()
        while p.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        p.waitUntilExit()   // returns at once: the child has ended
        return ChildOutput(status: p.terminationStatus, out: try String(contentsOf: outFile, encoding: .utf8),
                           err: try String(contentsOf: errFile, encoding: .utf8))
    }
}
