import Foundation
import Testing
import TestSupport

/// Drives the real `workbench` binary in tmux, the way a person would: open on a small data
/// set, train, watch the chart and status line move, classify a sentence in the console,
/// resize to 40×12 and below and back, save, quit; then check the session is on disk. The UI
/// writes its idle count to WORKBENCH_IDLE_FILE, so after a key the test waits for the UI to
/// settle rather than sleeping; screen conditions are polled with a deadline.
@Suite(.serialized) struct TmuxWorkbenchTests {
    @Test func trainClassifyResizeSaveQuit() async throws {
        let t = try TmuxSession()
        defer { t.kill() }

        try await t.waitForScreen("dataset pane with the data file") { $0.contains("small.tsv") && $0.contains("Model") }
        #expect(t.screen().contains("no data yet"), "the chart starts empty")
        #expect(t.statusLine().contains("small") && t.statusLine().contains("idle"), "status: \(t.statusLine())")

        // Train: the status line and the chart change.
        try await t.press("t")
        try await t.waitForScreen("training to finish", timeout: 120) { _ in t.statusLine().contains("finished") }
        #expect(!t.screen().contains("no data yet"), "the chart shows the run")
        #expect(t.screen().contains("train") && t.screen().contains("val"), "legend with train and validation")

        // Console: type a sentence, see a probability per class.
        try await t.press("4")
        try await t.type("房间很干净，服务很好")
        try await t.waitForScreen("probabilities in the console") { s in
            s.contains("房间很干净") && s.range(of: #"(neg|pos) +[█▏▎▍▌▋▊▉·]+ +[01]\.\d\d"#, options: .regularExpression) != nil
        }
        try await t.press("Escape")

        // A learner as the next run: the model pane draws it, t trains it, the chart gains it.
        try await t.command("preset svm")
        try await t.waitForScreen("the SVM in the model pane") { $0.contains("LinearSVM(C=1.0") && $0.contains("TF-IDF") }
        try await t.press("t")
        try await t.waitForScreen("the SVM trained", timeout: 60) { s in t.statusLine().contains("finished") && s.contains("run 2 svm") }
        // The leaderboard lists both runs; the console answers with run 1 again on request.
        try await t.press("R")
        try await t.waitForScreen("the leaderboard") { s in
            s.contains("Runs, best first") && s.contains("run 2  svm") && s.contains("run 1  Embedding(10)")
        }
        try await t.press("Escape")
        try await t.command("use 1")
        try await t.waitForScreen("the console on run 1") { $0.contains("Console · run 1 Embedding(10)") }

        // Resize to the minimum and below, then back.
        try await t.resize(40, 12)
        try await t.waitForScreen("a 40×12 layout") { s in s.split(separator: "\n").count <= 12 && !s.contains("too small") }
        try await t.resize(39, 11)
        try await t.waitForScreen("the too-small notice") { $0.contains("too small") }
        try await t.resize(120, 40)
        try await t.waitForScreen("the full layout again") { $0.contains("small.tsv") && $0.contains("Console") }

        // Save, quit; the session is on disk.
        try await t.press("s")
        try await t.waitForScreen("saved message") { _ in t.statusLine().contains("saved") || t.statusLine().contains("nothing") }
        try await t.press("q")
        try await t.waitForScreen("the program to exit", timeout: 30) { $0.contains("EXIT=0") }
        let dir = t.root.appendingPathComponent("S/small")
        for f in ["session.json", "weights.safetensors", "optimizer.safetensors", "history.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path), "\(f) saved")
        }
        let history = try String(contentsOf: dir.appendingPathComponent("history.jsonl"), encoding: .utf8)
        #expect(history.contains("\"type\":\"epoch\""), "epochs logged")
    }
}

/// A tmux session running the workbench on a small copy of the bundled data.
final class TmuxSession {
    let root: URL
    let name = "wbtest-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let idleFile: URL

