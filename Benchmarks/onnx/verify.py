#!/usr/bin/env python3
"""Checks `workbench export --format onnx` against ONNX Runtime and `--format keras` against Keras.

For each small model below: trains it for one epoch on a bundled data set (Data/), exports it
with `workbench export --format onnx` and `--format keras`, checks model.onnx with
`onnx.checker.check_model` (full_check), runs it in onnxruntime and model.keras in Keras 3
(`keras.saving.load_model`, TensorFlow backend) on the token ids `workbench tokenize` gives for
1,000 test texts (the set's test texts, then its first training texts when the test set is
smaller), and compares the probabilities with `workbench predict --json` on the same texts.
With the Keras tokenizers it also checks that keras_preprocessing's tokenizer_from_json (on the
exported tokenizer.json), padded by the exported rules, gives the same ids on every text. A
format the workbench refuses for a model (ONNX: mask_zero read by a later layer; Keras:
position embeddings, attention) is shown as "refused" when that refusal is expected. Learners
(trained with their `--model` spec) are checked in onnxruntime only (Keras has no counterpart):
the first 1,000 test texts, their analyzer ids padded with 0 into one batch, and the first 50
also one by one unpadded. Prints a table; exits 1 when a model fails a check, differs by more
than 1e-5, or is refused unexpectedly.

    python3 Benchmarks/onnx/verify.py                 # every model
    python3 Benchmarks/onnx/verify.py lstm gru        # some of them
    python3 Benchmarks/onnx/verify.py --workbench .build/release/workbench

Run with any Python 3.11: the script makes its own virtual environment (.venv-onnx/ at the
repository root, git-ignored) with onnx, onnxruntime, tensorflow-cpu, keras and keras-preprocessing from requirements.txt beside it,
installs them from PyPI the first time, and re-runs itself there. `--no-venv` uses the running
interpreter. The workbench binary defaults to the debug build (`swift build` first).
"""

import argparse
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
REQUIREMENTS = HERE / "requirements.txt"
TOLERANCE = 1e-5
TEXTS = 1000

E = {"type": "embedding", "dim": 16}
BIN = {"type": "dense", "units": 1, "activation": "sigmoid"}
TEN = {"type": "dense", "units": 10, "activation": "softmax"}


def rnn(kind, units, seq=False):
    return {"type": kind, "units": units, "return_sequences": seq}


# name: (data set, layers or a preset, extra train options)
MODELS = {
    "gap": ("en-tweets", [E, {"type": "dropout", "rate": 0.3}, {"type": "global_average_pooling1d"}, BIN], ["--tokenizer", "keras"]),
    "gmp-dense": ("en-fortunes", [E, {"type": "global_max_pooling1d"}, {"type": "dense", "units": 16, "activation": "relu"},
                                  {"type": "dense", "units": 8, "activation": "tanh", "use_bias": False}, TEN], []),
    "simple-rnn": ("en-tweets", [E, rnn("simple_rnn", 12), BIN], []),
    "lstm": ("en-tweets", [E, rnn("lstm", 12), BIN], ["--tokenizer", "keras"]),
    "lstm-seq": ("en-fortunes", [E, rnn("lstm", 12, True), {"type": "spatial_dropout1d", "rate": 0.2},
                                 {"type": "global_max_pooling1d"}, {"type": "dense", "units": 8, "activation": "sigmoid"}, TEN], []),
    "gru": ("en-tweets", [E, rnn("gru", 12), BIN], []),
    "gru-seq-flatten": ("en-fortunes", [E, rnn("gru", 6, True), {"type": "flatten"}, TEN], []),
    "bi-lstm-concat": ("en-tweets", [E, {"type": "bidirectional", "layer": rnn("lstm", 8)}, BIN], []),
    "bi-gru-sum-seq": ("en-fortunes", [E, {"type": "bidirectional", "layer": rnn("gru", 8, True), "merge_mode": "sum"},
                                       {"type": "global_average_pooling1d"}, TEN], []),
    "bi-rnn-ave": ("en-tweets", [E, {"type": "bidirectional", "layer": rnn("simple_rnn", 8), "merge_mode": "ave"}, BIN], []),
    "bi-lstm-mul-seq": ("en-tweets", [E, {"type": "bidirectional", "layer": rnn("lstm", 6, True), "merge_mode": "mul"},
                                      {"type": "global_max_pooling1d"}, BIN], []),
    "conv-pools": ("en-fortunes", [E, {"type": "conv1d", "filters": 12, "kernel_size": 3, "padding": "same", "activation": "relu"},
                                   {"type": "max_pooling1d", "pool_size": 3, "strides": 2, "padding": "same"},
                                   {"type": "conv1d", "filters": 8, "kernel_size": 2, "dilation_rate": 2, "padding": "causal"},
                                   {"type": "average_pooling1d", "pool_size": 3, "padding": "same"},
                                   {"type": "flatten"}, TEN], []),
    "conv-valid": ("en-tweets", [E, {"type": "conv1d", "filters": 8, "kernel_size": 5, "strides": 2, "activation": "tanh"},
                                 {"type": "average_pooling1d"}, {"type": "global_max_pooling1d"}, BIN], ["--tokenizer", "keras-char"]),
    # The presets, as `train --model PRESET` builds them (head included).
    "preset-lstm": ("en-tweets", "lstm", []),
    "preset-gru": ("en-fortunes", "gru", []),
    "preset-cnn": ("en-tweets", "cnn", ["--tokenizer", "keras"]),
    "positions-layernorm": ("en-fortunes", [E, {"type": "position_embedding"}, {"type": "layer_normalization"},
                                            {"type": "dense", "units": 16, "activation": "relu"},
                                            {"type": "global_average_pooling1d"}, TEN], []),
    # Embedding(mask_zero): Keras reads the mask as the engine does (ONNX export refuses it).
    "mask-lstm-gap": ("en-tweets", [{"type": "embedding", "dim": 16, "mask_zero": True}, rnn("lstm", 8, True),
                                    {"type": "layer_normalization"}, {"type": "global_average_pooling1d"}, BIN], ["--tokenizer", "keras"]),
    "mask-bi-gru": ("en-fortunes", [{"type": "embedding", "dim": 16, "mask_zero": True},
                                    {"type": "bidirectional", "layer": rnn("gru", 8)}, TEN], []),
}

