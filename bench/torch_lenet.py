# SPDX-License-Identifier: BSD-3-Clause
# PyTorch side of bench/lenet.ts: the CIFAR-10 tutorial Net's training step (forward,
# CrossEntropyLoss, backward, SGD(lr=0.001, momentum=0.9) step) at batch 64 and batch 4, the same
# timing rule; prints JSON with seconds per step.
import json, sys
import torch
import torch.nn as nn
import torch.nn.functional as F
from harness import median_time


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


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
