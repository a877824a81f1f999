#!/usr/bin/env python3
"""Contract fuzzing of `workbench serve` with schemathesis (not part of CI's tests).

Trains two small models on the bundled zh-reviews data (an SVM folder and a tiny neural
folder; or serves --model-dir DIR instead), starts `workbench serve` on a free loopback port,
runs schemathesis against the server's own GET /openapi.yaml (every operation; every check,
among them not_a_server_error, status/content-type/response-schema conformance, negative data
rejection and positive data acceptance; all phases), stops the server and prints: requests
sent, 5xx answers, crashes (the server gone, or a connection refused or reset) and contract
violations. Exits 1 unless there were at least --min-requests requests, no 5xx, no crash and
no violation.

    python3 Benchmarks/serve/fuzz.py                           # release build, 2 models
    python3 Benchmarks/serve/fuzz.py --model-dir m --examples 300 --seed 7
    python3 Benchmarks/serve/fuzz.py --workbench /path/to/workbench

Run with any Python 3.11: the script makes its own virtual environment (.venv-serve-fuzz/ at
the repository root, git-ignored) with schemathesis from requirements-fuzz.txt beside it,
installs it from PyPI the first time, and re-runs itself there. Loopback only; the server is
killed on every way out (end, error, Ctrl-C, SIGTERM).
"""

import argparse
import atexit
import collections
import hashlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
REQUIREMENTS = HERE / "requirements-fuzz.txt"
DATA = REPO / "Data" / "zh-reviews"
TINY = {"layers": [{"type": "embedding", "dim": 16}, {"type": "global_average_pooling1d"},
                   {"type": "dense", "units": 1, "activation": "sigmoid"}]}
# schemathesis's failure codes: ST101/ST102 are 5xx answers, ST103… an answer the contract does
# not describe (status, content type, headers, body schema); ST2xx a request accepted or refused
# against the contract.
SERVER_ERROR_CODES = {"ST101", "ST102"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def in_venv(venv):
    return pathlib.Path(sys.prefix).resolve() == venv.resolve()


def bootstrap(venv):
    """Creates `venv` when missing, installs requirements-fuzz.txt when it changed since the
    last install, and re-executes this script with the environment's Python."""
    python = venv / "bin" / "python"
    if not python.exists():
        log(f"creating {venv}")
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
    stamp = venv / ".serve-fuzz-requirements.sha256"
    want = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != want:
        log(f"installing {REQUIREMENTS.relative_to(REPO)} into {venv} (PyPI)")
        subprocess.check_call([str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)])
        stamp.write_text(want + "\n")
    os.execv(str(python), [str(python), str(pathlib.Path(__file__).resolve()), *sys.argv[1:]])


def run(cmd, timeout=600):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({p.returncode}): {p.stderr.strip()[-2000:]}")
    return p.stdout


class ServeProcess:
    """`workbench serve --port 0` as a child; its address read from its first line."""

    def __init__(self, workbench, args, work, timeout=120):
        self.out = open(work / "serve.out", "w+")
        self.err_path = work / "serve.err"
        self.err = open(self.err_path, "w")
        env = dict(os.environ, OPENBLAS_NUM_THREADS=os.environ.get("OPENBLAS_NUM_THREADS", "1"))
        self.proc = subprocess.Popen([str(workbench), "serve", "--host", "127.0.0.1", "--port", "0", *map(str, args)],
                                     stdout=self.out, stderr=self.err, stdin=subprocess.DEVNULL, env=env,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            self.out.seek(0)
            line = next((l for l in self.out.read().splitlines() if l.startswith("listening on http://")), None)
            if line:
                self.base = line.split("listening on ", 1)[1].strip()
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"workbench serve exited with {self.proc.returncode}: {self.err_path.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"workbench serve did not say where it listens within {timeout} s")
            time.sleep(0.05)

    def alive(self):
        return self.proc.poll() is None

    def stop(self, grace=20):
        """SIGTERM (graceful: in-flight requests finish), SIGKILL past the grace period."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def train(workbench, work):
    """An SVM folder and a tiny neural folder on zh-reviews' training set (a few seconds)."""
    spec = work / "tiny.json"
    spec.write_text(json.dumps(TINY))
    svm, tiny = work / "svm", work / "tiny"
    log("training the SVM and the tiny neural model on zh-reviews")
    run([workbench, "train", "--data", DATA / "train.tsv", "--model", "svm", "--save", svm])
    run([workbench, "train", "--data", DATA / "train.tsv", "--model", spec, "--epochs", "1", "--max-length", "40",
         "--vocab-size", "2000", "--save", tiny])
    return [f"svm={svm}", f"tiny={tiny}"]


def git_head():
    p = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO)
    return p.stdout.strip() or "?"


