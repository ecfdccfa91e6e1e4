"""PyTorch's side of bench/conv.bench.mjs: GFLOP/s of the forward convolution and both backward products.

Usage: python3 torch_conv.py THREADS LAYERS_JSON (a list of {name, weightShape, inputShape, padding}).
Prints one JSON object: torch's version and, per layer, GFLOP/s of "forward y", "backward ∂x", "backward ∂w"
(2·N·out·in·kh·kw·H·W flops each, float32, median over 1 s of repetitions).
"""
import json
import sys
import time

import torch
from torch.nn import functional as F
from torch.nn.grad import conv2d_input, conv2d_weight

torch.set_num_threads(int(sys.argv[1]))
layers = json.loads(sys.argv[2])


def gflops(run, flops):
    run()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < 1.0 or len(times) < 5:
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return flops / sorted(times)[len(times) // 2] / 1e9


result = []
for layer in layers:
    x, w = torch.randn(layer["inputShape"]), torch.randn(layer["weightShape"])
    padding = tuple(layer["padding"]) if isinstance(layer["padding"], list) else layer["padding"]
    g = torch.randn(F.conv2d(x, w, padding=padding).shape)
    n, _, h, wd = layer["inputShape"]
    o, c, kh, kw = layer["weightShape"]
    flops = 2 * n * o * c * kh * kw * h * wd
    with torch.no_grad():
        result.append({
            "forward y": gflops(lambda: F.conv2d(x, w, padding=padding), flops),
            "backward ∂x": gflops(lambda: conv2d_input(x.shape, w, g, padding=padding), flops),
            "backward ∂w": gflops(lambda: conv2d_weight(x, w.shape, g, padding=padding), flops),
        })
print(json.dumps({"torch": torch.__version__, "layers": result}))
