#!/usr/bin/env python3
"""Keystroke-to-screen latency of the terminal workbench while it trains.

Runs the release `workbench` in a real pseudo-terminal on a copy of the bundled reviews, starts
training (which keeps a core busy), focuses the console and types letters one at a time,
timing from the write of each key to the first output that contains its echo. Prints the
median and p99 in milliseconds.

Usage: Benchmarks/ui_latency.py [--keys 60] [--binary .build/release/workbench]
"""
import argparse, os, pty, select, shutil, statistics, sys, tempfile, time

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

        def read_for(seconds):
            end = time.monotonic() + seconds
            out = b""
            while time.monotonic() < end:
                r, _, _ = select.select([fd], [], [], max(0, end - time.monotonic()))
                if r:
                    try:
                        out += os.read(fd, 65536)
                    except OSError:
                        break
            return out

        read_for(3.0)                       # start-up and first frame
        os.write(fd, b"t"); read_for(3.0)   # training, a core busy
        os.write(fd, b"4"); read_for(0.5)   # focus the console
        latencies = []
        letters = b"abcdefghijklmnopqrstuvwxyz"
        for i in range(args.keys):
            ch = letters[i % 26:i % 26 + 1]
            read_for(0.02)                  # drain what training redraws
            t0 = time.monotonic()
            os.write(fd, ch)
            buf = b""
            while time.monotonic() - t0 < 2.0:
                r, _, _ = select.select([fd], [], [], 2.0)
                if not r:
                    break
                buf += os.read(fd, 65536)
                if ch in buf:
                    latencies.append((time.monotonic() - t0) * 1000)
                    break
            if i % 26 == 25:                # clear the line now and then (Ctrl-U)
                os.write(fd, b"\x15"); read_for(0.05)
        os.write(fd, b"\x1b"); read_for(0.2)
        os.write(fd, b"x"); read_for(1.0)  # stop training
        os.write(fd, b"q"); read_for(1.0)
        os.waitpid(pid, 0)
        latencies.sort()
        if not latencies:
            print("no echo seen"); sys.exit(1)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"keystroke to screen while training ({args.model}): median {statistics.median(latencies):.2f} ms, "
              f"p99 {p99:.2f} ms, max {latencies[-1]:.2f} ms over {len(latencies)} keys")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

if __name__ == "__main__":
    main()
