#!/usr/bin/env python3
"""One-text latency of the exported LSTM in onnxruntime (1 thread) beside Workbench's own.

Trains the `lstm` preset (Embedding 64 → LSTM 64, as `workbench bench` measures it) for one
epoch on Data/zh-reviews with the bench's tokens (keras-char, 5,000 ids, 100 steps), exports it
with `workbench export --format onnx`, then times 1,000 raw test reviews one at a time:

- onnxruntime, 1 intra-op and 1 inter-op thread: keras_preprocessing's tokenizer_from_json on
  the exported tokenizer.json + padding + `InferenceSession.run` (predict), and the run alone
  on an already padded row (forward);
- Workbench: `workbench bench --models lstm --epochs 1 --threads 1 --predict-calls 1000`
  (tokenise + pad + forward, and forward alone), the same preset and tokens.

Prints median and p99 in µs and the load average. Use a release build:

    swift build -c release
    python3 Benchmarks/onnx/latency.py --workbench .build/release/workbench

Uses verify.py's virtual environment (.venv-onnx, made the same way).
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
import verify  # noqa: E402  (its venv bootstrap and helpers)

CALLS = 1000


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workbench", default=str(REPO / ".build" / "release" / "workbench"))
    ap.add_argument("--venv", default=str(REPO / ".venv-onnx"))
    ap.add_argument("--no-venv", action="store_true")
    args = ap.parse_args()
    if not args.no_venv and not verify.in_venv(pathlib.Path(args.venv)):
        verify.bootstrap(pathlib.Path(args.venv))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import numpy as np
    import onnxruntime as ort
    from keras_preprocessing.text import tokenizer_from_json

    data = REPO / "Data" / "zh-reviews"
    texts = [l.split("\t", 1)[1] for l in (data / "test.tsv").read_text().splitlines() if "\t" in l]
    texts = [texts[i % len(texts)] for i in range(CALLS)]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="onnx-latency-") as tmp:
        tmp = pathlib.Path(tmp)
        verify.run([args.workbench, "train", "--data", data / "train.tsv", "--model", "lstm", "--epochs", "1",
                    "--tokenizer", "keras-char", "--vocab-size", "5000", "--max-length", "100", "--save", tmp / "m"])
        verify.run([args.workbench, "export", "--format", "onnx", "--model-dir", tmp / "m", "--output", tmp / "onnx"])
        tokenizer_json = json.loads((tmp / "onnx" / "tokenizer.json").read_text())
        rules = tokenizer_json["workbench"]
        tok = tokenizer_from_json(json.dumps(tokenizer_json))
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(tmp / "onnx" / "model.onnx"), options, providers=["CPUExecutionProvider"])

        def predict(text):
            ids = np.array([verify.pad(tok.texts_to_sequences([text])[0], rules)], dtype=np.int64)
            return session.run(["probabilities"], {"token_ids": ids})[0]

        for t in texts[:20]:
            predict(t)
        onnx_predict, onnx_forward = [], []
        for t in texts:
            t0 = time.perf_counter_ns()
            predict(t)
            onnx_predict.append((time.perf_counter_ns() - t0) / 1e3)
        rows = [np.array([verify.pad(s, rules)], dtype=np.int64) for s in tok.texts_to_sequences(texts)]
        for x in rows:
            t0 = time.perf_counter_ns()
            session.run(["probabilities"], {"token_ids": x})
            onnx_forward.append((time.perf_counter_ns() - t0) / 1e3)

    bench = json.loads(verify.run([args.workbench, "bench", "--models", "lstm", "--epochs", "1", "--threads", "1",
                                   "--predict-calls", str(CALLS), "--no-sgemm", "--json"]))
    load_after = os.getloadavg()
    print(json.dumps({"onnx_predict_us": [percentile(onnx_predict, 50), percentile(onnx_predict, 99)],
                      "onnx_forward_us": [percentile(onnx_forward, 50), percentile(onnx_forward, 99)],
                      "onnxruntime": ort.__version__, "load_before": load_before, "load_after": load_after,
                      "workbench_bench": bench}, indent=1))


if __name__ == "__main__":
    main()
