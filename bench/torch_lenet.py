# SPDX-License-Identifier: BSD-3-Clause
# PyTorch side of bench/lenet.ts: the CIFAR-10 tutorial Net's training step (forward,
# CrossEntropyLoss, backward, SGD(lr=0.001, momentum=0.9) step) at batch 64 and batch 4, the same
# timing rule; prints JSON with seconds per step.
import json, sys
import torch
import torch.nn as nn
from harness import median_time
from export_onnx import Net


threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
out = {}
for batch in (64, 4):
    net = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    inputs = torch.randn(batch, 3, 32, 32)
    labels = torch.randint(0, 10, (batch,))

    def step():
        optimizer.zero_grad()
        loss = criterion(net(inputs), labels)
        loss.backward()
        optimizer.step()

    out[f"batch{batch}"] = median_time(step)
# BatchNorm2d forward + backward (training mode) on a ResNet-like activation
bn = nn.BatchNorm2d(16)
xb = torch.randn(64, 16, 32, 32, requires_grad=True)
gb = torch.randn(64, 16, 32, 32)
out["batchnorm"] = median_time(lambda: bn(xb).backward(gb))
print(json.dumps({"torch": torch.__version__, "times": out}))
