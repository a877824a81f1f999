#!/usr/bin/env python3
"""Serving under load, side by side: `workbench serve` against FastAPI + uvicorn.

In one run, on the bundled zh-reviews data (Data/zh-reviews):
  1. trains (a) the LinearSVC TF-IDF pipeline — scikit-learn's
     make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 2)), LinearSVC()), the twin
     `Benchmarks/compare` sets beside our `svm` learner — and ours (`train --model svm`, character
     TF-IDF with bigrams, scikit-learn's defaults); (b) Embedding 64 → LSTM 64 → Dense(1, sigmoid)
     in Keras (legacy Tokenizer(char_level=True, num_words=5000), pad_sequences(maxlen=100),
     Adam 0.001, batch 32) and ours (`train --model lstm --tokenizer keras-char`), --epochs each;
  2. serves each Python model with FastAPI + uvicorn (one worker; POST /v1/classify with the
     same request and answer shapes as ours; Keras through a tf.function over [None, 100] int32)
     and ours with `workbench serve --model-dir`;
  3. drives each server with wrk (Benchmarks/serve/classify.lua; one wrk thread) at 1, 16 and
     64 connections, with 1-text and 32-text requests (test.tsv's reviews, cycled), --duration
     seconds each after a short warm-up, ours and theirs back to back at every level;
  4. prints a Markdown table (requests/s, p50 and p99 latency from wrk's histogram, the ratios,
     non-2xx answers and socket errors) with the machine (lscpu), our OpenBLAS kernel
     (`workbench bench --sgemm-only --json`, as Benchmarks/compare reports it) and the load
     average at start and end; --write puts it into BENCHMARKS.md's "Serving" section.

    python3 Benchmarks/serve/load.py                          # release build, 10 s a level
    python3 Benchmarks/serve/load.py --duration 5 --models svm --write
    OPENBLAS_CORETYPE=Haswell python3 Benchmarks/serve/load.py --workbench /path/to/workbench

Threads: by default every server computes on one thread (ours with OPENBLAS_NUM_THREADS=1,
TensorFlow with 1 intra-op and 1 inter-op thread; scikit-learn is single-threaded here) and wrk
runs one thread: on a 2-core machine the load generator needs the other core. --threads N
changes the servers' setting. Loopback only; every server is killed on every way out.

Run with any Python 3.11: the script makes its own virtual environment (.venv-serve-load/ at
the repository root, git-ignored) with requirements-load.txt beside it and re-runs itself
there. Needs wrk (Debian's package) on PATH.
"""

import argparse
import atexit
import datetime as dt
import hashlib
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
REQUIREMENTS = HERE / "requirements-load.txt"
LUA = HERE / "classify.lua"
DATA = REPO / "Data" / "zh-reviews"
CONNECTIONS = [1, 16, 64]
TEXTS_PER_REQUEST = [1, 32]
GOALS = {"svm": 3.0, "lstm": 10.0}   # our requests/s ÷ theirs, from issue 13
VOCAB, MAXLEN = 5000, 100


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def in_venv(venv):
    return pathlib.Path(sys.prefix).resolve() == venv.resolve()


def bootstrap(venv):
    """Creates `venv` when missing, installs requirements-load.txt when it changed since the
    last install, and re-executes this script with the environment's Python."""
    python = venv / "bin" / "python"
    if not python.exists():
        log(f"creating {venv}")
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
    stamp = venv / ".serve-load-requirements.sha256"
    want = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != want:
        log(f"installing {REQUIREMENTS.relative_to(REPO)} into {venv} (PyPI)")
        subprocess.check_call([str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)])
        stamp.write_text(want + "\n")
    os.execv(str(python), [str(python), str(pathlib.Path(__file__).resolve()), *sys.argv[1:]])


def read_tsv(path):
    labels, texts = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line:
            continue
        if "\t" not in line:
            sys.exit(f"{path}:{n}: expected label<TAB>text")
        label, text = line.split("\t", 1)
        labels.append(label)
        texts.append(text)
    return labels, texts


# ---------------------------------------------------------------------------------------------
# The Python side: what a Python user would stand up (run as `load.py python-server ...`).


