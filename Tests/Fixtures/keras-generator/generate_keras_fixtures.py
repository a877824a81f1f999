#!/usr/bin/env python3
"""Keras golden fixtures for Bidirectional, MaxPooling1D, AveragePooling1D, Flatten,
SpatialDropout1D, small models with them, learning-rate schedules, SGD momentum,
class_weight, a fit with EarlyStopping and ReduceLROnPlateau, a frozen Embedding and multi-label
sigmoid heads, written into Tests/Fixtures/keras/ in the schema of the existing files
(see Tests/Fixtures/keras/README.md).

    python3 Tests/Fixtures/keras-generator/generate_keras_fixtures.py            # all files
    python3 Tests/Fixtures/keras-generator/generate_keras_fixtures.py pooling1d  # one file

Run with any Python 3.11: the script makes its own virtual environment (.venv-fixtures/ at the
repository root, git-ignored) with the pinned TensorFlow and Keras of requirements.txt beside
it, installs them from PyPI the first time, and re-runs itself there. `--venv DIR` puts the
environment elsewhere; `--no-venv` uses the running interpreter as it is.

Every number comes from real Keras (TensorFlow backend) on the CPU, with op determinism on and
fixed thread counts; the inputs and weights are drawn from NumPy with a fixed seed per case, so
a rerun writes the same files.
"""

import argparse
import hashlib
import os
import pathlib
import platform
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]
OUT = REPO / "Tests" / "Fixtures" / "keras"
REQUIREMENTS = HERE / "requirements.txt"
FILES = ["bidirectional", "pooling1d", "flatten", "spatial_dropout", "layer_models", "schedules", "sgd_momentum", "class_weight",
         "early_stopping", "frozen_embedding", "multi_label"]


# ---------------------------------------------------------------------------------------------
# The virtual environment

def in_venv(venv: pathlib.Path) -> bool:
    return pathlib.Path(sys.prefix).resolve() == venv.resolve()


def bootstrap(venv: pathlib.Path) -> None:
    """Creates `venv` when missing, installs requirements.txt into it when it changed since the
    last install, and re-executes this script with the environment's Python."""
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


# ---------------------------------------------------------------------------------------------
# Keras, set up for reproducible CPU numbers

def setup_keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["KERAS_BACKEND"] = "tensorflow"
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    import numpy as np
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()
    import keras
    return np, tf, keras


np = tf = keras = None


def versions():
    return {
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "keras_epsilon": keras.backend.epsilon(),
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset (TF default: oneDNN on)"),
        "threads": "intra_op=2, inter_op=1, op determinism enabled",
    }


COMMON_NOTES = {
    "tensor_encoding": "Every tensor is {\"shape\": [...], \"values\": nested lists}; flattening `values` in row-major (C) order gives the buffer. INPUTS (x, weights, initial_weights, dloss_doutput, y) are float32 numbers written EXACTLY (the shortest decimal of the float32 widened to float64), so parsing them as Float or as Double gives the exact value Keras used. float32 RESULTS are written with the shortest decimal that round-trips to the same float32 (parse as Float); float64 results with the shortest decimal that round-trips to float64.",
    "float32_vs_float64": "Inputs and weights are generated once as float32. results.float32 is Keras run in float32; results.float64 is the same problem (the same float32 numbers widened to float64) run with dtype float64. Compare a float32 engine to results.float32 with rtol~1e-5/atol~1e-6 (a bit looser for gradients); results.float64 is the high-precision reference.",
    "layer_loss": "For single-layer fixtures the scalar loss is loss = sum(output * dloss_doutput), where dloss_doutput (stored, same shape as the output) is a fixed random tensor; so dL/doutput == dloss_doutput and the stored gradients are the vector-Jacobian products for that upstream gradient. grads[name] is dL/dweight in the weight's own shape; grad_input is dL/dx.",
    "weight_names": "Single-layer files name each weight as the Swift engine does (the part of Keras's variable path after the layer's own name, without the `<type>_cell` level): kernel, forward_lstm/kernel, backward_gru/bias, ...",
}


# ---------------------------------------------------------------------------------------------
# Values and JSON

class F32:
    """A float32 result: written with the shortest decimal that round-trips to float32."""
    __slots__ = ("v",)

    def __init__(self, v):
        self.v = np.float32(v)


def exact(a):
    """An input tensor (float32, written exactly) or integer tensor."""
    a = np.asarray(a)
    if a.dtype.kind in "iub":
        return {"shape": list(a.shape), "values": a.astype(np.int64).tolist()}
    return {"shape": list(a.shape), "values": a.astype(np.float32).astype(np.float64).tolist()}


def result(a, dtype):
    """A result tensor: float32 shortest-round-trip or float64."""
    a = np.asarray(a)
    if dtype == "float32":
        def walk(x):
            return F32(x) if x.ndim == 0 else [walk(e) for e in x]
        return {"shape": list(a.shape), "values": walk(a.astype(np.float32))}
    return {"shape": list(a.shape), "values": a.astype(np.float64).tolist()}


def scalar(v, dtype):
    return F32(v) if dtype == "float32" else float(v)


