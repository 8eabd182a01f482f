# SPDX-License-Identifier: BSD-3-Clause
# PyTorch's side of bench/conv_shapes.ts: the same shapes, the same timing. python3 conv_shapes.py threads batch
import json, os, sys, time, torch
threads, batch = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
shapes = [(3, 64, 224, 7, 2, 3), (64, 64, 56, 3, 1, 1), (64, 128, 56, 3, 2, 1), (64, 128, 56, 1, 2, 0), (128, 128, 28, 3, 1, 1),
          (128, 256, 28, 3, 2, 1), (128, 256, 28, 1, 2, 0), (256, 256, 14, 3, 1, 1), (256, 512, 14, 3, 2, 1), (256, 512, 14, 1, 2, 0),
          (512, 512, 7, 3, 1, 1)]
out = {}
with torch.no_grad():
    for C, OC, H, k, s, p in shapes:
        x, w = torch.randn(batch, C, H, H), torch.randn(OC, C, k, k) * 0.05
        f = lambda: torch.nn.functional.conv2d(x, w, None, stride=s, padding=p)
        for _ in range(3): f()
        ts, t1 = [], time.perf_counter()
        while len(ts) < 5 or (time.perf_counter() - t1 < 0.4 and len(ts) < 200):
            t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
        ts.sort()
        out[f"{k}x{k}/{s} {C}->{OC} @{H}"] = round((ts[0] if os.environ.get('CONV_SHAPES_MIN') else ts[len(ts) // 2]) * 1e3, 3)
print(json.dumps(out))