# The formats each model's export is expected to refuse (and why, as the error says it).
REFUSED = {
    "positions-layernorm": {"keras": "position_embedding"},
    "mask-lstm-gap": {"onnx": "mask_zero"},
    "mask-bi-gru": {"onnx": "mask_zero"},
}


# The learners: name: (data set, `--model` spec). The test texts are the set's first 1,000.
# zh-*: the characters analyzer (character n-grams; fastText: non-space characters).
LEARNERS = {
    "logreg-en": ("en-movie-snippets", "logreg"),
    "logreg-zh": ("zh-news-titles", "logreg"),
    "svm-en": ("en-fortunes", "svm"),
    "svm-zh": ("zh-reviews", "svm"),
    "nb-en": ("en-movie-snippets", "nb:ngrams=3"),
    "nb-zh": ("zh-news-titles", "nb"),
    "tree-en": ("en-movie-snippets", "tree:depth=30"),
    "forest-zh": ("zh-news-titles", "forest:trees=10:depth=25"),
    "fasttext-en": ("en-movie-snippets", "fasttext:dim=20"),
    "fasttext-zh": ("zh-news-titles", "fasttext:dim=16:ngrams=2:bucket=20000"),
}
MAX_TEXTS = 1000


def in_venv(venv):
    return pathlib.Path(sys.prefix).resolve() == venv.resolve()