def plain(o):
    """A Keras config as plain JSON values (tuples to lists, NumPy scalars to Python ones)."""
    if isinstance(o, dict):
        return {str(k): plain(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [plain(v) for v in o]
    if isinstance(o, np.generic):
        return o.item()
    return o


def fmt_scalar(v):
    if isinstance(v, F32):
        s = str(v.v)
        assert s not in ("nan", "inf", "-inf"), s
        return s
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        assert np.isfinite(v), v
        return repr(v)
    if isinstance(v, str):
        import json
        return json.dumps(v)
    raise TypeError(type(v))


def is_tensor(o):
    return isinstance(o, dict) and set(o) == {"shape", "values"}


def inline(o):
    if isinstance(o, list):
        return "[" + ", ".join(inline(e) for e in o) + "]"
    if isinstance(o, dict):
        return "{" + ", ".join(fmt_scalar(k) + ": " + inline(v) for k, v in o.items()) + "}"
    return fmt_scalar(o)


def dump(o, ind=0):
    """JSON laid out as the existing fixture files: indent 1, tensors' values one line per
    outer row when they have three or more axes."""
    pad, inner = " " * ind, " " * (ind + 1)
    if is_tensor(o):
        vals = o["values"]
        if len(o["shape"]) >= 3 and vals:
            body = ",\n".join(" " * (ind + 2) + inline(r) for r in vals)
            v = "[\n" + body + "\n" + inner + "]"
        else:
            v = inline(vals)
        return "{\n" + inner + '"shape": ' + inline(o["shape"]) + ",\n" + inner + '"values": ' + v + "\n" + pad + "}"
    if isinstance(o, dict):
        if not o:
            return "{}"
        return "{\n" + ",\n".join(inner + fmt_scalar(k) + ": " + dump(v, ind + 1) for k, v in o.items()) + "\n" + pad + "}"
    if isinstance(o, list):
        if all(not isinstance(e, (dict, list)) for e in o):
            return inline(o)
        return "[\n" + ",\n".join(inner + dump(e, ind + 1) for e in o) + "\n" + pad + "]"
    return fmt_scalar(o)


def write(name, description, layout_notes, cases, common=True, extra=None):
    doc = {
        "fixture": name,
        "set": "public",
        "generator": "Tests/Fixtures/keras-generator/generate_keras_fixtures.py",
        "versions": versions(),
        "description": description,
        "layout_notes": layout_notes,
    }
    if common:
        doc["common_notes"] = COMMON_NOTES
    doc.update(extra or {})
    doc["cases"] = cases
    path = OUT / f"{name}.json"
    path.write_text(dump(doc) + "\n")
    print(f"wrote {path.relative_to(REPO)} ({len(cases)} cases, {path.stat().st_size:,} bytes)", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Single layers

def engine_weight_name(path, layer_name):
    """`bidirectional/forward_lstm/lstm_cell/kernel` → `forward_lstm/kernel`."""
    parts = path.split("/")
    if parts and parts[0] == layer_name:
        parts = parts[1:]
    return "/".join(p for p in parts if not p.endswith("_cell"))


def run_layer(make, x, weights, dloss, mask, dtype, training=False):
    """Output, loss = sum(output * dloss), weight and input gradients of a fresh layer from
    `make(dtype)` holding `weights` (in layer.weights order)."""
    layer = make(dtype)
    xt = tf.constant(x.astype(dtype))
    kwargs = {} if mask is None else {"mask": tf.constant(mask.astype(bool))}
    layer(xt, **kwargs)  # builds it
    if weights:
        layer.set_weights([w.astype(dtype) for w in weights])
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt, training=training, **kwargs)
        loss = tf.reduce_sum(y * tf.constant(dloss.astype(dtype)))
    grads = tape.gradient(loss, [xt] + list(layer.trainable_weights))
    return layer, y.numpy(), loss.numpy(), grads[0].numpy(), [g.numpy() for g in grads[1:]]


def layer_case(name, make, x, seed, call="layer(x)", mask=None, note=None, optional=False, weight_scale=0.6):
    """One single-layer case: random float32 weights (every weight, biases too) in the shapes
    Keras built, a random upstream gradient, float32 and float64 results."""
    rng = np.random.default_rng(seed)
    probe = make("float32")
    kwargs = {} if mask is None else {"mask": tf.constant(mask.astype(bool))}
    y0 = probe(tf.constant(x), **kwargs)
    weights = [rng.uniform(-weight_scale, weight_scale, size=tuple(w.shape)).astype(np.float32) for w in probe.weights]
    names = [engine_weight_name(w.path, probe.name) for w in probe.weights]
    dloss = rng.standard_normal(size=tuple(y0.shape)).astype(np.float32)
    case = {
        "name": name,
        "optional": optional,
        "layer": {"class_name": type(probe).__name__, "config": plain(probe.get_config())},
        "call": call,
        "seed": seed,
        "inputs": {"x": exact(x)},
        "weight_order": names,
        "weights": {n: exact(w) for n, w in zip(names, weights)},
        "dloss_doutput": exact(dloss),
        "results": {},
    }
    if mask is not None:
        case["inputs"]["mask"] = exact(mask.astype(np.int64))
    for dtype in ("float32", "float64"):
        _, y, loss, gx, gw = run_layer(make, x, weights, dloss, mask, dtype)
        case["results"][dtype] = {
            "output": result(y, dtype),
            "loss": scalar(loss, dtype),
            "grads": {n: result(g, dtype) for n, g in zip(names, gw)},
            "grad_input": result(gx, dtype),
            "extras": {},
        }
    if note:
        case["note"] = note
    return case


def random_x(seed, shape):
    return np.random.default_rng(seed).uniform(-1, 1, size=shape).astype(np.float32)


RNNS = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn"}


def bidirectional():
    L = keras.layers
    cases = []
    seed = 15000
    b, t, d, u = 2, 4, 3, 2
    for cls, type_name in RNNS.items():
        for rs in (False, True):
            for mode in ("concat", "sum", "ave", "mul"):
                seed += 1

                def make(dtype, cls=cls, type_name=type_name, rs=rs, mode=mode):
                    inner = getattr(L, cls)(u, return_sequences=rs, name=type_name, dtype=dtype)
                    return L.Bidirectional(inner, merge_mode=mode, name="bidirectional", dtype=dtype)
                x = random_x(seed, (b, t, d))
                cases.append(layer_case(f"Bidirectional_{cls}_{mode}_return_sequences{str(rs).lower()}_b{b}_t{t}_d{d}_u{u}",
                                        make, x, seed))
    # Masks: row 0 padded at the end, row 1 at the start (Keras's pad_sequences default).
    mask = np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], dtype=np.int64)
    for cls, rs, mode in (("LSTM", True, "concat"), ("LSTM", False, "concat"), ("GRU", True, "sum"),
                          ("GRU", False, "mul"), ("SimpleRNN", True, "ave")):
        seed += 1

        def make(dtype, cls=cls, rs=rs, mode=mode):
            inner = getattr(L, cls)(u, return_sequences=rs, name=RNNS[cls], dtype=dtype)
            return L.Bidirectional(inner, merge_mode=mode, name="bidirectional", dtype=dtype)
        x = random_x(seed, (3, 5, d))
        cases.append(layer_case(f"Bidirectional_{cls}_{mode}_return_sequences{str(rs).lower()}_masked", make, x, seed,
                                call="layer(x, mask=inputs.mask)  (mask: true = real timestep)", mask=mask, optional=True,
                                note="Both copies skip masked steps (the backward copy sees the mask reversed). With return_sequences=True Keras forces zero_output_for_mask=True on both copies: the output at a masked step is 0 in both halves."))
    write("bidirectional", "Bidirectional(SimpleRNN / GRU / LSTM) forward/backward, every merge mode, return_sequences false and true; optional masked cases.",
          {
              "structure": "Two copies of the wrapped layer with their own weights: forward_<type> reads x as it is; backward_<type> is the same layer with go_backwards=True, i.e. it reads x reversed in time. With return_sequences=True the backward copy's output sequence is reversed back (flip on the time axis) before merging, so step t of both halves belongs to input step t; with return_sequences=False each copy gives its final state.",
              "merge_mode": "concat: [y_f, y_b] on the last axis (2*units); sum: y_f + y_b; ave: (y_f + y_b)/2; mul: y_f * y_b.",
              "weights": "weight_order = forward copy's weights then backward copy's, each in the wrapped layer's order (kernel, recurrent_kernel, bias), named forward_<type>/<weight> and backward_<type>/<weight>. Layouts as lstm.json / gru.json (reset_after=True, bias [2, 3*units]) / simple_rnn.json.",
              "mask": "Optional masked cases: mask [batch, time], 1 = real step. Both copies skip masked steps (state carried); with return_sequences=True the output at a masked step is 0 (Keras sets zero_output_for_mask = return_sequences on the wrapped layers).",
          }, cases)