def python_server(args):
    """Trains the scikit-learn or Keras twin, then serves it with uvicorn (one worker)."""
    import numpy as np
    import uvicorn
    from fastapi import FastAPI
    from pydantic import BaseModel

    ytr, xtr = read_tsv(DATA / "train.tsv")
    classes = sorted(set(ytr))
    if args.model == "svm":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import LinearSVC
        pipe = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 2)), LinearSVC())
        pipe.fit(xtr, ytr)
        order = list(pipe.classes_)

        def probabilities(texts):
            # Softmax over (−d, d), as our LinearSVM reports (LinearSVC has no predict_proba).
            d = pipe.decision_function(texts)
            p1 = 1.0 / (1.0 + np.exp(-2.0 * d))
            return np.stack([1.0 - p1, p1], axis=1), order
    else:
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
        import keras
        from keras import layers
        from keras_preprocessing.sequence import pad_sequences
        from keras_preprocessing.text import Tokenizer
        keras.utils.set_random_seed(42)
        tok = Tokenizer(num_words=VOCAB, char_level=True)
        tok.fit_on_texts(xtr)
        x = pad_sequences(tok.texts_to_sequences(xtr), maxlen=MAXLEN)
        y = np.array([classes.index(v) for v in ytr], dtype="float32")
        model = keras.Sequential([keras.Input(shape=(MAXLEN,), dtype="int32"), layers.Embedding(VOCAB, 64),
                                  layers.LSTM(64), layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="binary_crossentropy")
        model.fit(x, y, batch_size=32, epochs=args.epochs, shuffle=True, verbose=0)
        forward = tf.function(lambda ids: model(ids, training=False),
                              input_signature=[tf.TensorSpec([None, MAXLEN], tf.int32)])

        def probabilities(texts):
            ids = pad_sequences(tok.texts_to_sequences(texts), maxlen=MAXLEN).astype("int32")
            p1 = forward(tf.constant(ids)).numpy()[:, 0].astype("float64")
            return np.stack([1.0 - p1, p1], axis=1), classes

    class ClassifyRequest(BaseModel):
        texts: list[str]

    app = FastAPI()

    @app.get("/healthz")
    def health():
        return {"status": "ok"}

    @app.post("/v1/classify")
    def classify(request: ClassifyRequest):
        p, names = probabilities(request.texts)
        return {"model": args.model, "run": None, "results": [
            {"text": t, "label": names[int(row.argmax())], "probabilities": {n: float(v) for n, v in zip(names, row)}}
            for t, row in zip(request.texts, p)]}

    probabilities(["warm-up"])
    uvicorn.run(app, host="127.0.0.1", port=args.port, workers=1, log_level="warning", access_log=False)


# ---------------------------------------------------------------------------------------------
# Servers as children


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Child:
    """A server process in its own process group, killed (group and all) by stop()."""
    running = []

    def __init__(self, name, cmd, env, work):
        self.name = name
        self.log_path = work / f"{name}.log"
        self.out_path = work / f"{name}.out"
        self.proc = subprocess.Popen([str(c) for c in cmd], env=env, stdin=subprocess.DEVNULL,
                                     stdout=open(self.out_path, "w"), stderr=open(self.log_path, "w"),
                                     start_new_session=True)
        Child.running.append(self)
        self.base = None

    def wait_ready(self, timeout, port=None):
        """Until /healthz answers (for ours, once it printed its address)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {self.log_path.read_text()[-3000:]}")
            if port is None:
                m = re.search(r"listening on (http://\S+)", self.out_path.read_text())
                self.base = m.group(1) if m else None
            else:
                self.base = f"http://127.0.0.1:{port}"
            if self.base:
                try:
                    with urllib.request.urlopen(self.base + "/healthz", timeout=5) as r:
                        if r.status == 200:
                            return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready within {timeout} s: {self.log_path.read_text()[-3000:]}")

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        if self in Child.running:
            Child.running.remove(self)

    @classmethod
    def stop_all(cls):
        for c in list(cls.running):
            c.stop()


def post(base, texts):
    req = urllib.request.Request(base + "/v1/classify", data=json.dumps({"texts": texts}).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


# ---------------------------------------------------------------------------------------------
# wrk


def wrk(url, connections, seconds, bodies, timeout_s):
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_s}s", "--latency", "-s", str(LUA),
           url, "--", str(bodies)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + timeout_s + 60)
    line = next((l for l in p.stdout.splitlines() if l.startswith("WRK_RESULT ")), None)
    if p.returncode != 0 or line is None:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()} {p.stdout.strip()[-500:]}")
    r = json.loads(line[len("WRK_RESULT "):])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["failed"] = r["errors"]["status"] + r["errors"]["connect"] + r["errors"]["read"] + r["errors"]["write"] + r["errors"]["timeout"]
    return r


# ---------------------------------------------------------------------------------------------
# Machine


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        m = re.search(r"^Model name:\s*(.+)$", out, re.M)
        return m.group(1).strip() if m else "unknown"
    except OSError:
        return "unknown"


def uptime():
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


def load_average():
    return " ".join(pathlib.Path("/proc/loadavg").read_text().split()[:3])


def git_head():
    p = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO)
    return p.stdout.strip() or "?"


def versions():
    from importlib import metadata
    out = {"python": sys.version.split()[0]}
    for dist in ["fastapi", "uvicorn", "pydantic", "scikit-learn", "tensorflow-cpu", "keras", "numpy"]:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    out["wrk"] = (subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines() or ["?"])[0]
    return out


# ---------------------------------------------------------------------------------------------
# The run


def fmt_ms(us):
    return f"{us / 1000:.2f}" if us < 10_000 else f"{us / 1000:.0f}"


def fmt_rps(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def report(res):
    out = []
    w = out.append
    m = res["machine"]
    w("## Serving")
    w("")
    w(f"Measured by `{res['command']}` on {res['date']} (git {res['git']}), in one run: each model trained on both sides, "
      f"then ours and theirs driven back to back at every level. Load average (1, 5, 15 min) at the start "
      f"**{m['load_start']}**, at the end **{m['load_end']}**.")
    w("")
    w("|  |  |")
    w("|---|---|")
    w(f"| CPU | {m['cpu']}, {m['cores']} logical cores |")
    w(f"| `uptime` at start / end | {m['uptime_start']} / {m['uptime_end']} |")
    w(f"| Workbench OpenBLAS kernel | {m['openblas_core']}, {m['openblas_choice']} ({m['openblas_config']}) |")
    v = res["versions"]
    w(f"| Python side | Python {v.get('python')}, FastAPI {v.get('fastapi')}, uvicorn {v.get('uvicorn')} (1 worker), "
      f"pydantic {v.get('pydantic')}, scikit-learn {v.get('scikit-learn')}, TensorFlow-CPU {v.get('tensorflow-cpu')}, "
      f"Keras {v.get('keras')}, numpy {v.get('numpy')} |")
    w(f"| Load generator | {v.get('wrk')}, 1 thread, `Benchmarks/serve/classify.lua`, {res['settings']['duration']} s a level "
      f"after {res['settings']['warmup']} s of warm-up |")
    w(f"| Compute threads | {res['settings']['threads']} per server (ours: OPENBLAS_NUM_THREADS; TensorFlow: intra-op and "
      f"inter-op) |")
    w(f"| Ours | `workbench serve --model-dir` (defaults: no batch window — requests arriving while the model is busy share its next call — max batch 64) |")
    w("")
    w("Models, trained on test.tsv's sibling train.tsv (13,889 reviews) with the same recipe on both sides, "
      f"{res['settings']['epochs']} epoch(s) for the LSTM: **svm** = TF-IDF over characters and character bigrams → "
      "LinearSVC (scikit-learn's defaults; the probabilities are a softmax over the decision values on both sides); "
      "**lstm** = Keras `Tokenizer(char_level=True, num_words=5000)`, `pad_sequences(maxlen=100)`, Embedding 64 → LSTM 64 "
      "→ Dense(1, sigmoid), served through a `tf.function` (ours: `--tokenizer keras-char`). Requests: POST /v1/classify "
      "with 1 or 32 reviews from test.tsv, cycled; both servers answer every text's label and probabilities as JSON. "
      "Latency is wrk's (from the request's send to its answer, per connection, no coordinated-omission correction).")
    w("")
    w("| model | texts / request | connections | ours req/s | theirs req/s | ours ÷ theirs | ours p50 ms | theirs p50 ms | "
      "ours p99 ms | theirs p99 ms | p99 lower | failed (ours / theirs) |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for r in res["rows"]:
        o, t = r["ours"], r["theirs"]
        ratio = o["rps"] / t["rps"] if t["rps"] else float("inf")
        w(f"| {r['model']} | {r['texts']} | {r['connections']} | {fmt_rps(o['rps'])} | {fmt_rps(t['rps'])} | ×{ratio:.1f} | "
          f"{fmt_ms(o['p50_us'])} | {fmt_ms(t['p50_us'])} | {fmt_ms(o['p99_us'])} | {fmt_ms(t['p99_us'])} | "
          f"{'yes' if o['p99_us'] < t['p99_us'] else '**no**'} | {o['failed']} / {t['failed']} |")
    w("")
    for model, goal in GOALS.items():
        rows = [r for r in res["rows"] if r["model"] == model]
        if not rows:
            continue
        ratios = [r["ours"]["rps"] / r["theirs"]["rps"] for r in rows if r["theirs"]["rps"]]
        met = sum(x >= goal for x in ratios)
        p99 = sum(r["ours"]["p99_us"] < r["theirs"]["p99_us"] for r in rows)
        w(f"- **{model}**: goal ≥ ×{goal:g} requests/s met at {met} of {len(rows)} levels (×{min(ratios):.1f} to "
          f"×{max(ratios):.1f}); p99 lower at {p99} of {len(rows)}.")
    w("")
    return "\n".join(out) + "\n"


def write_section(path, section):
    """Replaces BENCHMARKS.md's "## Serving" section (to the next "## " heading or the end), or
    appends it."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    m = re.search(r"^## Serving\n.*?(?=^## |\Z)", text, re.M | re.S)
    text = text[:m.start()] + section + text[m.end():] if m else text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = sys.argv[1:2] == ["python-server"]
    if sub:
        ap.add_argument("mode")
        ap.add_argument("--model", choices=["svm", "lstm"], required=True)
        ap.add_argument("--port", type=int, required=True)
        ap.add_argument("--epochs", type=int, default=1)
        ap.add_argument("--threads", type=int, default=1)
        return python_server(ap.parse_args())
    ap.add_argument("--workbench", default=str(REPO / ".build" / "release" / "workbench"))
    ap.add_argument("--models", default="svm,lstm", help="some of svm,lstm")
    ap.add_argument("--duration", type=int, default=10, help="seconds of wrk per level (default 10)")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per server and request size")
    ap.add_argument("--epochs", type=int, default=1, help="LSTM epochs on both sides (default 1; serving speed does not depend on it)")
    ap.add_argument("--threads", type=int, default=1, help="compute threads per server (default 1)")
    ap.add_argument("--connections", default=",".join(map(str, CONNECTIONS)))
    ap.add_argument("--write", action="store_true", help="put the table into BENCHMARKS.md's Serving section")
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--venv", default=str(REPO / ".venv-serve-load"))
    ap.add_argument("--no-venv", action="store_true", help="use the running interpreter")
    args = ap.parse_args()
    if not args.no_venv and not in_venv(pathlib.Path(args.venv)):
        bootstrap(pathlib.Path(args.venv))
    models = [m for m in args.models.split(",") if m]
    if any(m not in GOALS for m in models):
        ap.error("--models: some of svm,lstm")
    connections = [int(c) for c in args.connections.split(",")]
    workbench = pathlib.Path(args.workbench)
    if not workbench.exists():
        sys.exit(f"{workbench}: no such binary (swift build -c release, or --workbench PATH)")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not on PATH (apt-get install wrk)")

    atexit.register(Child.stop_all)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(130))

    started = dt.datetime.now(dt.timezone.utc)
    load_start, uptime_start = load_average(), uptime()
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads))
    py_env = {k: v for k, v in env.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    py_env["OMP_NUM_THREADS"] = str(args.threads)
    py_env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    sgemm = json.loads(subprocess.run([str(workbench), "bench", "--sgemm-only", "--json", "--threads", "1", "--models", "seed"],
                                      capture_output=True, text=True, env=env, check=True).stdout)["machine"]

    _, test_texts = read_tsv(DATA / "test.tsv")
    rows = []
    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        work = pathlib.Path(tmp)
        bodies = {}
        for n in TEXTS_PER_REQUEST:
            path = work / f"bodies-{n}.jsonl"
            groups = [test_texts[i:i + n] for i in range(0, min(len(test_texts), 64 * n), n)]
            path.write_text("".join(json.dumps({"texts": g}, ensure_ascii=False) + "\n" for g in groups if len(g) == n),
                            encoding="utf-8")
            bodies[n] = path
        for model in models:
            folder = work / f"ours-{model}"
            recipe = ["--model", "svm"] if model == "svm" else ["--model", "lstm", "--tokenizer", "keras-char", "--epochs",
                                                                 str(args.epochs), "--vocab-size", str(VOCAB),
                                                                 "--max-length", str(MAXLEN), "--batch-size", "32"]
            log(f"{model}: training ours and theirs")
            port = free_port()
            theirs = Child(f"fastapi-{model}", [sys.executable, __file__, "python-server", "--model", model, "--port", port,
                                                "--epochs", args.epochs, "--threads", args.threads], py_env, work)
            subprocess.run([str(workbench), "train", "--data", DATA / "train.tsv", "--validation", DATA / "test.tsv",
                            *recipe, "--save", folder], capture_output=True, text=True, env=env, check=True)
            ours = Child(f"workbench-{model}", [workbench, "serve", "--model-dir", folder, "--port", "0"], env, work)
            ours.wait_ready(120)
            theirs.wait_ready(1800, port)
            a, b = post(ours.base, test_texts[:3]), post(theirs.base, test_texts[:3])
            agree = sum(x["label"] == y["label"] for x, y in zip(a["results"], b["results"]))
            log(f"{model}: ours at {ours.base}, theirs at {theirs.base}; labels agree on {agree} of 3 texts")
            for n in TEXTS_PER_REQUEST:
                for server in (ours, theirs):
                    wrk(server.base + "/v1/classify", 4, args.warmup, bodies[n], 30)
                for c in connections:
                    row = {"model": model, "texts": n, "connections": c}
                    for side, server in (("ours", ours), ("theirs", theirs)):
                        row[side] = wrk(server.base + "/v1/classify", c, args.duration, bodies[n], 30)
                        if server.proc.poll() is not None:
                            raise RuntimeError(f"{server.name} died under load: {server.log_path.read_text()[-3000:]}")
                    log(f"{model} {n} text(s) {c} conn: ours {row['ours']['rps']:.0f} req/s p99 {row['ours']['p99_us']} µs; "
                        f"theirs {row['theirs']['rps']:.0f} req/s p99 {row['theirs']['p99_us']} µs")
                    rows.append(row)
            ours.stop()
            theirs.stop()

    command = "python3 Benchmarks/serve/load.py " + " ".join(sys.argv[1:])
    if env.get("OPENBLAS_CORETYPE"):
        command = f"OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']} " + command
    res = {
        "command": command.strip(),
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "git": git_head(),
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "load_start": load_start, "load_end": load_average(),
                    "uptime_start": uptime_start, "uptime_end": uptime(), "openblas_core": sgemm.get("openblas_core"),
                    "openblas_choice": sgemm.get("openblas_kernel_choice"), "openblas_config": sgemm.get("openblas_config")},
        "versions": versions(),
        "settings": {"duration": args.duration, "warmup": args.warmup, "threads": args.threads, "epochs": args.epochs,
                     "connections": connections, "texts_per_request": TEXTS_PER_REQUEST},
        "rows": rows,
    }
    section = report(res)
    print(section)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.write:
        write_section(REPO / "BENCHMARKS.md", section)
        log("wrote the Serving section of BENCHMARKS.md")


if __name__ == "__main__":
    main()
