# SPDX-License-Identifier: BSD-3-Clause
"""PyTorch side of the peak-RSS row of `npm run bench` (bench/rss_lenet.ts): LeNet training at
batch 64 for STEPS steps in a fresh process; prints one JSON line, sizes in MiB.
    /usr/bin/python3 bench/torch_rss.py [threads] [steps]"""
import json
import sys


def rss_now():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024


threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 200
import torch  # noqa: E402  (after the argument parsing, as the TS side imports after its own)
from harness import peak_rss_mib  # noqa: E402
from export_onnx import Net  # noqa: E402

torch.set_num_threads(threads)
torch.manual_seed(0)
after_import = rss_now()
net = Net()
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
x, y = torch.randn(64, 3, 32, 32), torch.randint(0, 10, (64,))
first = last = None
for i in range(steps):
    optimizer.zero_grad()
    loss = criterion(net(x), y)
    loss.backward()
    optimizer.step()
    last = loss.item()
    if first is None: first = last
if not last < first: raise SystemExit(f"the loss did not fall ({first} -> {last})")
print(json.dumps({"steps": steps, "afterImportMiB": after_import, "endMiB": rss_now(), "peakMiB": peak_rss_mib()}))