def bootstrap(venv):
    """Creates `venv` when missing, installs requirements.txt when it changed since the last
    install, and re-executes this script with the environment's Python."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv}", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
    stamp = venv / ".onnx-requirements.sha256"
    want = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != want:
        print(f"installing {REQUIREMENTS.relative_to(REPO)} into {venv} (PyPI)", file=sys.stderr)
        subprocess.check_call([str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)])
        stamp.write_text(want + "\n")
    # The script that was run (latency.py imports this module and bootstraps through it).
    os.execv(str(python), [str(python), str(pathlib.Path(sys.argv[0]).resolve()), *sys.argv[1:]])


class Refused(RuntimeError):
    pass


def run(cmd, stdin=None):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({p.returncode}): {p.stderr.strip() or p.stdout.strip()}")
    return p.stdout


def export(workbench, fmt, model_dir, out, expected_refusal):
    """Exports; returns False when the workbench refuses as expected (nothing written)."""
    p = subprocess.run([workbench, "export", "--format", fmt, "--model-dir", model_dir, "--output", out], capture_output=True, text=True)
    if p.returncode == 0:
        if expected_refusal:
            raise RuntimeError(f"{fmt} export was expected to refuse ({expected_refusal}) but wrote {out}")
        return True
    if expected_refusal and expected_refusal in p.stderr and not pathlib.Path(out).exists():
        return False
    raise RuntimeError(f"{fmt} export failed ({p.returncode}): {p.stderr.strip()}")


def keras_probabilities(path, ids):
    """The .keras model's probabilities, a binary model's p as [1 - p, p]."""
    import numpy as np
    import keras
    model = keras.saving.load_model(path)
    p = np.asarray(model.predict(ids.astype(np.int32), batch_size=256, verbose=0), dtype=np.float64)
    return np.concatenate([1 - p, p], axis=1) if p.shape[1] == 1 else p


def pad(seq, rules):
    """pad_sequences for one sequence (keras_preprocessing's own needs NumPy < 2)."""
    n = rules["max_length"]
    if len(seq) > n:
        seq = seq[-n:] if rules["truncating"] == "pre" else seq[:n]
    zeros = [0] * (n - len(seq))
    return zeros + list(seq) if rules["padding"] == "pre" else list(seq) + zeros


def check(name, workbench, work):
    import numpy as np
    import onnx
    import onnxruntime as ort

    data, layers, options = MODELS[name]
    folder = work / name
    folder.mkdir()
    spec = folder / "spec.json"
    if isinstance(layers, str):
        spec = layers   # a preset name
    else:
        spec.write_text(json.dumps({"layers": layers}))
    model_dir, export_dir, keras_dir = folder / "model", folder / "onnx", folder / "keras"
    run([workbench, "train", "--data", REPO / "Data" / data / "train.tsv", "--model", spec, "--epochs", "1",
         "--max-length", "40", "--vocab-size", "2000", "--save", model_dir, *options])
    refused = REFUSED.get(name, {})
    has_onnx = export(workbench, "onnx", model_dir, export_dir, refused.get("onnx"))
    has_keras = export(workbench, "keras", model_dir, keras_dir, refused.get("keras"))
    common = export_dir if has_onnx else keras_dir

    def texts_of(split):
        return [line.split("\t", 1)[1] for line in (REPO / "Data" / data / split).read_text().splitlines() if "\t" in line]
    texts = (texts_of("test.tsv") + texts_of("train.tsv"))[:TEXTS]
    stdin = "\n".join(texts) + "\n"
    ids = np.array([json.loads(l)["ids"] for l in run([workbench, "tokenize", "--model-dir", model_dir], stdin).splitlines()], dtype=np.int64)
    labels = json.loads((common / "labels.json").read_text())
    ours = np.array([[p["probabilities"][c] for c in labels]
                     for p in map(json.loads, run([workbench, "predict", "--json", "--model-dir", model_dir], stdin).splitlines())])

    # The Keras tokenizers: tokenizer_from_json, padded by the exported rules, must give our ids on every text.
    tokenizer = json.loads((common / "tokenizer.json").read_text())
    tokens = "-"
    if tokenizer["class_name"] == "Tokenizer":
        from keras_preprocessing.text import tokenizer_from_json
        keras_tok = tokenizer_from_json(json.dumps(tokenizer))
        theirs_ids = np.array([pad(seq, tokenizer["workbench"]) for seq in keras_tok.texts_to_sequences(texts)])
        differ = int((theirs_ids != ids).any(axis=1).sum())
        tokens = "same" if differ == 0 else f"{differ} differ"

    onnx_diff, ops, opset = None, [], "-"
    if has_onnx:
        path = str(export_dir / "model.onnx")
        onnx.checker.check_model(path, full_check=True)
        model = onnx.load(path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        theirs = session.run(["probabilities"], {"token_ids": ids})[0]
        assert theirs.shape == ours.shape, f"{name}: onnxruntime gives {theirs.shape}, workbench {ours.shape}"
        ops = sorted({n.op_type for n in model.graph.node} - {"Identity", "Transpose", "Reshape", "Squeeze"})
        onnx_diff, opset = float(np.abs(theirs - ours).max()), model.opset_import[0].version
    keras_diff = None
    if has_keras:
        theirs = keras_probabilities(str(keras_dir / "model.keras"), ids)
        assert theirs.shape == ours.shape, f"{name}: Keras gives {theirs.shape}, workbench {ours.shape}"
        keras_diff = float(np.abs(theirs - ours).max())
    return len(texts), onnx_diff, keras_diff, ops, opset, tokens


def check_learner(name, workbench, work):
    import numpy as np
    import onnx
    import onnxruntime as ort

    data, spec = LEARNERS[name]
    folder = work / name
    folder.mkdir()
    model_dir, export_dir = folder / "model", folder / "onnx"
    run([workbench, "train", "--data", REPO / "Data" / data / "train.tsv", "--model", spec, "--save", model_dir])
    run([workbench, "export", "--format", "onnx", "--model-dir", model_dir, "--output", export_dir])

    texts = [line.split("\t", 1)[1] for line in (REPO / "Data" / data / "test.tsv").read_text().splitlines() if "\t" in line][:MAX_TEXTS]
    stdin = "\n".join(texts) + "\n"
    rows = [json.loads(l)["ids"] for l in run([workbench, "tokenize", "--model-dir", model_dir], stdin).splitlines()]
    assert len(rows) == len(texts), f"{name}: {len(rows)} id rows for {len(texts)} texts"
    width = max([1] + [len(r) for r in rows])
    labels = json.loads((export_dir / "labels.json").read_text())
    ours = np.array([[p["probabilities"][c] for c in labels]
                     for p in map(json.loads, run([workbench, "predict", "--json", "--model-dir", model_dir], stdin).splitlines())])

    path = str(export_dir / "model.onnx")
    onnx.checker.check_model(path, full_check=True)
    model = onnx.load(path)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    # One batch padded with 0 at the end, and each text alone unpadded: both must agree.
    batch = np.array([r + [0] * (width - len(r)) for r in rows], dtype=np.int64)
    theirs = session.run(["probabilities"], {"token_ids": batch})[0]
    assert theirs.shape == ours.shape, f"{name}: onnxruntime gives {theirs.shape}, workbench {ours.shape}"
    diff = float(np.abs(theirs - ours).max())
    for r, want in list(zip(rows, ours))[:50]:
        one = session.run(["probabilities"], {"token_ids": np.array([r or [0]], dtype=np.int64)})[0][0]
        diff = max(diff, float(np.abs(one - want).max()))
    ops = sorted({n.op_type for n in model.graph.node} - {"Identity", "Cast"})
    return len(texts), diff, ops, model.opset_import[0].version, "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="*", help=f"some of: {', '.join([*MODELS, *LEARNERS])}")
    ap.add_argument("--workbench", default=str(REPO / ".build" / "debug" / "workbench"))
    ap.add_argument("--venv", default=str(REPO / ".venv-onnx"))
    ap.add_argument("--no-venv", action="store_true")
    args = ap.parse_args()
    if not args.no_venv and not in_venv(pathlib.Path(args.venv)):
        bootstrap(pathlib.Path(args.venv))
    unknown = [m for m in args.models if m not in MODELS and m not in LEARNERS]
    if unknown:
        ap.error(f"unknown model(s) {', '.join(unknown)}; known: {', '.join([*MODELS, *LEARNERS])}")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    failed = 0
    print(f"{'model':<22} {'data':<12} {'texts':>5} {'onnx |Δp|':>10} {'keras |Δp|':>10}  {'ok':<4} {'keras ids':<9} opset  ops")
    with tempfile.TemporaryDirectory(prefix="onnx-verify-") as tmp:
        for name in args.models or [*MODELS, *LEARNERS]:
            learner = name in LEARNERS
            data = (LEARNERS if learner else MODELS)[name][0]
            try:
                if learner:
                    n, onnx_diff, ops, opset, tokens = check_learner(name, args.workbench, pathlib.Path(tmp))
                    keras_diff = None
                else:
                    n, onnx_diff, keras_diff, ops, opset, tokens = check(name, args.workbench, pathlib.Path(tmp))
                ok = all(d is None or d <= TOLERANCE for d in (onnx_diff, keras_diff)) and tokens in ("same", "-")
                failed += not ok
                # A learner has no Keras form ("-"); a neural model's missing figure is a refusal.
                shown = [f"{d:>10.2e}" if d is not None else f"{'-' if learner and i == 1 else 'refused':>10}"
                         for i, d in enumerate((onnx_diff, keras_diff))]
                print(f"{name:<22} {data:<12} {n:>5} {shown[0]} {shown[1]}  {'yes' if ok else 'NO':<4} {tokens:<9} {opset:>5}  {' '.join(ops)}", flush=True)
            except Exception as e:  # one model's failure is reported and the others still run
                failed += 1
                print(f"{name:<22} {data:<12} FAILED: {e}", flush=True)
    print(f"{'all' if not failed else failed} {'models within' if not failed else 'failed; tolerance'} {TOLERANCE:g}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