def pooling1d():
    L = keras.layers
    cases = []
    seed = 15100
    configs = [(2, None, "valid"), (2, None, "same"), (3, 2, "valid"), (3, 2, "same"), (3, 1, "same"),
               (2, 3, "valid"), (2, 3, "same"), (4, 1, "valid"), (5, 2, "same"), (7, None, "valid")]
    for cls in ("MaxPooling1D", "AveragePooling1D"):
        for pool, strides, padding in configs:
            seed += 1

            def make(dtype, cls=cls, pool=pool, strides=strides, padding=padding):
                return getattr(L, cls)(pool_size=pool, strides=strides, padding=padding, name="pool", dtype=dtype)
            x = random_x(seed, (2, 7, 3))
            cases.append(layer_case(f"{cls}_pool{pool}_strides{strides or pool}_{padding}_2x7x3", make, x, seed))
    # Ties: TensorFlow's max-pool gradient goes to one of the tied steps.
    seed += 1
    x = np.array([[[1, 2], [3, 2], [3, 0], [1, 0], [2, 2]]], dtype=np.float32)
    cases.append(layer_case("MaxPooling1D_pool2_strides1_valid_ties", lambda dtype: L.MaxPooling1D(2, strides=1, name="pool", dtype=dtype),
                            x, seed, optional=True,
                            note="Tied maxima within a window (channel 0 steps 1-2, channel 1 steps 0-1 and 3-4): the gradient of each output goes to the FIRST step holding the window's maximum."))
    write("pooling1d", "MaxPooling1D / AveragePooling1D (channels_last) with several pool sizes, strides and both paddings, on a length (7) that no pool divides; an optional case with tied maxima.",
          {
              "geometry": "Windows of pool_size steps, strides apart (strides=None means pool_size). valid: out = floor((L - pool_size)/strides) + 1, window t covers [t*strides, t*strides + pool_size). same: out = ceil(L/strides); total = max((out-1)*strides + pool_size - L, 0); left = floor(total/2) (the odd extra step goes at the end); window t covers [t*strides - left, ... + pool_size) clipped to [0, L).",
              "MaxPooling1D": "Maximum over the window's real steps (padding never wins). Gradient: to the step holding the maximum (see the ties case); overlapping windows add up.",
              "AveragePooling1D": "Mean over the window's REAL steps only: with padding='same' an edge window that reaches into the padding divides by the number of real steps it covers, not by pool_size (TensorFlow's SAME average pooling). Gradient: dy/count to each real step of the window; overlapping windows add up.",
          }, cases)


def flatten():
    L = keras.layers
    cases = []
    for seed, shape in ((15201, (2, 4, 3)), (15202, (3, 5)), (15203, (2, 1, 6))):
        x = random_x(seed, shape)
        cases.append(layer_case("Flatten_" + "x".join(map(str, shape)), lambda dtype: L.Flatten(name="flatten", dtype=dtype), x, seed))
    write("flatten", "Flatten of a sequence [batch, steps, channels] and of a [batch, features] input.",
          {"Flatten": "[batch, d1, d2, ...] -> [batch, d1*d2*...], row-major (channels_last: all channels of step 0, then step 1, ...). A rank-2 input is unchanged. Gradient: dy reshaped back."},
          cases)


def spatial_dropout():
    L = keras.layers
    cases = []
    for seed, rate, shape in ((15301, 0.3, (2, 5, 4)), (15302, 0.5, (3, 2, 6))):
        x = random_x(seed, shape)
        cases.append(layer_case(f"SpatialDropout1D_rate{rate}_inference_" + "x".join(map(str, shape)),
                                lambda dtype, rate=rate: L.SpatialDropout1D(rate, name="spatial_dropout1d", dtype=dtype),
                                x, seed, call="layer(x, training=False)"))
    # Training: Keras's random numbers cannot be reproduced, so record what the masks look like.
    stats = []
    for seed, rate in ((15311, 0.2), (15312, 0.5), (15313, 0.7)):
        keras.utils.set_random_seed(seed)
        b, t, c = 400, 6, 50
        layer = L.SpatialDropout1D(rate, seed=seed)
        y = layer(tf.ones((b, t, c)), training=True).numpy()
        column_constant = bool(np.all(y == y[:, :1, :]))
        values = sorted(set(np.unique(y).tolist()))
        kept_scale = np.float32(1) / (np.float32(1) - np.float32(rate))
        stats.append({
            "rate": rate,
            "seed": seed,
            "input": f"ones of shape [{b}, {t}, {c}]",
            "call": "keras.utils.set_random_seed(seed); SpatialDropout1D(rate, seed=seed)(x, training=True)",
            "dropped_fraction": float(np.mean(y[:, 0, :] == 0)),
            "distinct_output_values": [F32(v) for v in values],
            "kept_value_float32": F32(kept_scale),
            "each_example_channel_constant_over_steps": column_constant,
            "examples_x_channels": b * c,
        })
    write("spatial_dropout", "SpatialDropout1D: inference is the identity (output = x, grad_input = dloss_doutput); in training, statistics of Keras's masks.",
          {
              "inference": "training=False: output = x, grad_input = dloss_doutput.",
              "training": "training=True: noise_shape (batch, 1, channels): each (example, channel) is dropped at every step with probability rate, or kept at every step and scaled by 1/(1 - rate). training_statistics records Keras's masks on an all-ones input: the fraction of (example, channel) pairs dropped, the distinct output values (0 and 1/(1-rate) in float32) and that every (example, channel) column is constant over the steps. Keras's random numbers are not part of the fixture.",
          }, cases, extra={"training_statistics": stats})


# ---------------------------------------------------------------------------------------------
# Small models: forward, gradients and three optimiser steps