    /// `epochs`: per training run of the new session (long ones for tests that interrupt it).
    init(epochs: Int = 2) throws {
        guard Self.which("tmux") != nil else {
            Issue.record("tmux is not installed (apt-get install tmux; .ci/run installs it)")
            throw CancellationError()
        }
        root = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        idleFile = root.appendingPathComponent("idle")
        // 400 reviews from the bundled set: enough to learn something in seconds.
        let lines = try String(contentsOf: TestPaths.dataFile("zh-reviews", "train.tsv"), encoding: .utf8)
            .split(separator: "\n").prefix(400)
        try (lines.joined(separator: "\n") + "\n").write(to: root.appendingPathComponent("small.tsv"), atomically: true, encoding: .utf8)
        let exe = try Self.workbench()
        let command = "cd '\(root.path)' && env WORKBENCH_IDLE_FILE='\(idleFile.path)' LANG=C.UTF-8 TERM=xterm-256color OPENBLAS_NUM_THREADS=1 "
            + "'\(exe.path)' ui --sessions-dir S --data small.tsv --session small --model seed --epochs \(epochs); echo EXIT=$?; sleep 600"
        try tmux(["new-session", "-d", "-s", name, "-x", "120", "-y", "40", command])
    }

    func kill() {
        _ = try? tmux(["kill-server"])
        try? FileManager.default.removeItem(at: root)
    }

    func screen() -> String { (try? tmux(["capture-pane", "-p", "-t", name])) ?? "" }

    func statusLine() -> String {
        let rows = screen().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return rows.last { $0.contains("│") && !$0.hasPrefix("┃") && !$0.hasPrefix("│") && !$0.hasPrefix("┗") && !$0.hasPrefix("└") } ?? ""
    }

    private func idleCount() -> Int {
        Int((try? String(contentsOf: idleFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
    }

    /// Waits until the UI has gone idle after what was just done (its idle count moves).
    func waitIdle(after before: Int, timeout: Double = 10) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while idleCount() <= before {
            if Date() > deadline { Issue.record("the UI did not go idle within \(timeout)s"); throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func press(_ key: String) async throws {
        let before = idleCount()
        try tmux(["send-keys", "-t", name, key])
        try await waitIdle(after: before)
    }

    func type(_ text: String) async throws {
        let before = idleCount()
        try tmux(["send-keys", "-t", name, "-l", text])
        try await waitIdle(after: before)
    }

    /// Runs a `:` command line.
    func command(_ line: String) async throws {
        try await press(":")
        try await type(line)
        try await press("Enter")
    }

    func resize(_ w: Int, _ h: Int) async throws {
        let before = idleCount()
        try tmux(["resize-window", "-t", name, "-x", "\(w)", "-y", "\(h)"])
        try await waitIdle(after: before)
    }

    func waitForScreen(_ what: String, timeout: Double = 20, _ ok: (String) -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let s = screen()
            if ok(s) { return }
            if Date() > deadline {
                Issue.record("timed out waiting for \(what); screen:\n\(s)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs `tmux -S <a socket in the test folder> args…` and returns its standard output.
    ///
    /// Not through Foundation's Process: the first tmux command forks the tmux server, which
    /// keeps every descriptor it inherited, among them the socket by which Process learns
    /// that its child ended, so `waitUntilExit` never returned on a machine with no tmux
    /// server yet (as in CI). Here the child gets /dev/null, one output pipe and nothing
    /// else (closefrom 3), and waitpid reaps it.
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        try Self.spawn(["tmux", "-S", root.appendingPathComponent("tmux.socket").path] + args)
    }

    static func spawn(_ args: [String]) throws -> String {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        closeDescriptorsFrom3(&actions)
        // The calling thread (a Dispatch worker) blocks nearly every signal, and a spawned
        // child inherits that mask: reset it and every disposition, or the tmux server and
        // the pane's processes ignore kill-server's SIGHUP and outlive the test.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, args[0], &actions, &attributes, argv, environ)
        close(writeEnd)
        guard rc == 0 else { close(readEnd); throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .ENOENT) }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(readEnd, &buffer, buffer.count)
            if n > 0 { output += buffer[0..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        close(readEnd)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return String(decoding: output, as: UTF8.self)
    }

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), looked up at run time since
    /// the Glibc module does not export it; without it, each open descriptor is closed by name.
    private static func closeDescriptorsFrom3(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let fd = Int32(entry), fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
    }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// The built `workbench` executable, beside the test bundle (.build/<triple>/debug/).
    static func workbench() throws -> URL {
        do { return try TestPaths.workbenchExecutable() } catch {
            Issue.record("\(error)")
            throw CancellationError()
        }
    }
}
