#!/usr/bin/env python3
"""Reference measurements for Benchmarks/compare: Keras (TensorFlow-CPU), fastText and
scikit-learn on the bundled zh-reviews data, with the recipes of Benchmarks/anchors/README.md.

    python reference.py keras --model seed --epochs 3 --threads 1 --json
    python reference.py fasttext --threads 2
    python reference.py sklearn
    python reference.py info

Each mode prints one JSON object on stdout (progress goes to stderr). Run one Keras model per
process so its peak resident memory is its own; Benchmarks/compare does that and interleaves
the runs with `workbench bench --model NAME --json`.

Keras recipe: legacy Keras Tokenizer(char_level=True, num_words=5000) fitted on train.tsv,
pad_sequences(maxlen=100) (pre-padding, pre-truncation), Embedding(5000, d) → layer →
Dense(1, sigmoid), binary cross-entropy, Adam(0.001), batch 32, shuffled. Training samples/s
is the median over epochs 2…N (epoch 1 is the warm-up); accuracy is on test.tsv after N epochs.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "Data" / "zh-reviews"
MODELS = ["seed", "lstm", "gru", "cnn", "seed-gru"]
DESCRIPTIONS = {
    "seed": "Embedding 10 → LSTM 10 (the seed's model)",
    "lstm": "Embedding 64 → LSTM 64",
    "gru": "Embedding 64 → GRU 64",
    "cnn": "Embedding 64 → Conv1D(64, 5, relu) → GlobalMaxPooling1D",
    "seed-gru": "Embedding 10 → GRU 10",
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def read_tsv(path):
    labels, texts = [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            if "\t" not in line:
                sys.exit(f"{path}:{n}: expected label<TAB>text")
            label, text = line.split("\t", 1)
            labels.append(label)
            texts.append(text)
    return labels, texts


def load_data(folder):
    ytr, xtr = read_tsv(Path(folder) / "train.tsv")
    yte, xte = read_tsv(Path(folder) / "test.tsv")
    classes = sorted(set(ytr))
    if len(classes) != 2:
        sys.exit(f"expected two labels in train.tsv, found {len(classes)}")
    return xtr, xte, ytr, yte, classes


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def percentile(values, p):
    """Nearest-rank percentile, as workbench bench computes it."""
    s = sorted(values)
    rank = max(1, min(len(s), -(-len(s) * p // 100)))
    return s[int(rank) - 1]


def timed_calls(fn, items, budget_s=None):
    """Microseconds per call of fn(item), one per item; stops early past budget_s."""
    out = []
    start = time.perf_counter()
    for it in items:
        t0 = time.perf_counter()
        fn(it)
        out.append((time.perf_counter() - t0) * 1e6)
        if budget_s is not None and time.perf_counter() - start > budget_s:
            break
    return out


def summary(us):
    return {"median": round(statistics.median(us), 2), "p99": round(percentile(us, 99), 2), "calls": len(us)}


def tokens_checksum(xtr, xte):
    """The same "count:sum:weighted" as workbench bench: weighted = Σ id·(i mod 1000003 + 1)."""
    import numpy as np
    x = np.concatenate([xtr.ravel(), xte.ravel()]).astype(np.uint64)
    w = np.arange(x.size, dtype=np.uint64) % np.uint64(1000003) + np.uint64(1)
    return f"{x.size}:{int(x.sum())}:{int((x * w).sum())}"


def versions():
    from importlib import metadata
    out = {"python": sys.version.split()[0]}
    for dist in ["tensorflow-cpu", "keras", "numpy", "Keras-Preprocessing", "fasttext-wheel", "scikit-learn", "scipy",
                 "threadpoolctl"]:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def blas_info():
    try:
        import numpy  # noqa: F401  (loads numpy's OpenBLAS so threadpoolctl sees it)
        import threadpoolctl
        return [{k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
                for i in threadpoolctl.threadpool_info()]
    except Exception as e:  # informational only
        return [{"error": str(e)}]


def environment():
    return {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS") if k in os.environ}


# ---------------------------------------------------------------------------------------------
# Keras


def build_keras(name, vocab, maxlen):
    import keras
    from keras import layers
    dim = 10 if name in ("seed", "seed-gru") else 64
    body = {
        "seed": lambda: [layers.LSTM(10)],
        "lstm": lambda: [layers.LSTM(64)],
        "gru": lambda: [layers.GRU(64)],
        "seed-gru": lambda: [layers.GRU(10)],
        "cnn": lambda: [layers.Conv1D(64, 5, activation="relu"), layers.GlobalMaxPooling1D()],
    }[name]()
    return keras.Sequential([keras.Input(shape=(maxlen,), dtype="int32"), layers.Embedding(vocab, dim), *body,
                             layers.Dense(1, activation="sigmoid")])


def run_keras(args):
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.inter_op_threads)
    import keras
    import numpy as np
    from keras_preprocessing.sequence import pad_sequences
    from keras_preprocessing.text import Tokenizer

    keras.utils.set_random_seed(args.seed)
    xtr_text, xte_text, ytr_lab, yte_lab, classes = load_data(args.data)
    tok = Tokenizer(num_words=args.vocab_size, char_level=True)
    tok.fit_on_texts(xtr_text)
    xtr = pad_sequences(tok.texts_to_sequences(xtr_text), maxlen=args.max_length)
    xte = pad_sequences(tok.texts_to_sequences(xte_text), maxlen=args.max_length)
    ytr = np.array([classes.index(y) for y in ytr_lab], dtype="float32")
    yte = np.array([classes.index(y) for y in yte_lab], dtype="float32")

    model = build_keras(args.model, args.vocab_size, args.max_length)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=args.learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds, self.cpu, self.logs = [], [], []

        def on_epoch_begin(self, epoch, logs=None):
            self.t0, self.c0 = time.perf_counter(), cpu_seconds()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.t0)
            self.cpu.append(cpu_seconds() - self.c0)
            self.logs.append(dict(logs or {}))
            log(f"keras {args.model}: epoch {epoch + 1}/{args.epochs} {self.seconds[-1]:.2f} s, "
                f"{len(xtr) / self.seconds[-1]:.0f} samples/s, loss {logs.get('loss', 0):.4f}, "
                f"accuracy {logs.get('accuracy', 0):.4f}")

    timer = EpochTimer()
    model.fit(xtr, ytr, batch_size=args.batch_size, epochs=args.epochs, shuffle=True, verbose=0, callbacks=[timer])
    timed = timer.seconds[1:] if len(timer.seconds) > 1 else timer.seconds
    timed_cpu = timer.cpu[1:] if len(timer.cpu) > 1 else timer.cpu
    test_loss, test_acc = model.evaluate(xte, yte, batch_size=args.batch_size, verbose=0)

    # One raw text: tokenise + pad + a traced call (the fast path a careful user takes).
    n = args.predict_calls
    texts = [xte_text[i % len(xte_text)] for i in range(n)]
    fn = tf.function(lambda x: model(x, training=False), input_signature=[tf.TensorSpec([1, args.max_length], tf.int32)])
    maxlen = args.max_length

    def encode(t):
        return pad_sequences(tok.texts_to_sequences([t]), maxlen=maxlen)

    def predict(t):
        return fn(tf.constant(encode(t))).numpy()

    rows = [tf.constant(encode(t)) for t in texts]
    for t in texts[:20]:
        predict(t)
    predict_us = timed_calls(predict, texts)
    forward_us = timed_calls(lambda x: fn(x).numpy(), rows)
    tokenize_us = timed_calls(encode, texts)
    arrays = [encode(t) for t in texts[:300]]
    model.predict_on_batch(arrays[0])
    pob_us = timed_calls(model.predict_on_batch, arrays, budget_s=30)
    model(arrays[0], training=False)
    eager_us = timed_calls(lambda x: model(x, training=False).numpy(), arrays[:50], budget_s=10)

    sps = [len(xtr) / s for s in timer.seconds]
    return {
        "name": args.model,
        "description": DESCRIPTIONS[args.model],
        "parameters": int(model.count_params()),
        "epoch_seconds": [round(s, 3) for s in timer.seconds],
        "epoch_samples_per_second": [round(s, 1) for s in sps],
        "train_samples_per_second": round(statistics.median(len(xtr) / s for s in timed), 1),
        "timed_epochs": list(range(2, len(timer.seconds) + 1)) if len(timer.seconds) > 1 else [1],
        "train_cpu_utilisation": round(sum(timed_cpu) / sum(timed), 2),
        "train_loss": round(float(timer.logs[-1].get("loss", 0)), 4),
        "train_accuracy": round(float(timer.logs[-1].get("accuracy", 0)), 4),
        "test_loss": round(float(test_loss), 4),
        "test_accuracy": round(float(test_acc), 4),
        "predict_latency_us_median": summary(predict_us)["median"],
        "predict_latency_us_p99": summary(predict_us)["p99"],
        "forward_latency_us_median": summary(forward_us)["median"],
        "forward_latency_us_p99": summary(forward_us)["p99"],
        "tokenize_latency_us_median": summary(tokenize_us)["median"],
        "predict_on_batch_us": summary(pob_us),
        "eager_call_us": summary(eager_us),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "peak_rss_scope": "process",
        "vocabulary_found": len(tok.word_index),
        "tokens_checksum": tokens_checksum(xtr, xte),
        "settings": {"tokenizer": "keras_preprocessing Tokenizer(char_level=True)", "vocab_size": args.vocab_size,
                     "max_length": args.max_length, "batch_size": args.batch_size, "epochs": args.epochs,
                     "learning_rate": args.learning_rate, "intra_op_threads": args.threads,
                     "inter_op_threads": args.inter_op_threads, "seed": args.seed,
                     "latency": "predict = texts_to_sequences + pad_sequences + tf.function call + .numpy(); "
                                "forward = tf.function call on a padded [1, length] int32 tensor"},
        "versions": versions(),
        "environment": environment(),
    }


# ---------------------------------------------------------------------------------------------
# fastText


def spaced(text):
    """Chinese fed to fastText as space-separated characters (whitespace dropped)."""
    return " ".join(ch for ch in text if not ch.isspace())


def run_fasttext(args):
    import fasttext
    xtr, xte, ytr, yte, _ = load_data(args.data)
    configs = [("fastText e5", 5, 1), ("fastText e5 ng2", 5, 2), ("fastText e25 ng2", 25, 2)]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.txt"
        with open(path, "w", encoding="utf-8") as f:
            for y, x in zip(ytr, xtr):
                f.write(f"__label__{y} {spaced(x)}\n")
        for label, epochs, ngrams in configs:
            seconds, accs, model = [], [], None
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                model = fasttext.train_supervised(str(path), lr=0.1, dim=100, epoch=epochs, wordNgrams=ngrams,
                                                  thread=args.threads, verbose=0)
                seconds.append(time.perf_counter() - t0)
                pred = [model.predict(spaced(x))[0][0][len("__label__"):] for x in xte]
                accs.append(sum(p == y for p, y in zip(pred, yte)) / len(yte))
            texts = [xte[i % len(xte)] for i in range(args.predict_calls)]
            us = timed_calls(lambda t: model.predict(spaced(t)), texts)
            log(f"{label}: {statistics.median(seconds):.2f} s, accuracy {statistics.median(accs):.4f}")
            out.append({"name": label, "train_seconds": round(statistics.median(seconds), 3),
                        "train_seconds_all": [round(s, 3) for s in seconds],
                        "test_accuracy": round(statistics.median(accs), 4), "test_accuracy_all": [round(a, 4) for a in accs],
                        "predict_latency_us_median": summary(us)["median"], "predict_latency_us_p99": summary(us)["p99"],
                        "settings": {"lr": 0.1, "dim": 100, "epoch": epochs, "wordNgrams": ngrams, "thread": args.threads,
                                     "input": "space-separated characters"}})
    return {"tool": "fasttext", "models": out, "peak_rss_mb": round(peak_rss_mb(), 1), "versions": versions(),
            "environment": environment()}


# ---------------------------------------------------------------------------------------------
# scikit-learn


def run_sklearn(args):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC
    from sklearn.tree import DecisionTreeClassifier
    from sklearn.ensemble import RandomForestClassifier

    xtr, xte, ytr, yte, _ = load_data(args.data)
    classifiers = [("LogReg", LogisticRegression), ("LinearSVC", LinearSVC), ("MultinomialNB", MultinomialNB)]
    if args.trees:
        classifiers += [("DecisionTree", DecisionTreeClassifier),
                        ("RandomForest 100", lambda: RandomForestClassifier(n_estimators=100, n_jobs=args.threads))]
    out = []
    for features, ngram in [("chars", (1, 1)), ("chars + bigrams", (1, 2))]:
        for label, make in classifiers:
            seconds, pipe = [], None
            repeats = 1 if label.startswith("RandomForest") else args.repeats
            for _ in range(repeats):
                pipe = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=ngram), make())
                t0 = time.perf_counter()
                pipe.fit(xtr, ytr)
                seconds.append(time.perf_counter() - t0)
            acc = float((pipe.predict(xte) == __import__("numpy").array(yte)).mean())
            calls = args.predict_calls if not label.startswith(("RandomForest", "DecisionTree")) else min(args.predict_calls, 300)
            texts = [xte[i % len(xte)] for i in range(calls)]
            us = timed_calls(lambda t: pipe.predict([t]), texts)
            log(f"sklearn {label} ({features}): {statistics.median(seconds):.2f} s, accuracy {acc:.4f}")
            out.append({"name": f"{label} ({features})", "train_seconds": round(statistics.median(seconds), 3),
                        "test_accuracy": round(acc, 4), "predict_latency_us_median": summary(us)["median"],
                        "predict_latency_us_p99": summary(us)["p99"],
                        "settings": {"features": f"TfidfVectorizer(analyzer='char', ngram_range={ngram})",
                                     "classifier": label + " (library defaults)"}})
    return {"tool": "scikit-learn", "models": out, "peak_rss_mb": round(peak_rss_mb(), 1), "versions": versions(),
            "environment": environment(), "blas": blas_info()}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["keras", "fasttext", "sklearn", "info"])
    p.add_argument("--model", choices=MODELS, default="seed")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=1, help="TF intra-op threads; fastText threads")
    p.add_argument("--inter-op-threads", type=int, default=1)
    p.add_argument("--vocab-size", type=int, default=5000)
    p.add_argument("--max-length", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--learning-rate", type=float, default=0.001)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--predict-calls", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3, help="fastText / scikit-learn training repeats (median)")
    p.add_argument("--trees", action="store_true", help="also DecisionTree and RandomForest (slow)")
    p.add_argument("--data", default=str(DATA))
    p.add_argument("--json", action="store_true", help="accepted for symmetry; output is always JSON")
    args = p.parse_args()
    if args.epochs < 1 or args.threads < 1 or args.predict_calls < 1 or args.repeats < 1:
        sys.exit("--epochs, --threads, --predict-calls and --repeats must be at least 1")
    if not (Path(args.data) / "train.tsv").exists():
        sys.exit(f"{args.data}: no train.tsv")
    if args.mode == "keras":
        result = run_keras(args)
    elif args.mode == "fasttext":
        result = run_fasttext(args)
    elif args.mode == "sklearn":
        result = run_sklearn(args)
    else:
        result = {"versions": versions(), "blas": blas_info(), "environment": environment()}
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
