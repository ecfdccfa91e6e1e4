"""PyTorch's side of the convnet step in bench/peers.bench.mjs: the `cnn` experiment's net
(examples/src/models/cifar-convnet.ts) in torch.nn, one training step on a batch of 64 CIFAR-shaped images.

Usage: python3 torch_convnet.py THREADS. Prints one JSON object: torch's version, the thread count,
milliseconds per step (median of the timed steps) and the last loss. model.train(): batch norm uses batch
statistics and updates its running ones; SGD with momentum 0.9 (torch.optim.SGD), cross_entropy on 10 classes.
"""
import json
import sys
import time

import torch
from torch import nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)
BATCH, WIDTHS, WARMUP, STEPS = 64, (32, 64, 128), 3, 10


def block(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU())


w0, w1, w2 = WIDTHS
model = nn.Sequential(
    block(3, w0), nn.MaxPool2d(2), block(w0, w1), nn.MaxPool2d(2), block(w1, w2), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * w2, 10),
)
model.train()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x = torch.randn(BATCH, 3, 32, 32)
y = torch.arange(BATCH) * 7 % 10


def step():
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


for _ in range(WARMUP):
    step()
times = []
for _ in range(STEPS):
    start = time.perf_counter()
    loss = step()
    times.append((time.perf_counter() - start) * 1000)
median = sorted(times)[STEPS // 2]
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "ms": median, "loss": loss}))