def write_section(path, heading, section):
    """Replaces the section under `heading` (to the next "## " heading or the end), or appends it."""
    import re
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    m = re.search("^" + re.escape(heading) + r"\n.*?(?=^## |\Z)", text, re.M | re.S)
    text = text[:m.start()] + section + text[m.end():] if m else text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def summarize(report_dir):
    """Counts from schemathesis's HAR (every request and answer) and JSON run report."""
    har = json.loads(next(report_dir.glob("har*.json")).read_text())
    report = json.loads(next(report_dir.glob("json*.json")).read_text())
    entries = har["log"]["entries"]
    statuses = collections.Counter(e["response"]["status"] for e in entries)
    server_errors = [e for e in entries if e["response"]["status"] >= 500]
    no_answer = [e for e in entries if e["response"]["status"] == 0]
    operations = collections.Counter()
    for e in entries:
        path = "/" + e["request"]["url"].split("/", 3)[-1].split("?")[0]
        operations[(e["request"]["method"], path.split("/v1/models/")[0] + ("/v1/models/{name}" if "/v1/models/" in path else ""))] += 1
    return entries, statuses, server_errors, no_answer, operations, report


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workbench", default=str(REPO / ".build" / "release" / "workbench"))
    ap.add_argument("--model-dir", help="serve this saved model folder instead of training two")
    ap.add_argument("--examples", type=int, default=400, help="schemathesis --max-examples per operation (default 400)")
    ap.add_argument("--seed", type=int, default=1, help="schemathesis's seed (default 1)")
    ap.add_argument("--max-time", type=int, help="schemathesis's --max-time: fuzz (repeating) for this many seconds")
    ap.add_argument("--timeout", type=int, default=1800, help="stop schemathesis after this many seconds (default 1800)")
    ap.add_argument("--min-requests", type=int, default=1000)
    ap.add_argument("--keep", help="keep the reports and the server's log in this folder")
    ap.add_argument("--write", action="store_true", help="put the figures into BENCHMARKS.md's \"Serving: contract fuzzing\" section")
    ap.add_argument("--venv", default=str(REPO / ".venv-serve-fuzz"))
    ap.add_argument("--no-venv", action="store_true", help="use the running interpreter")
    args = ap.parse_args()
    if not args.no_venv and not in_venv(pathlib.Path(args.venv)):
        bootstrap(pathlib.Path(args.venv))
    if not pathlib.Path(args.workbench).exists():
        sys.exit(f"{args.workbench}: no such binary (swift build -c release, or --workbench PATH)")

    work = pathlib.Path(args.keep).resolve() if args.keep else pathlib.Path(tempfile.mkdtemp(prefix="serve-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    server = None

    def cleanup():
        if server is not None:
            server.stop()
    atexit.register(cleanup)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(130))

    models = ["--model-dir", args.model_dir] if args.model_dir else [a for m in train(args.workbench, work) for a in ("--model", m)]
    server = ServeProcess(args.workbench, models, work)
    log(f"serving {' '.join(models)} at {server.base}")
    with urllib.request.urlopen(server.base + "/openapi.yaml", timeout=30) as r:
        assert r.status == 200

    reports = work / "reports"
    cmd = [pathlib.Path(sys.executable).parent / "st", "run", server.base + "/openapi.yaml", "--url", server.base,
           "--checks", "all", "--max-examples", args.examples, "--seed", args.seed, "--continue-on-failure",
           "--workers", "1", "--request-timeout", "30",
           "--report", "har,json", "--report-dir", reports, "--output-truncate", "false"]
    if args.max_time:
        cmd += ["--max-time", args.max_time]
    log("running " + " ".join(map(str, cmd)))
    started = time.monotonic()
    # In the work folder: schemathesis keeps its example database in ./.schemathesis, and a fresh
    # one keeps a run reproducible from its seed.
    st = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                        timeout=args.timeout, cwd=work)
    seconds = time.monotonic() - started
    alive = server.alive()
    if alive:
        with urllib.request.urlopen(server.base + "/healthz", timeout=30) as r:
            alive = r.status == 200
    exit_status = server.stop()
    server = None
    (work / "schemathesis.txt").write_text(st.stdout)

    entries, statuses, server_errors, no_answer, operations, report = summarize(reports)
    failures = report.get("failures", [])
    violations = [f for f in failures if f.get("code", "").startswith("ST1") and f.get("code") not in SERVER_ERROR_CODES]
    crashes = (0 if alive else 1) + len(no_answer) + len(report.get("errors", []))

    print(f"schemathesis {report.get('schemathesis_version')}, seed {args.seed}, {args.examples} examples per operation, "
          f"{seconds:.0f} s; phases: " + ", ".join(f"{k} {v['status']}" for k, v in report.get("phases", {}).items()))
    print(f"operations tested:   {report['operations']['tested']} of {report['operations']['total']}")
    print("requests by operation: " + ", ".join(f"{m} {p} {n}" for (m, p), n in sorted(operations.items(), key=lambda x: -x[1])))
    print("answers by status:   " + ", ".join(f"{s} ×{n}" for s, n in sorted(statuses.items())))
    print(f"requests sent:       {len(entries)}")
    print(f"test cases:          {report['test_cases']['generated']}")
    print(f"5xx answers:         {len(server_errors)}")
    print(f"crashes:             {crashes} (server {'alive and healthy' if alive else 'GONE'} at the end; "
          f"{len(no_answer)} requests without an answer; {len(report.get('errors', []))} schemathesis errors; "
          f"exit status after SIGTERM {exit_status})")
    print(f"schema violations:   {len(violations)}")
    print(f"other check failures: {len(failures) - len(violations)}")
    for f in failures:
        print(f"  {f.get('code')} {f.get('title')} ×{f.get('count')}: {', '.join(f.get('operations', []))}")
    for e in server_errors[:5]:
        print(f"  5xx: {e['request']['method']} {e['request']['url']} {e['request'].get('postData', {}).get('text', '')[:300]}"
              f" → {e['response']['status']} {e['response'].get('content', {}).get('text', '')[:300]}")
    if failures:
        print(f"schemathesis's own account: {work / 'schemathesis.txt'}")
    ok = len(entries) >= args.min_requests and not server_errors and crashes == 0 and not failures
    if len(entries) < args.min_requests:
        print(f"only {len(entries)} requests, fewer than --min-requests {args.min_requests}: raise --examples")
    print("PASS" if ok else "FAIL")
    if args.write:
        phases = ", ".join(f"{k} {v['status']}" for k, v in report.get("phases", {}).items())
        lines = [
            "## Serving: contract fuzzing", "",
            f"Measured by `python3 Benchmarks/serve/fuzz.py {' '.join(sys.argv[1:])}` on "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} (git {git_head()}): schemathesis "
            f"{report.get('schemathesis_version')} against the live server's GET /openapi.yaml, every operation, every check "
            f"(`--checks all`: not_a_server_error, status code, content type, headers and response schema conformance, "
            f"negative data rejection, positive data acceptance, …), every phase "
            f"({phases}), seed {args.seed}, "
            f"{args.examples} examples per operation, serving {'the model folder given' if args.model_dir else 'an SVM and a tiny neural model by name'}.",
            "",
            "| requests sent | test cases | 5xx answers | crashes | schema violations | other check failures | answers by status |",
            "|---:|---:|---:|---:|---:|---:|---|",
            f"| {len(entries):,} | {report['test_cases']['generated']:,} | {len(server_errors)} | {crashes} | {len(violations)} | "
            f"{len(failures) - len(violations)} | {', '.join(f'{s} ×{n}' for s, n in sorted(statuses.items()))} |",
            "",
        ]
        write_section(REPO / "BENCHMARKS.md", "## Serving: contract fuzzing", "\n".join(lines) + "\n")
    if not args.keep and ok:
        subprocess.run(["rm", "-rf", str(work)])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
