import Foundation

/// A test hook in the file-writing layer: makes chosen writes fail the way a full disk does
/// (part of the bytes written, then ENOSPC), so tests can check,
/// deterministically, that a failed save is an error and leaves nothing half-written.
///
/// Inactive unless a test installs a rule (in-process tests: rules are scoped to a folder, so
/// tests running in parallel never see each other's faults), or a child process is started
/// with `WORKBENCH_TEST_WRITE_FAULTS=NAME@AFTER[,NAME@AFTER…]` (only tests set it): writes to
/// files whose name contains NAME fail once AFTER of them have succeeded.
public enum WriteFaults {
    public static let environmentVariable = "WORKBENCH_TEST_WRITE_FAULTS"

    /// Writes to files under `directory` (any, when nil) whose name contains `name` fail once
    /// `after` of them have succeeded.
    public struct Rule: Sendable {
        public var directory: String?
        public var name: String
        public var after: Int

        public init(directory: URL?, name: String, after: Int = 0) {
            self.directory = directory.map { $0.standardizedFileURL.path }
            self.name = name
            self.after = after
        }

        func matches(_ url: URL) -> Bool {
            guard url.lastPathComponent.contains(name) else { return false }
            guard let directory else { return true }
            let path = url.standardizedFileURL.path
            return path.hasPrefix(directory.hasSuffix("/") ? directory : directory + "/")
        }
    }

    /// Installs a rule until `remove` is called with the returned token.
    public static func install(_ rule: Rule) -> Int { registry.install(rule) }

    public static func remove(_ token: Int) { registry.remove(token) }

    /// Writes `data` through `handle`, which is being written to become `destination`; under a
    /// matching rule, writes half of it and throws as a full disk does.
    public static func write(_ data: Data, to handle: FileHandle, destination: URL) throws {
        if registry.shouldFail(destination) {
            try handle.write(contentsOf: data.prefix(data.count / 2))
            throw outOfSpace
        }
        try handle.write(contentsOf: data)
    }

    /// Throws as a full disk does when a rule says the next write to `destination` fails
    /// (for writers that do not go through `write(_:to:destination:)`, e.g. appends).
    public static func check(_ destination: URL) throws {
        if registry.shouldFail(destination) { throw outOfSpace }
    }

    /// What Foundation throws for ENOSPC.
    static var outOfSpace: CocoaError {
        CocoaError(.fileWriteOutOfSpace, userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
    }

    private static let registry = Registry(environment: ProcessInfo.processInfo.environment[environmentVariable])

    private final class Registry: @unchecked Sendable {
        private let lock = NSLock()
        private var rules: [Int: (rule: Rule, succeeded: Int)] = [:]
        private var next = 1

        init(environment: String?) {
            for part in (environment ?? "").split(separator: ",") {
                let fields = part.split(separator: "@", maxSplits: 1)
                guard let name = fields.first, !name.isEmpty else { continue }
                let after = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
                _ = install(Rule(directory: nil, name: String(name), after: max(0, after)))
            }
        }

        func install(_ rule: Rule) -> Int {
            lock.lock(); defer { lock.unlock() }
            let token = next
            next += 1
            rules[token] = (rule, 0)
            return token
        }

        func remove(_ token: Int) {
            lock.lock(); defer { lock.unlock() }
            rules[token] = nil
        }

        /// Counts a matching write; true when a rule has let enough through.
        func shouldFail(_ url: URL) -> Bool {
            lock.lock(); defer { lock.unlock() }
            if rules.isEmpty { return false }
            var fail = false
            for (token, entry) in rules where entry.rule.matches(url) {
                if entry.succeeded >= entry.rule.after {
                    fail = true
                } else {
                    rules[token]?.succeeded += 1
                }
            }
            return fail
        }
    }
}
