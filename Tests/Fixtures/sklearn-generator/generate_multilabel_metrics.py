#!/usr/bin/env python3
"""scikit-learn's multi-label metrics on fixed predictions, written to
Tests/Fixtures/sklearn/multilabel_metrics.json for Tests/EngineTests/MultiLabelMetricsTests.swift.

    python3 Tests/Fixtures/sklearn-generator/generate_multilabel_metrics.py

Run with any Python 3.11: the script makes its own virtual environment (.venv-sklearn-fixtures/
at the repository root, git-ignored) with the pinned packages of requirements.txt beside it,
installs them from PyPI the first time, and re-runs itself there. `--venv DIR` puts the
environment elsewhere; `--no-venv` uses the running interpreter as it is.

Truth and probabilities are drawn from NumPy with a fixed seed per case (probabilities as
float32, written exactly), so a rerun writes the same file. A label is predicted when its
probability is strictly above the threshold (Keras's binary_accuracy rule); thresholds are
float32 (the tuned candidates are float32(i) * float32(0.05), i = 1…19, as the Swift code
computes them).
"""

import argparse
import hashlib
import json
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]
OUT = REPO / "Tests" / "Fixtures" / "sklearn" / "multilabel_metrics.json"
REQUIREMENTS = HERE / "requirements.txt"


def in_venv(venv):
    return pathlib.Path(sys.prefix).resolve() == venv.resolve()


def bootstrap(venv):
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv}", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
    stamp = venv / ".fixture-requirements.sha256"
    want = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != want:
        print(f"installing {REQUIREMENTS.relative_to(REPO)} into {venv} (PyPI)", file=sys.stderr)
        subprocess.check_call([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        subprocess.check_call([str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)])
        stamp.write_text(want + "\n")
    os.execv(str(python), [str(python), str(pathlib.Path(__file__).resolve()), *sys.argv[1:]])


def generate():
    import numpy as np
    import sklearn
    from sklearn.metrics import accuracy_score, f1_score, hamming_loss

    def scores(y, p, t):
        pred = (p > np.float32(t)).astype(int)
        return {
            "threshold": float(np.float32(t)),
            "micro_f1": float(f1_score(y, pred, average="micro", zero_division=0)),
            "macro_f1": float(f1_score(y, pred, average="macro", zero_division=0)),
            "subset_accuracy": float(accuracy_score(y, pred)),
            "hamming_loss": float(hamming_loss(y, pred)),
            "per_label_f1": [float(v) for v in f1_score(y, pred, average=None, zero_division=0)],
        }

    def tuned(y, p):
        candidates = [np.float32(i) * np.float32(0.05) for i in range(1, 20)]
        best_t, best_f = np.float32(0.5), scores(y, p, np.float32(0.5))["micro_f1"]
        for t in candidates:
            f = scores(y, p, t)["micro_f1"]
            closer = abs(t - np.float32(0.5)) < abs(best_t - np.float32(0.5)) or (
                abs(t - np.float32(0.5)) == abs(best_t - np.float32(0.5)) and t < best_t)
            if f > best_f or (f == best_f and closer):
                best_t, best_f = t, f
        return scores(y, p, best_t)

    def case(name, n, k, seed, thresholds, skew=0.0, empty_label=None):
        rng = np.random.default_rng(seed)
        y = (rng.random((n, k)) < 0.35).astype(int)
        noise = rng.random((n, k)).astype(np.float32)
        # Probabilities loosely follow the truth, so the scores are neither 0 nor 1.
        p = np.clip(0.55 * y + 0.6 * noise - 0.1 + skew, 0, 1).astype(np.float32)
        if empty_label is not None:
            y[:, empty_label] = 0
            p[:, empty_label] = np.minimum(p[:, empty_label], np.float32(0.01))
        return {
            "name": name,
            "labels": k,
            "truth": y.tolist(),
            "probabilities": [[float(v) for v in row] for row in p],
            "at_thresholds": [scores(y, p, t) for t in thresholds],
            "tuned": tuned(y, p),
        }

    cases = [
        case("n40_k5", 40, 5, 2101, [0.5, 0.3, 0.7]),
        case("n25_k3_skewed_up", 25, 3, 2102, [0.5, 0.25], skew=0.25),
        case("n30_k4_one_label_never_true_nor_predicted", 30, 4, 2103, [0.5, 0.2], empty_label=2),
    ]
    doc = {
        "fixture": "multilabel_metrics",
        "generator": "Tests/Fixtures/sklearn-generator/generate_multilabel_metrics.py",
        "versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
        "layout_notes": {
            "truth": "[N][K] of 0/1",
            "probabilities": "[N][K] float32 values written exactly",
            "at_thresholds": "sklearn.metrics f1_score(average='micro' / 'macro' / None, zero_division=0), accuracy_score (subset accuracy), hamming_loss on pred = probabilities > float32(threshold)",
            "tuned": "the candidate float32(i) * float32(0.05), i = 1…19 (and 0.5), with the highest micro-F1; ties to the one nearest 0.5, then the lower; its scores",
        },
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(REPO)}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", type=pathlib.Path, default=REPO / ".venv-sklearn-fixtures", help="the virtual environment to use or make")
    parser.add_argument("--no-venv", action="store_true", help="run in the current interpreter")
    args = parser.parse_args()
    if not args.no_venv and not in_venv(args.venv):
        bootstrap(args.venv)
    generate()


if __name__ == "__main__":
    main()
