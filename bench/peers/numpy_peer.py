"""numpy's side of bench/peers.bench.mjs: the same algorithm, shapes and step counts as Slope's.

Two epochs of a linear classifier (195 batches of 256, softmax or SVM loss, L2 reg 2.5e4, SGD lr 1e-7):
- the lecture's, in the course's idiom: the training images as float32 features, X = bytes - mean image with a
  column of ones appended (50,000 x 3,073), then X[idx] for a batch of random rows each step. The bytes are
  CIFAR-10's (data_batch_1..5.bin of the folder given as `--cifar DIR`), else seeded random bytes of that shape;
- the epoch from a float32 matrix: 50,000 x 3,073 standard normal floats, X[idx] each step.
Prints one JSON object: seconds per epoch, the two-layer step, matmul GFLOP/s, and where the bytes came from.
The thread count comes from the environment (OPENBLAS_NUM_THREADS etc., set by the caller).
"""
import json
import os
import sys
import time

import numpy as np

N, D, C, B, STEPS = 50_000, 3073, 10, 256, 195
rng = np.random.default_rng(0)
reg, lr = np.float32(2.5e4), np.float32(1e-7)


def cifar_bytes():
    """The training images (N x 3072 uint8, R, G, B planes), their labels, and where they came from."""
    if "--cifar" in sys.argv:
        folder = sys.argv[sys.argv.index("--cifar") + 1]
        records = np.concatenate([
            np.fromfile(os.path.join(folder, f"data_batch_{i}.bin"), dtype=np.uint8).reshape(-1, 3073)
            for i in range(1, 6)
        ])
        return records[:, 1:], records[:, 0].astype(np.int64), f"CIFAR-10's training set ({folder})"
    images = rng.integers(0, 256, (N, 3072), dtype=np.uint8)
    return images, rng.integers(0, C, N), "CIFAR-shaped random bytes, seeded (numpy's own)"


images, labels, source = cifar_bytes()
# The course's preprocessing, in float32: subtract the mean image, append the bias column (written in place rather
# than through np.hstack, which would hold a second 614 MB copy while it runs).
mean_image = images.mean(axis=0, dtype=np.float64).astype(np.float32)
X_lecture = np.empty((N, D), dtype=np.float32)
np.subtract(images, mean_image, out=X_lecture[:, :3072])
X_lecture[:, 3072] = 1
pixel_sum = int(images.sum(dtype=np.int64))
del images

# The float32 matrix, and its 195 batches of random rows (the same every epoch, as on Slope's side).
X = rng.standard_normal((N, D), dtype=np.float32)
y = rng.integers(0, C, N)
batches = [rng.integers(0, N, B) for _ in range(STEPS)]


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


def matrix_epoch(step):
    W = (rng.standard_normal((D, C)) * 1e-4).astype(np.float32)
    start = time.perf_counter()
    for idx in batches:
        xb = X[idx]
        _, dW = step(W, xb, y[idx])
        W -= lr * dW
    return time.perf_counter() - start


def lecture_epoch(step):
    """The course's LinearClassifier.train loop: a batch of rows drawn at random each step, X[idx], SGD."""
    W = (rng.standard_normal((D, C)) * 1e-4).astype(np.float32)
    start = time.perf_counter()
    for _ in range(STEPS):
        idx = rng.choice(N, B)
        _, dW = step(W, X_lecture[idx], labels[idx])
        W -= lr * dW
    return time.perf_counter() - start


def median_of(f, runs=3):
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
    "source": source,
    "pixelSum": pixel_sum,
    "lecture": {
        "softmax": median_of(lambda: lecture_epoch(softmax_step)),
        "svm": median_of(lambda: lecture_epoch(svm_step)),
    },
    "matrix": {
        "softmax": median_of(lambda: matrix_epoch(softmax_step)),
        "svm": median_of(lambda: matrix_epoch(svm_step)),
    },
    "twoLayerStep": two_layer_step(),
    "matmul": {
        "X·W": gflops(256, 3073, 10),
        "Xᵀ·dS": gflops(3073, 256, 10, transpose_a=True),
        "dS·Wᵀ": gflops(256, 10, 3073, transpose_b=True),
    },
}))
