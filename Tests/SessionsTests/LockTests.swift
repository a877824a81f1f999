import Engine
import Foundation
import Testing
@testable import Sessions

/// The session lock is one the operating system holds for as long as the session is open:
/// deleting or replacing the `.lock` file never admits a second writer, and nothing inside a
/// session folder is reached through a symbolic link.
@Suite struct LockTests {
    static func session() async throws -> (TempDir, SessionStore) {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        let store = SessionStore(root: tmp.file("S"))
        _ = try await withManager(store) { m in
            try await m.create("l", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1, layers: Synthetic.pooled))
        }
        return (tmp, store)
    }

    @Test func deletingTheLockFileDoesNotAdmitASecondWriter() async throws {
        let (tmp, store) = try await Self.session()
        try await withManager(store) { first in
            try await first.open("l")
            try FileManager.default.removeItem(at: tmp.file("S/l/.lock"))
            try await withManager(store) { second in
                do {
                    try await second.open("l")
                    Issue.record("a second writer took the session after its .lock file was deleted")
                } catch let SessionError.locked(session, _) {
                    #expect(session == "l")
                }
                let listing = try #require(try await second.list().first { $0.name == "l" })
                #expect(listing.isLocked)
                await #expect(throws: SessionError.self) { try await second.delete("l") }
            }
            // A lock file put back by hand (another inode) changes nothing either.
            try Data("999999\n".utf8).write(to: tmp.file("S/l/.lock"))
            try await withManager(store) { second in
                await #expect(throws: SessionError.self) { try await second.open("l") }
                return
            }
        }
        // Released with the session: the next writer takes it.
        _ = try await withManager(store) { m in try await m.open("l") }
    }

    /// The lock is held by the session folder itself: renaming the open session keeps it.
    @Test func lockFollowsARenamedSession() async throws {
        let (tmp, store) = try await Self.session()
        defer { withExtendedLifetime(tmp) {} }
        try await withManager(store) { first in
            try await first.open("l")
            try await first.rename("l", to: "m")
            try await withManager(store) { second in
                do {
                    try await second.open("m")
                    Issue.record("a second writer took the renamed session")
                } catch SessionError.locked {}
            }
        }
    }

    @Test func symlinkedLockFileIsRefusedAndNotWrittenThrough() async throws {
        let (tmp, store) = try await Self.session()
        let outside = tmp.file("outside.txt")
        try Data("keep me\n".utf8).write(to: outside)
        let lock = tmp.file("S/l/.lock")
        try? FileManager.default.removeItem(at: lock)
        try FileManager.default.createSymbolicLink(at: lock, withDestinationURL: outside)
        try await withManager(store) { m in
            do {
                try await m.open("l")
                Issue.record("opened with a symlinked .lock")
            } catch {
                #expect("\(error)".contains(".lock") && "\(error)".contains("symbolic link"), "\(error)")
            }
        }
        #expect(try String(contentsOf: outside, encoding: .utf8) == "keep me\n", "the PID was written outside the session folder")
    }

    /// Session files that are symbolic links are refused by name, for reading and writing.
    @Test(arguments: [SessionStore.sessionFile, SessionStore.weightsFile, SessionStore.historyFile])
    func symlinkedSessionFileIsRefused(_ file: String) async throws {
        let (tmp, store) = try await Self.session()
        let url = tmp.file("S/l/\(file)")
        let outside = tmp.file("outside-\(file)")
        try FileManager.default.moveItem(at: url, to: outside)
        try FileManager.default.createSymbolicLink(at: url, withDestinationURL: outside)
        let before = try Data(contentsOf: outside)
        for readOnly in [true, false] {
            try await withManager(store) { m in
                do {
                    try await m.open("l", readOnly: readOnly)
                    if !readOnly {
                        try await m.open("l").train()
                        _ = try await m.open("l", readOnly: true).waitUntilSettled()
                        try await m.close("l")
                    }
                    Issue.record("used a symlinked \(file) (read-only: \(readOnly))")
                } catch {
                    #expect("\(error)".contains(file) && "\(error)".contains("symbolic link"), "\(error)")
                }
            }
        }
        #expect(try Data(contentsOf: outside) == before, "written through the link")
    }
}
