#!/usr/bin/env python3
"""Keystroke-to-screen latency of the terminal workbench while it trains.

Runs the release `workbench` in a real pseudo-terminal on a copy of the bundled reviews, starts
training (which keeps a core busy), focuses the console and types letters one at a time,
timing from the write of each key to the first output after which the typed text (the whole
line typed so far, not just the key's letter) is on the screen one more time than before. The
output is replayed on a small model of the terminal's screen (cursor moves, erases and text
of the sequences ncurses sends for xterm-256color), because ncurses sends only what changed:
a redraw of the status line or the chart that happens to contain the letter is not an echo.
Prints the median and p99 in milliseconds.

Usage: Benchmarks/ui_latency.py [--keys 60] [--binary .build/release/workbench]
"""
import argparse, codecs, os, pty, re, select, shutil, statistics, sys, tempfile, time, unicodedata

CSI = re.compile(r"\x1b\[([?>=]?)([0-9;]*)([ -/]*)([@-~])")

class Screen:
    """Enough of a VT100/xterm screen to read back what ncurses drew: text, cursor moves
    (CUP, CUU/CUD/CUF/CUB, HPA, VPA, CR, LF, BS), erases (EL, ED, ECH), REP, ICH, DCH;
    colours, modes and other sequences are skipped."""

    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols
        self.cells = [[" "] * cols for _ in range(rows)]
        self.y = self.x = 0
        self.last = " "
        self.pending = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def text(self):
        return ["".join(c for c in row if c is not None) for row in self.cells]

    def count(self, needle):
        return sum(line.count(needle) for line in self.text())

    def put(self, ch):
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else (0 if unicodedata.combining(ch) else 1)
        if w == 0:
            return
        if self.x + w > self.cols:
            self.x, self.y = 0, min(self.rows - 1, self.y + 1)
        self.cells[self.y][self.x] = ch
        if w == 2 and self.x + 1 < self.cols:
            self.cells[self.y][self.x + 1] = None   # the right half of a wide character
        self.x = min(self.cols, self.x + w)
        self.last = ch

    def feed(self, data):
        s = self.pending + self.decoder.decode(data)
        self.pending = ""
        i = 0
        while i < len(s):
            c = s[i]
            if c == "\x1b":
                m = CSI.match(s, i)
                if m:
                    self.csi(m.group(1), m.group(2), m.group(4))
                    i = m.end()
                    continue
                if i + 1 >= len(s) or (s[i + 1] in "[]()" and i + 2 >= len(s)):
                    self.pending = s[i:]          # a sequence cut between reads
                    return
                if s[i + 1] == "]":               # OSC: up to BEL or ST
                    end = s.find("\x07", i)
                    st = s.find("\x1b\\", i)
                    ends = [e for e in (end, st) if e >= 0]
                    if not ends:
                        self.pending = s[i:]
                        return
                    i = min(ends) + (1 if min(ends) == end else 2)
                    continue
                if s[i + 1] == "[":               # a CSI not complete yet
                    self.pending = s[i:]
                    return
                if s[i + 1] == "M":
                    self.y = max(0, self.y - 1)
                i += 3 if s[i + 1] in "()*+#" else 2
                continue
            if c == "\r":
                self.x = 0
            elif c == "\n":
                self.y = min(self.rows - 1, self.y + 1)
            elif c == "\b":
                self.x = max(0, self.x - 1)
            elif c >= " " and c != "\x7f":
                self.put(c)
            i += 1

    def csi(self, private, params, final):
        if private:
            return
        ns = [int(p) if p else 0 for p in params.split(";")] if params else []
        n = (ns[0] if ns else 0) or 1
        row = self.cells[self.y] if self.y < self.rows else None
        if final in "Hf":
            self.y = min(self.rows - 1, max(0, (ns[0] if ns else 1) - 1))
            self.x = min(self.cols - 1, max(0, (ns[1] if len(ns) > 1 else 1) - 1))
        elif final == "A": self.y = max(0, self.y - n)
        elif final == "B": self.y = min(self.rows - 1, self.y + n)
        elif final == "C": self.x = min(self.cols - 1, self.x + n)
        elif final == "D": self.x = max(0, self.x - n)
        elif final == "G": self.x = min(self.cols - 1, n - 1)
        elif final == "d": self.y = min(self.rows - 1, n - 1)
        elif final == "K":
            mode = ns[0] if ns else 0
            lo, hi = {0: (self.x, self.cols), 1: (0, self.x + 1), 2: (0, self.cols)}.get(mode, (0, 0))
            for j in range(lo, min(hi, self.cols)):
                row[j] = " "
        elif final == "J":
            mode = ns[0] if ns else 0
            if mode in (2, 3):
                self.cells = [[" "] * self.cols for _ in range(self.rows)]
            elif mode == 0:
                self.csi("", "0", "K")
                for r in range(self.y + 1, self.rows):
                    self.cells[r] = [" "] * self.cols
        elif final == "X":
            for j in range(self.x, min(self.cols, self.x + n)):
                row[j] = " "
        elif final == "b":
            for _ in range(n):
                self.put(self.last)
        elif final == "@":
            row[self.x:] = ([" "] * n + row[self.x:])[: self.cols - self.x]
        elif final == "P":
            row[self.x:] = (row[self.x + n:] + [" "] * n)[: self.cols - self.x]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=60)
    ap.add_argument("--binary", default=".build/release/workbench")
    ap.add_argument("--model", default="lstm")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = os.path.join(root, args.binary) if not os.path.isabs(args.binary) else args.binary
    tmp = tempfile.mkdtemp(prefix="wb-latency-")
    try:
        shutil.copy(os.path.join(root, "Data/zh-reviews/train.tsv"), os.path.join(tmp, "train.tsv"))
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", OPENBLAS_NUM_THREADS="1",
                   COLUMNS="160", LINES="48")
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(tmp)
            os.execve(binary, [binary, "ui", "--sessions-dir", "S", "--data", "train.tsv", "--session", "lat",
                               "--model", args.model, "--epochs", "20"], env)
        import fcntl, struct, termios
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))

        screen = Screen(48, 160)

        def read_for(seconds):
            end = time.monotonic() + seconds
            out = b""
            while time.monotonic() < end:
                r, _, _ = select.select([fd], [], [], max(0, end - time.monotonic()))
                if r:
                    try:
                        data = os.read(fd, 65536)
                    except OSError:
                        break
                    out += data
                    screen.feed(data)
            return out

        def wait_for(word, seconds):
            """Reads until `word` is on the screen (the app drew it), or fails after `seconds`:
            keys typed before the workbench owns the terminal would be the tty's own echo."""
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                if any(word in line for line in screen.text()):
                    return
                read_for(0.1)
            print(f"the workbench did not show '{word}' within {seconds:.0f} s"); sys.exit(1)

        wait_for("Console", 60)             # start-up and first frame
        read_for(1.0)
        os.write(fd, b"t")
        wait_for("training", 30)            # training, a core busy
        read_for(2.0)
        os.write(fd, b"4"); read_for(0.5)   # focus the console
        latencies = []
        missed = 0
        letters = "abcdefghijklmnopqrstuvwxyz"
        typed = ""
        for i in range(args.keys):
            ch = letters[i % 26]
            read_for(0.02)                  # drain what training redraws
            typed += ch
            before = screen.count(typed)
            t0 = time.monotonic()
            os.write(fd, ch.encode())
            seen = False
            while time.monotonic() - t0 < 2.0:
                r, _, _ = select.select([fd], [], [], 2.0)
                if not r:
                    break
                try:
                    screen.feed(os.read(fd, 65536))
                except OSError:
                    break
                if screen.count(typed) > before:
                    latencies.append((time.monotonic() - t0) * 1000)
                    seen = True
                    break
            missed += 0 if seen else 1
            if i % 26 == 25:                # clear the line now and then (Ctrl-U)
                os.write(fd, b"\x15"); read_for(0.05)
                typed = ""
        os.write(fd, b"\x1b"); read_for(0.2)
        os.write(fd, b"x"); read_for(1.0)  # stop training
        os.write(fd, b"q"); read_for(1.0)
        os.waitpid(pid, 0)
        latencies.sort()
        if not latencies:
            print("no echo seen"); sys.exit(1)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"keystroke to screen while training ({args.model}): median {statistics.median(latencies):.2f} ms, "
              f"p99 {p99:.2f} ms, max {latencies[-1]:.2f} ms over {len(latencies)} keys"
              + (f" ({missed} echoes not seen within 2 s)" if missed else ""))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

if __name__ == "__main__":
    main()