def model_case(name, layers_fn, vocab, length, batch, loss, optimizer_fn, opt_record, init_seed, data_seed, mask_rows=()):
    """Builds `layers_fn(dtype)` on integer input [batch, length], with Keras's default
    initialisers under keras.utils.set_random_seed(init_seed). Records the same fields as
    models.json."""
    rng = np.random.default_rng(data_seed)
    x = rng.integers(1, vocab, size=(batch, length)).astype(np.int32)
    for r, pad in mask_rows:                  # leading zeros (pre-padding) in some rows
        x[r, :pad] = 0
    if loss == "binary_crossentropy":
        y = rng.integers(0, 2, size=(batch, 1)).astype(np.float32)
    else:
        y = rng.integers(0, 3, size=(batch,)).astype(np.int32)

    def build(dtype, weights=None):
        keras.utils.set_random_seed(init_seed)
        model = keras.Sequential([keras.Input((length,), dtype="int32")] + layers_fn(dtype), name="sequential")
        if weights is not None:
            model.set_weights([w.astype(dtype) for w in weights])
        return model

    base = build("float32")
    initial = [w.numpy().astype(np.float32) for w in base.weights]
    order = [w.path for w in base.weights]
    case = {
        "name": name,
        "model": {
            "layers": [{"class_name": type(l).__name__, "config": plain(l.get_config())} for l in base.layers],
            "input_length": length,
            "loss": loss,
            "note": "",
        },
        "data": {"vocab_size_V": vocab, "random_token_ids": True},
        "inputs": {"x": exact(x), "y": exact(y)},
        "init_seed": init_seed,
        "weight_order": order,
        "initial_weights": {p: exact(w) for p, w in zip(order, initial)},
        "optimizer": opt_record,
        "results": {},
    }
    loss_fn = {"binary_crossentropy": keras.losses.BinaryCrossentropy,
               "sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy}[loss]
    # float32 only: the float64 reference of three training runs would triple the file.
    for dtype in ("float32",):
        model = build(dtype, initial)
        names = [l.name for l in model.layers]
        xt, yt = tf.constant(x), tf.constant(y.astype(dtype) if loss == "binary_crossentropy" else y)
        with tf.GradientTape(persistent=True) as tape:
            h, acts = xt, []
            for l in model.layers:
                h = l(h, training=False)
                acts.append(h)
            logits = acts[-1]._keras_logits if hasattr(acts[-1], "_keras_logits") else None
            value = loss_fn()(yt, acts[-1])
        grads = tape.gradient(value, model.trainable_weights)
        gacts = tape.gradient(value, acts[:-1])
        del tape
        res = {
            "activations": {n: result(a.numpy(), dtype) for n, a in zip(names, acts)},
            "output": result(acts[-1].numpy(), dtype),
            "loss": scalar(value.numpy(), dtype),
            "grads": {p: result(g.numpy() if not isinstance(g, tf.IndexedSlices) else tf.convert_to_tensor(g).numpy(), dtype)
                      for p, g in zip(order, grads)},
            "grad_activations": {n: result(g.numpy(), dtype) for n, g in zip(names[:-1], gacts) if g is not None},
        }
        if logits is not None:
            res["output_logits"] = result(logits.numpy(), dtype)

        # Real Keras training: compile + train_on_batch, what fit does.
        model = build(dtype, initial)
        model.compile(optimizer=optimizer_fn(), loss=loss_fn(), jit_compile=False)
        before, after = [], {}
        for step in (1, 2, 3):
            before.append(scalar(model.train_on_batch(xt, yt), dtype))
            after[str(step)] = {p: result(w.numpy(), dtype) for p, w in zip(order, model.weights)}
        res["training"] = {
            "embedding_gradient_was_sparse": True,
            "how": "model.compile(optimizer, loss) then model.train_on_batch(x, y) x3",
            "loss_before_step": before,
            "weights_after_step": after,
            "output_after_3_steps": result(model(xt, training=False).numpy(), dtype),
        }
        # Textbook optimiser: dense gradients applied in an eager loop.
        model = build(dtype, initial)
        opt = optimizer_fn()
        before, after = [], {}
        for step in (1, 2, 3):
            with tf.GradientTape() as tape:
                value = loss_fn()(yt, model(xt, training=True))
            grads = [tf.convert_to_tensor(g) for g in tape.gradient(value, model.trainable_weights)]
            opt.apply_gradients(zip(grads, model.trainable_weights))
            before.append(scalar(value.numpy(), dtype))
            after[str(step)] = {p: result(w.numpy(), dtype) for p, w in zip(order, model.weights)}
        res["training_dense_gradients"] = {
            "embedding_gradient_was_sparse": False,
            "how": "eager loop: GradientTape grads, Embedding grad converted to a dense tensor, optimizer.apply_gradients x3",
            "loss_before_step": before,
            "weights_after_step": after,
            "output_after_3_steps": result(model(xt, training=False).numpy(), dtype),
        }
        case["results"][dtype] = res
    return case


def layer_models():
    L = keras.layers
    V, T, B = 10, 6, 4

    def adam(lr):
        return (lambda: keras.optimizers.Adam(learning_rate=lr),
                {"class_name": "Adam", "learning_rate": lr, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7})

    cases = []
    opt, rec = adam(0.01)
    cases.append(model_case(
        "emb_bilstm_concat_sigmoid_adam_lr0.01",
        lambda dt: [L.Embedding(V, 4, name="embedding", dtype=dt),
                    L.Bidirectional(L.LSTM(3, name="lstm", dtype=dt), name="bidirectional", dtype=dt),
                    L.Dense(1, activation="sigmoid", name="dense", dtype=dt)],
        V, T, B, "binary_crossentropy", opt, rec, init_seed=1501, data_seed=1511))
    opt, rec = adam(0.01)
    cases.append(model_case(
        "emb_masked_bigru_seq_sum_avgpool_same_flatten_softmax3_adam_lr0.01",
        lambda dt: [L.Embedding(V, 4, mask_zero=True, name="embedding", dtype=dt),
                    L.Bidirectional(L.GRU(3, return_sequences=True, name="gru", dtype=dt), merge_mode="sum", name="bidirectional", dtype=dt),
                    L.AveragePooling1D(4, strides=2, padding="same", name="pool", dtype=dt),
                    L.Flatten(name="flatten", dtype=dt),
                    L.Dense(3, activation="softmax", name="dense", dtype=dt)],
        V, T, B, "sparse_categorical_crossentropy", opt, rec, init_seed=1502, data_seed=1512, mask_rows=((0, 2), (2, 4))))
    opt, rec = adam(0.01)
    cases.append(model_case(
        "emb_conv_maxpool_flatten_sigmoid_adam_lr0.01",
        lambda dt: [L.Embedding(V, 4, name="embedding", dtype=dt),
                    L.Conv1D(5, 2, activation="relu", name="conv1d", dtype=dt),
                    L.MaxPooling1D(2, name="pool", dtype=dt),
                    L.Flatten(name="flatten", dtype=dt),
                    L.Dense(1, activation="sigmoid", name="dense", dtype=dt)],
        V, T, B, "binary_crossentropy", opt, rec, init_seed=1503, data_seed=1513))
    opt, rec = adam(0.01)
    cases.append(model_case(
        "emb_masked_bisimplernn_mul_sigmoid_adam_lr0.01",
        lambda dt: [L.Embedding(V, 4, mask_zero=True, name="embedding", dtype=dt),
                    L.Bidirectional(L.SimpleRNN(3, name="simple_rnn", dtype=dt), merge_mode="mul", name="bidirectional", dtype=dt),
                    L.Dense(1, activation="sigmoid", name="dense", dtype=dt)],
        V, T, B, "binary_crossentropy", opt, rec, init_seed=1504, data_seed=1514, mask_rows=((1, 3), (3, 1))))
    write("layer_models", "Small end-to-end models with the new layers, in the record of models.json: Embedding-Bidirectional(LSTM)-Dense(sigmoid); Embedding(mask_zero)-Bidirectional(GRU, seq, sum)-AveragePooling1D(same)-Flatten-Dense(3, softmax); Embedding-Conv1D-MaxPooling1D-Flatten-Dense(sigmoid); Embedding(mask_zero)-Bidirectional(SimpleRNN, mul)-Dense(sigmoid). Adam(lr 0.01). results.float32 only.",
          {
              "record": "As models.json (see its layout_notes and the README): initial_weights from Keras's default initialisers under keras.utils.set_random_seed(init_seed), keyed by Keras variable paths (sequential/bidirectional/forward_lstm/lstm_cell/kernel, ...) in weight_order; activations and grad_activations by layer name; training = compile + train_on_batch x3 (Embedding gradient as per-occurrence slices, see models.json's adam_embedding_quirk); training_dense_gradients = the same Adam fed dense gradients.",
              "masks": "The mask_zero cases have leading zeros (pre-padding) in some rows. Bidirectional passes the mask to both copies; pooling and Flatten drop it.",
          }, cases)


# ---------------------------------------------------------------------------------------------
# Learning-rate schedules and SGD momentum

SCHEDULE_STEPS = 1000


def schedules():
    S = keras.optimizers.schedules
    specs = [
        ("exponential_smooth", "ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=100, decay_rate=0.96, staircase=False)),
        ("exponential_staircase", "ExponentialDecay", dict(initial_learning_rate=0.01, decay_steps=70, decay_rate=0.5, staircase=True)),
        ("exponential_growth", "ExponentialDecay", dict(initial_learning_rate=0.001, decay_steps=333, decay_rate=1.7, staircase=False)),
        ("piecewise_two_boundaries", "PiecewiseConstantDecay", dict(boundaries=[100, 200], values=[0.1, 0.01, 0.001])),
        ("piecewise_four_boundaries", "PiecewiseConstantDecay", dict(boundaries=[0, 250, 251, 900], values=[0.5, 0.3, 0.2, 0.05, 0.0125])),
        ("cosine_plain", "CosineDecay", dict(initial_learning_rate=0.1, decay_steps=1000, alpha=0.0)),
        ("cosine_alpha_short", "CosineDecay", dict(initial_learning_rate=0.05, decay_steps=400, alpha=0.1)),
        ("cosine_warmup", "CosineDecay", dict(initial_learning_rate=0.0, decay_steps=700, alpha=0.0, warmup_target=0.01, warmup_steps=100)),
        ("cosine_warmup_alpha", "CosineDecay", dict(initial_learning_rate=0.001, decay_steps=300, alpha=0.2, warmup_target=0.1, warmup_steps=250)),
    ]
    cases = []
    for name, cls, kw in specs:
        sched = getattr(S, cls)(**kw)
        values = [F32(sched(tf.constant(t, dtype=tf.int64)).numpy()) for t in range(SCHEDULE_STEPS)]
        cases.append({"name": name, "class_name": cls, "config": plain(kw), "values": values})
    write("schedules", f"keras.optimizers.schedules ExponentialDecay (smooth, staircase, rate > 1), PiecewiseConstantDecay and CosineDecay (plain, alpha, warmup) evaluated at steps 0..{SCHEDULE_STEPS - 1}.",
          {
              "values": "values[t] = float32(schedule(t)) with t an int64 tensor, as an optimizer calls it with its `iterations` before the update: the learning rate of the (t+1)-th step. Written as the shortest decimal that round-trips to float32.",
              "config": "The constructor's keyword arguments.",
          }, cases, common=False)


def sgd_momentum():
    L = keras.layers
    rng = np.random.default_rng(1601)
    x = rng.uniform(-1, 1, size=(6, 5)).astype(np.float32)
    y = rng.integers(0, 3, size=(6,)).astype(np.int32)
    steps = 4

    def case(name, opt_kw, schedule=None):
        keras.utils.set_random_seed(1602)
        model = keras.Sequential([keras.Input((5,)), L.Dense(4, activation="tanh", name="dense"),
                                  L.Dense(3, activation="softmax", name="dense_1")], name="sequential")
        order = [w.path for w in model.weights]
        initial = [w.numpy().astype(np.float32) for w in model.weights]
        lr = getattr(keras.optimizers.schedules, schedule[0])(**schedule[1]) if schedule else opt_kw["learning_rate"]
        kw = dict(opt_kw, learning_rate=lr)
        model.compile(optimizer=keras.optimizers.SGD(**kw), loss=keras.losses.SparseCategoricalCrossentropy(), jit_compile=False)
        before, after = [], {}
        for step in range(1, steps + 1):
            before.append(F32(model.train_on_batch(x, y)))
            after[str(step)] = {p: result(w.numpy(), "float32") for p, w in zip(order, model.weights)}
        rec = {"class_name": "SGD", **{k: v for k, v in opt_kw.items()}}
        if schedule:
            rec["learning_rate"] = {"class_name": schedule[0], "config": plain(schedule[1])}
        return {
            "name": name,
            "model": {"layers": [{"class_name": type(l).__name__, "config": plain(l.get_config())} for l in model.layers],
                      "input_shape": [5], "loss": "sparse_categorical_crossentropy"},
            "inputs": {"x": exact(x), "y": exact(y)},
            "init_seed": 1602,
            "weight_order": order,
            "initial_weights": {p: exact(w) for p, w in zip(order, initial)},
            "optimizer": rec,
            "training": {"how": f"model.compile(optimizer, loss) then model.train_on_batch(x, y) x{steps}",
                         "loss_before_step": before, "weights_after_step": after},
        }

    cases = [
        case("sgd_momentum0.9_lr0.1", dict(learning_rate=0.1, momentum=0.9, nesterov=False)),
        case("sgd_momentum0.9_nesterov_lr0.1", dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
        case("sgd_momentum0.9_nesterov_exponential_decay", dict(learning_rate=None, momentum=0.9, nesterov=True),
             schedule=("ExponentialDecay", dict(initial_learning_rate=0.2, decay_steps=1, decay_rate=0.5, staircase=False))),
    ]
    write("sgd_momentum", f"SGD(momentum 0.9) without and with nesterov, and with nesterov under an ExponentialDecay schedule, on Dense(4, tanh) -> Dense(3, softmax) with sparse categorical cross-entropy: weights after each of {steps} train_on_batch steps.",
          {
              "record": "initial_weights from Keras's default initialisers under keras.utils.set_random_seed(init_seed), keyed by Keras variable paths in weight_order (kernel [in, out], bias [out]); inputs.x float32 [6, 5], inputs.y int class ids; training.weights_after_step[k] = the weights after k steps; loss_before_step[k-1] the loss train_on_batch returned at step k.",
              "optimizer": "SGD's constructor arguments; learning_rate is a number, or {class_name, config} of a schedule evaluated at the optimizer's iterations before each update.",
          }, cases)


# ---------------------------------------------------------------------------------------------
# class_weight

def class_weight_case(name, head, classes, y_values, class_weight, init_seed, data_seed):
    """Embedding → GlobalAveragePooling1D → `head` trained with `class_weight` by
    train_on_batch x3 and by fit (batch 4 of 6 rows, two epochs, no shuffling)."""
    L = keras.layers
    V, T = 8, 3
    loss = "binary_crossentropy" if classes == 2 and head == "sigmoid" else "sparse_categorical_crossentropy"
    rng = np.random.default_rng(data_seed)
    x = rng.integers(1, V, size=(len(y_values), T)).astype(np.int32)
    y = np.asarray(y_values, dtype=np.float32 if loss == "binary_crossentropy" else np.int32)
    if loss == "binary_crossentropy":
        y = y.reshape(-1, 1)
    lr = 0.5

    def build(weights=None):
        keras.utils.set_random_seed(init_seed)
        units = 1 if head == "sigmoid" else classes
        model = keras.Sequential([keras.Input((T,), dtype="int32"),
                                  L.Embedding(V, 3, name="embedding"),
                                  L.GlobalAveragePooling1D(name="pool"),
                                  L.Dense(units, activation=head, name="dense")], name="sequential")
        if weights is not None:
            model.set_weights(weights)
        return model

    def compiled(weights):
        model = build(weights)
        loss_fn = {"binary_crossentropy": keras.losses.BinaryCrossentropy,
                   "sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy}[loss]
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss=loss_fn(), jit_compile=False)
        return model

    base = build()
    initial = [w.numpy().astype(np.float32) for w in base.weights]
    order = [w.path for w in base.weights]
    xt, yt = tf.constant(x), tf.constant(y)
    from keras.src.trainers.data_adapters.data_adapter_utils import class_weight_to_sample_weights
    sample_weights = np.asarray(class_weight_to_sample_weights(yt, class_weight), dtype=np.float32)

    # The reduction, checked here: per-sample losses × sample weights, summed, ÷ the batch size.
    per_sample = {"binary_crossentropy": keras.losses.binary_crossentropy,
                  "sparse_categorical_crossentropy": keras.losses.sparse_categorical_crossentropy}[loss](yt, base(xt)).numpy()
    weighted = float(np.sum(per_sample.astype(np.float64) * sample_weights) / len(y_values))

    model = compiled(initial)
    before, after = [], {}
    for step in (1, 2, 3):
        before.append(scalar(model.train_on_batch(xt, yt, class_weight=class_weight), "float32"))
        after[str(step)] = {p: result(w.numpy(), "float32") for p, w in zip(order, model.weights)}
    assert abs(before[0].v - weighted) <= 1e-5 * max(1.0, weighted), (before[0].v, weighted)
    unweighted_sum_mean = float(np.sum(per_sample * sample_weights) / np.sum(sample_weights))
    assert abs(before[0].v - unweighted_sum_mean) > 1e-4, "the fixture must tell ÷N from ÷Σw"

    model = compiled(initial)
    batch_losses, batch_weights, epoch_losses = [], [], []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batch_losses.append(scalar(logs["loss"], "float32"))
            batch_weights.append({p: result(w.numpy(), "float32") for p, w in zip(order, model.weights)})

        def on_epoch_end(self, epoch, logs=None):
            epoch_losses.append(scalar(logs["loss"], "float32"))

    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, class_weight=class_weight, verbose=0, callbacks=[Record()])
    return {
        "name": name,
        "model": {
            "layers": [{"class_name": type(l).__name__, "config": plain(l.get_config())} for l in base.layers],
            "input_length": T,
            "loss": loss,
            "note": "",
        },
        "data": {"vocab_size_V": V, "random_token_ids": True},
        "inputs": {"x": exact(x), "y": exact(y)},
        "class_weight": {str(k): float(v) for k, v in class_weight.items()},
        "class_weights_by_index": [float(class_weight.get(c, 1.0)) for c in range(classes)],
        "sample_weights": exact(sample_weights),
        "init_seed": init_seed,
        "weight_order": order,
        "initial_weights": {p: exact(w) for p, w in zip(order, initial)},
        "optimizer": {"class_name": "SGD", "learning_rate": lr, "momentum": 0.0, "nesterov": False},
        "results": {"float32": {
            "per_sample_loss_before_step_1": result(per_sample, "float32"),
            "training": {
                "how": "model.compile(SGD, loss) then model.train_on_batch(x, y, class_weight=class_weight) x3",
                "loss_before_step": before,
                "weights_after_step": after,
            },
            "fit": {
                "how": "model.fit(x, y, batch_size=4, epochs=2, shuffle=False, class_weight=class_weight) from initial_weights: batches of 4 and 2 rows",
                "batch_size": 4,
                "epochs": 2,
                "batch_logs_loss": batch_losses,
                "epoch_logs_loss": epoch_losses,
                "weights_after_batch": {str(i + 1): w for i, w in enumerate(batch_weights)},
            },
        }},
    }


def class_weight():
    cases = [
        class_weight_case("emb_avgpool_sigmoid_class_weight", "sigmoid", 2, [0, 1, 0, 0, 1, 0], {0: 1.0, 1: 3.0},
                          init_seed=1601, data_seed=1611),
        class_weight_case("emb_avgpool_softmax3_class_weight", "softmax", 3, [0, 2, 1, 0, 0, 2], {0: 0.5, 1: 2.0},
                          init_seed=1602, data_seed=1612),
    ]
    write("class_weight", "Keras's class_weight in model.fit / train_on_batch: Embedding(8, 3) → GlobalAveragePooling1D → Dense(1, sigmoid) with binary cross-entropy, and → Dense(3, softmax) with sparse categorical cross-entropy (class 2 left out of class_weight: weight 1). SGD(lr 0.5). results.float32 only.",
          {
              "record": "initial_weights as models.json (Keras variable paths in weight_order); training = compile + train_on_batch(x, y, class_weight=...) x3 (loss_before_step: the loss train_on_batch returns, weights_after_step); fit = model.fit(batch_size=4, epochs=2, shuffle=False, class_weight=...) from the same initial weights: batch_logs_loss is logs['loss'] at each batch end (the running mean over the epoch so far, weighted by batch size), epoch_logs_loss at each epoch end, weights_after_batch after each of the 4 batches.",
              "class_weight": "Keras maps each target to its class (binary [N, 1] targets: squeezed and rounded; sparse: the index) and looks up class_weight (missing classes: 1.0), giving sample_weights. The per-sample losses are multiplied by them and reduced with sum_over_batch_size: summed and divided by the number of samples in the batch, NOT by the sum of the weights (the generator asserts both). class_weights_by_index lists the weight of class 0, 1, ... for convenience.",
          }, cases)


# ---------------------------------------------------------------------------------------------
# A short fit with EarlyStopping(restore_best_weights) and ReduceLROnPlateau

def early_stopping_case(name, init_seed, data_seed, lr, epochs, es, plateau, n_train=16, n_val=8):
    """Embedding(12, 4) → GlobalAveragePooling1D → Dense(1, sigmoid), SGD(lr), fit with
    validation data, batch 8, no shuffling, EarlyStopping and ReduceLROnPlateau on val_loss.
    The validation labels are the opposite of a rule the training labels follow, so val_loss
    rises once the model learns the rule: the plateau lowers the rate and training stops."""
    L = keras.layers
    V, T = 12, 5
    rng = np.random.default_rng(data_seed)
    x = rng.integers(1, V, size=(n_train, T)).astype(np.int32)
    y = (x[:, 0] < V // 2).astype(np.float32).reshape(-1, 1)
    xv = rng.integers(1, V, size=(n_val, T)).astype(np.int32)
    yv = (xv[:, 0] >= V // 2).astype(np.float32).reshape(-1, 1)

    keras.utils.set_random_seed(init_seed)
    model = keras.Sequential([keras.Input((T,), dtype="int32"),
                              L.Embedding(V, 4, name="embedding"),
                              L.GlobalAveragePooling1D(name="pool"),
                              L.Dense(1, activation="sigmoid", name="dense")], name="sequential")
    initial = [w.numpy().astype(np.float32) for w in model.weights]
    order = [w.path for w in model.weights]
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss=keras.losses.BinaryCrossentropy(), jit_compile=False)

    epochs_log, weights_log = [], []

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            epochs_log.append({"epoch": epoch + 1, "loss": scalar(logs["loss"], "float32"),
                               "val_loss": scalar(logs["val_loss"], "float32")})
            weights_log.append({p: result(w.numpy(), "float32") for p, w in zip(order, self.model.weights)})

    class RecordRate(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            epochs_log[-1]["learning_rate_after"] = scalar(float(self.model.optimizer.learning_rate.numpy()), "float32")

    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", restore_best_weights=True, **es)
    reducer = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", **plateau)
    # Record first, so its weights are the epoch's own (before a restore at the end of training);
    # RecordRate last, so the rate is the one the callbacks left for the next epoch.
    model.fit(x, y, batch_size=8, epochs=epochs, shuffle=False, validation_data=(xv, yv), verbose=0,
              callbacks=[Record(), stopper, reducer, RecordRate()])
    restored = {p: result(w.numpy(), "float32") for p, w in zip(order, model.weights)}
    trained = len(epochs_log)
    assert 0 < stopper.stopped_epoch < epochs - 1, f"{name}: no early stop (stopped_epoch {stopper.stopped_epoch})"
    assert any(e["learning_rate_after"].v < np.float32(lr) for e in epochs_log), f"{name}: the plateau never lowered the rate"
    best_epoch = stopper.best_epoch + 1
    assert best_epoch < trained, f"{name}: the best epoch must not be the last, to tell a restore from none"
    return {
        "name": name,
        "model": {
            "layers": [{"class_name": type(l).__name__, "config": plain(l.get_config())} for l in model.layers],
            "input_length": T,
            "loss": "binary_crossentropy",
        },
        "data": {"vocab_size_V": V, "random_token_ids": True},
        "inputs": {"x": exact(x), "y": exact(y), "validation_x": exact(xv), "validation_y": exact(yv)},
        "init_seed": init_seed,
        "weight_order": order,
        "initial_weights": {p: exact(w) for p, w in zip(order, initial)},
        "optimizer": {"class_name": "SGD", "learning_rate": lr, "momentum": 0.0, "nesterov": False},
        "fit": {"batch_size": 8, "epochs": epochs, "shuffle": False},
        "early_stopping": {"monitor": "val_loss", "restore_best_weights": True, **plain(es)},
        "reduce_lr_on_plateau": {"monitor": "val_loss", **plain(plateau)},
        "results": {"float32": {
            "epochs": epochs_log,
            "weights_after_epoch": {str(i + 1): w for i, w in enumerate(weights_log)},
            "epochs_trained": trained,
            "stopped_epoch": stopper.stopped_epoch + 1,
            "best_epoch": best_epoch,
            "restored_weights": restored,
        }},
    }


def early_stopping():
    cases = [
        early_stopping_case("es_restore_best_plateau_half", init_seed=1701, data_seed=1711, lr=2.0, epochs=40,
                            es={"patience": 3, "min_delta": 0.0}, plateau={"factor": 0.5, "patience": 1, "min_lr": 0.0}),
        early_stopping_case("es_min_delta_plateau_cooldown", init_seed=1702, data_seed=1712, lr=3.0, epochs=40,
                            es={"patience": 2, "min_delta": 0.001}, plateau={"factor": 0.2, "patience": 1, "cooldown": 1, "min_lr": 0.05}),
    ]
    write("early_stopping", "A short model.fit with validation data, EarlyStopping(monitor='val_loss', restore_best_weights=True) and ReduceLROnPlateau(monitor='val_loss'): Embedding(12, 4) → GlobalAveragePooling1D → Dense(1, sigmoid), binary cross-entropy, SGD, batch 8, shuffle=False. results.float32 only.",
          {
              "record": "initial_weights as models.json (Keras variable paths in weight_order). results.float32.epochs[i]: the epoch (1-based), logs['loss'] and logs['val_loss'] at its end, and the optimiser's learning rate after the epoch's callbacks (ReduceLROnPlateau may have lowered it for the next epoch); weights_after_epoch: the weights at each epoch's end, before any restore. epochs_trained: how many epochs ran; stopped_epoch: the 1-based epoch at whose end EarlyStopping stopped (Keras's stopped_epoch + 1); best_epoch: the 1-based epoch whose weights were restored; restored_weights: the weights after fit returned.",
              "callbacks": "Callbacks run in the list order [record, EarlyStopping, ReduceLROnPlateau, record the rate]. The generator asserts that training stopped early, that the rate was lowered, and that the best epoch is not the last.",
          }, cases)


# ---------------------------------------------------------------------------------------------
# A frozen Embedding (trainable=False)

def frozen_embedding():
    L = keras.layers
    V, T = 10, 4
    rng = np.random.default_rng(1811)
    x = rng.integers(1, V, size=(6, T)).astype(np.int32)
    y = rng.integers(0, 3, size=(6,)).astype(np.int32)
    keras.utils.set_random_seed(1801)
    model = keras.Sequential([keras.Input((T,), dtype="int32"),
                              L.Embedding(V, 3, name="embedding", trainable=False),
                              L.GlobalAveragePooling1D(name="pool"),
                              L.Dense(3, activation="softmax", name="dense")], name="sequential")
    initial = [w.numpy().astype(np.float32) for w in model.weights]
    order = [w.path for w in model.weights]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss=keras.losses.SparseCategoricalCrossentropy(), jit_compile=False)
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    non_trainable = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    before, after = [], {}
    for step in (1, 2):
        before.append(scalar(model.train_on_batch(x, y), "float32"))
        after[str(step)] = {p: result(w.numpy(), "float32") for p, w in zip(order, model.weights)}
    assert np.array_equal(model.weights[0].numpy(), initial[0]), "a frozen Embedding must not move"
    case = {
        "name": "frozen_embedding_adam",
        "model": {
            "layers": [{"class_name": type(l).__name__, "config": plain(l.get_config())} for l in model.layers],
            "input_length": T,
            "loss": "sparse_categorical_crossentropy",
        },
        "data": {"vocab_size_V": V, "random_token_ids": True},
        "inputs": {"x": exact(x), "y": exact(y)},
        "init_seed": 1801,
        "weight_order": order,
        "initial_weights": {p: exact(w) for p, w in zip(order, initial)},
        "optimizer": {"class_name": "Adam", "learning_rate": 0.05},
        "params": {"total": trainable + non_trainable, "trainable": trainable, "non_trainable": non_trainable},
        "results": {"float32": {"training": {"how": "model.train_on_batch(x, y) x2", "loss_before_step": before,
                                             "weights_after_step": after}}},
    }
    write("frozen_embedding", "Embedding(10, 3, trainable=False) → GlobalAveragePooling1D → Dense(3, softmax), sparse categorical cross-entropy, Adam(0.05): the parameter counts model.summary() prints, and two train_on_batch steps in which the Embedding does not move.",
          {"record": "params: total / trainable / non-trainable scalars (model.trainable_weights, model.non_trainable_weights); results.float32.training as class_weight.json's."},
          [case])


# ---------------------------------------------------------------------------------------------
# multi-label: one sigmoid per label, binary cross-entropy over [N, K] multi-hot targets

def multi_label_case(name, labels, y_rows, init_seed, data_seed, lr=0.5):
    """Embedding → GlobalAveragePooling1D → Dense(K, sigmoid) with binary_crossentropy on
    multi-hot targets: the per-sample losses and weight gradients at the initial weights,
    train_on_batch x3 (SGD), and fit (batch 4, two epochs, no shuffling)."""
    L = keras.layers
    V, T = 9, 4
    rng = np.random.default_rng(data_seed)
    y = np.asarray(y_rows, dtype=np.float32)
    assert y.shape[1] == labels
    x = rng.integers(1, V, size=(len(y_rows), T)).astype(np.int32)

    def build(weights=None):
        keras.utils.set_random_seed(init_seed)
        model = keras.Sequential([keras.Input((T,), dtype="int32"),
                                  L.Embedding(V, 3, name="embedding"),
                                  L.GlobalAveragePooling1D(name="pool"),
                                  L.Dense(labels, activation="sigmoid", name="dense")], name="sequential")
        if weights is not None:
            model.set_weights(weights)
        return model

    def compiled(weights):
        model = build(weights)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss=keras.losses.BinaryCrossentropy(),
                      metrics=["binary_accuracy"], jit_compile=False)
        return model

    base = build()
    initial = [w.numpy().astype(np.float32) for w in base.weights]
    order = [w.path for w in base.weights]
    xt, yt = tf.constant(x), tf.constant(y)
    per_sample = keras.losses.binary_crossentropy(yt, base(xt)).numpy()
    with tf.GradientTape() as tape:
        loss0 = keras.losses.BinaryCrossentropy()(yt, base(xt))
    grads = tape.gradient(loss0, base.trainable_weights)

    model = compiled(initial)
    before, after = [], {}
    for step in (1, 2, 3):
        logs = model.train_on_batch(xt, yt, return_dict=True)
        before.append(scalar(logs["loss"], "float32"))
        after[str(step)] = {p: result(w.numpy(), "float32") for p, w in zip(order, model.weights)}

    model = compiled(initial)
    batch_losses, batch_weights, epoch_losses = [], [], []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batch_losses.append(scalar(logs["loss"], "float32"))
            batch_weights.append({p: result(w.numpy(), "float32") for p, w in zip(order, model.weights)})

        def on_epoch_end(self, epoch, logs=None):
            epoch_losses.append(scalar(logs["loss"], "float32"))

    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[Record()])
    probabilities = model.predict(x, verbose=0)
    return {
        "name": name,
        "model": {
            "layers": [{"class_name": type(l).__name__, "config": plain(l.get_config())} for l in base.layers],
            "input_length": T,
            "loss": "binary_crossentropy",
            "note": "",
        },
        "data": {"vocab_size_V": V, "random_token_ids": True},
        "inputs": {"x": exact(x), "y": exact(y)},
        "init_seed": init_seed,
        "weight_order": order,
        "initial_weights": {p: exact(w) for p, w in zip(order, initial)},
        "optimizer": {"class_name": "SGD", "learning_rate": lr, "momentum": 0.0, "nesterov": False},
        "results": {"float32": {
            "per_sample_loss_at_initial_weights": result(per_sample, "float32"),
            "loss_at_initial_weights": scalar(loss0.numpy(), "float32"),
            "grads_at_initial_weights": {p: result(tf.convert_to_tensor(g).numpy(), "float32") for p, g in zip(order, grads)},
            "training": {
                "how": "model.compile(SGD, BinaryCrossentropy()) then model.train_on_batch(x, y) x3",
                "loss_before_step": before,
                "weights_after_step": after,
            },
            "fit": {
                "how": "model.fit(x, y, batch_size=4, epochs=2, shuffle=False) from initial_weights",
                "batch_size": 4,
                "epochs": 2,
                "batch_logs_loss": batch_losses,
                "epoch_logs_loss": epoch_losses,
                "weights_after_batch": {str(i + 1): w for i, w in enumerate(batch_weights)},
                "probabilities_after_fit": result(probabilities, "float32"),
            },
        }},
    }


def clipped_probabilities_case(name, y_rows, p_rows):
    """keras.losses.binary_crossentropy on bare probabilities [N, K] (from_logits=False), some of
    them outside [ε, 1 − ε], so the clip decides the loss and zeroes the gradient."""
    y = np.asarray(y_rows, dtype=np.float32)
    p = tf.Variable(np.asarray(p_rows, dtype=np.float32))
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy(from_logits=False)(tf.constant(y), tf.identity(p))
    grad = tape.gradient(loss, p)
    per_sample = keras.losses.binary_crossentropy(tf.constant(y), tf.identity(p), from_logits=False).numpy()
    return {
        "name": name,
        "inputs": {"y": exact(y), "probabilities": exact(p.numpy())},
        "results": {"float32": {
            "loss": scalar(loss.numpy(), "float32"),
            "per_sample_loss": result(per_sample, "float32"),
            "grad_probabilities": result(grad.numpy(), "float32"),
        }},
    }


def multi_label():
    cases = [
        multi_label_case("emb_avgpool_sigmoid4_multi_label", 4,
                         [[1, 0, 1, 0], [0, 1, 0, 0], [1, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [1, 0, 0, 1]],
                         init_seed=1701, data_seed=1711),
        multi_label_case("emb_avgpool_sigmoid3_multi_label", 3,
                         [[0, 1, 1], [1, 0, 0], [1, 1, 1], [0, 0, 1], [0, 1, 0]],
                         init_seed=1702, data_seed=1712, lr=0.3),
    ]
    probability_cases = [
        clipped_probabilities_case("clipped_probabilities",
                                   [[1, 0, 1], [0, 0, 1], [1, 1, 0]],
                                   [[0.0, 1.0, 0.9], [1e-9, 0.25, 1.0], [0.5, 0.9999999, 0.3]]),
    ]
    write("multi_label", "Multi-label classification as Keras does it: Dense(K, sigmoid) with binary_crossentropy on [N, K] multi-hot targets (Embedding(9, 3) → GlobalAveragePooling1D → Dense(K, sigmoid), SGD), and binary_crossentropy on bare probabilities with its epsilon clipping (from_logits=False). results.float32 only.",
          {
              "record": "cases as class_weight.json without class weights: initial_weights (Keras variable paths in weight_order); per_sample_loss_at_initial_weights (mean over the K labels), loss_at_initial_weights and grads_at_initial_weights (dLoss/dweight of the batch-mean loss); training = train_on_batch x3 (loss_before_step, weights_after_step); fit = model.fit(batch_size=4, epochs=2, shuffle=False): batch_logs_loss at each batch end (running mean), epoch_logs_loss, weights_after_batch, probabilities_after_fit (model.predict after fit).",
              "probability_cases": "keras.losses.BinaryCrossentropy(from_logits=False) on bare probabilities: clipped to [epsilon, 1 - epsilon] (epsilon 1e-7), log(p) and log(1 - p), mean over the last axis then over the batch; grad_probabilities is dLoss/dp (0 where the clip is active).",
          }, cases, extra={"probability_cases": probability_cases})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", metavar="FILE", help=f"which files to write: {', '.join(FILES)} (default: all)")
    parser.add_argument("--venv", type=pathlib.Path, default=REPO / ".venv-fixtures", help="the virtual environment to use or make")
    parser.add_argument("--no-venv", action="store_true", help="run in the current interpreter")
    args = parser.parse_args()
    unknown = [f for f in args.files if f not in FILES]
    if unknown:
        parser.error(f"unknown fixture file(s) {', '.join(unknown)} (known: {', '.join(FILES)})")
    if not args.no_venv and not in_venv(args.venv):
        bootstrap(args.venv)
    global np, tf, keras
    np, tf, keras = setup_keras()
    for name in args.files or FILES:
        globals()[name]()


if __name__ == "__main__":
    main()
