"""numpy's side of bench/peers.bench.mjs: the same algorithm, shapes and step counts as Slope's.

Prints one JSON object: seconds per epoch (softmax, SVM), the two-layer step, and matmul GFLOP/s.
The thread count comes from the environment (OPENBLAS_NUM_THREADS etc., set by the caller).
"""
import json
import time

import numpy as np

N, D, C, B, STEPS = 50_000, 3073, 10, 256, 195
rng = np.random.default_rng(0)
X = rng.standard_normal((N, D), dtype=np.float32)
y = rng.integers(0, C, N)
batches = [rng.integers(0, N, B) for _ in range(STEPS)]
reg, lr = np.float32(2.5e4), np.float32(1e-7)


def softmax_step(W, xb, yb):
    s = xb @ W
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(B), yb]).mean() + reg * np.sum(W * W)
    p[np.arange(B), yb] -= 1
    dW = xb.T @ (p / B) + 2 * reg * W
    return loss, dW


def svm_step(W, xb, yb):
    s = xb @ W
    correct = s[np.arange(B), yb][:, None]
    margins = np.maximum(0, s - correct + 1)
    margins[np.arange(B), yb] = 0
    loss = margins.sum() / B + reg * np.sum(W * W)
    mask = (margins > 0).astype(np.float32)
    mask[np.arange(B), yb] = -mask.sum(axis=1)
    dW = xb.T @ (mask / B) + 2 * reg * W
    return loss, dW


def epoch(step):
    W = (rng.standard_normal((D, C)) * 1e-4).astype(np.float32)
    start = time.perf_counter()
    for idx in batches:
        xb = X[idx]
        _, dW = step(W, xb, y[idx])
        W -= lr * dW
    return time.perf_counter() - start


def best_of(f, runs=3):
    f()
    return sorted(f() for _ in range(runs))[runs // 2]


def two_layer_step():
    W1 = (rng.standard_normal((3072, 100)) * np.sqrt(2 / 3072)).astype(np.float32)
    W2 = (rng.standard_normal((100, 10)) * np.sqrt(2 / 100)).astype(np.float32)
    b1, b2 = np.zeros(100, np.float32), np.zeros(10, np.float32)
    xb, yb = X[batches[0]][:, :3072], y[batches[0]]
    start = time.perf_counter()
    for _ in range(20):
        h = np.maximum(0, xb @ W1 + b1)
        s = h @ W2 + b2
        s -= s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(B), yb] -= 1
        ds = p / B
        dW2, db2 = h.T @ ds + 2e-3 * W2, ds.sum(0)
        dh = (ds @ W2.T) * (h > 0)
        dW1, db1 = xb.T @ dh + 2e-3 * W1, dh.sum(0)
        for w, g in ((W1, dW1), (W2, dW2), (b1, db1), (b2, db2)):
            w -= np.float32(1e-3) * g
    return (time.perf_counter() - start) / 20


def gflops(m, k, n, transpose_a=False, transpose_b=False):
    a = rng.standard_normal((k, m) if transpose_a else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if transpose_b else (k, n), dtype=np.float32)
    op_a = a.T if transpose_a else a
    op_b = b.T if transpose_b else b
    op_a @ op_b
    reps, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        op_a @ op_b
        reps += 1
    return 2 * m * k * n * reps / (time.perf_counter() - start) / 1e9


print(json.dumps({
    "numpy": np.__version__,
    "softmax": best_of(lambda: epoch(softmax_step)),
    "svm": best_of(lambda: epoch(svm_step)),
    "twoLayerStep": two_layer_step(),
    "matmul": {
        "X·W": gflops(256, 3073, 10),
        "Xᵀ·dS": gflops(3073, 256, 10, transpose_a=True),
        "dS·Wᵀ": gflops(256, 10, 3073, transpose_b=True),
    },
}))
