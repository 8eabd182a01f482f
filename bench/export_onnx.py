#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The models that `npm run bench` runs in all three frameworks, with one set of weights:
    /usr/bin/python3 bench/export_onnx.py [OUTDIR]      (default bench/onnx, git-ignored)
For each model NAME it writes NAME.pt (the state dict, torch.save; torchts and the PyTorch server
load it) and NAME.onnx (torch.onnx.export at opset 13 from those same weights; onnxruntime-node
loads it). Modelled on the peer-bench export script of perf-baselines.md. Deterministic (seed 0).
  lenet     CIFAR-10 tutorial Net, dynamic batch
  mlp       784-256-ReLU-10-LogSoftmax, dynamic batch
  resnet18  torchvision resnet18, random init with BatchNorm affine parameters and running
            statistics randomised too (so eval-mode BatchNorm is not the identity and the output
            check means something), dynamic batch
  matmul_{nn,nt,tn,tt}  A@B, A@B.T, A.T@B, A.T@B.T (fp32, 2-D, dynamic sizes), matmul_f64 (A@B fp64),
  bmm       A@B on 3-D fp32 inputs (dynamic sizes)
A model whose ONNX export fails still gets its .pt (the ORT rows then say the model is missing)."""
import os
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx")


class Net(nn.Module):
    """The CIFAR-10 tutorial Net (bench/nets.ts has the torchts one)."""

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


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10), nn.LogSoftmax(1))


def resnet18():
    import torchvision
    m = torchvision.models.resnet18(weights=None)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                c = mod.num_features
                mod.weight.copy_(0.5 + torch.rand(c, generator=g))
                mod.bias.copy_(0.1 * torch.randn(c, generator=g))
                mod.running_mean.copy_(0.1 * torch.randn(c, generator=g))
                mod.running_var.copy_(0.5 + torch.rand(c, generator=g))
    return m


BUILDERS = {"lenet": (Net, [4, 3, 32, 32]), "mlp": (mlp, [64, 784]), "resnet18": (resnet18, [1, 3, 224, 224])}


class MM(nn.Module):
    def __init__(self, ta, tb):
        super().__init__()
        self.ta, self.tb = ta, tb

    def forward(self, a, b):
        return (a.transpose(-1, -2) if self.ta else a) @ (b.transpose(-1, -2) if self.tb else b)


def export(model, args, name, dynamic):
    path = os.path.join(OUT, name + ".onnx")
    try:
        torch.onnx.export(model, args, path + ".tmp", opset_version=13, input_names=[f"in{i}" for i in range(len(args))],
                          output_names=["out"], dynamic_axes=dynamic)
        os.replace(path + ".tmp", path)
        print("wrote", path, flush=True)
    except Exception as e:  # keep going: the bench reports the model as missing
        print(f"ONNX export of {name} failed: {e!r}", file=sys.stderr, flush=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    for name, (build, shape) in BUILDERS.items():
        m = build().eval()
        pt = os.path.join(OUT, name + ".pt")
        torch.save(m.state_dict(), pt + ".tmp")
        os.replace(pt + ".tmp", pt)
        print("wrote", pt, flush=True)
        export(m, (torch.randn(*shape),), name, {"in0": {0: "b"}})
    for tr in ("nn", "nt", "tn", "tt"):
        dyn = {"in0": {0: "d0", 1: "d1"}, "in1": {0: "d2", 1: "d3"}}
        export(MM(tr[0] == "t", tr[1] == "t"), (torch.randn(64, 64), torch.randn(64, 64)), f"matmul_{tr}", dyn)
    export(MM(False, False), (torch.randn(64, 64, dtype=torch.float64), torch.randn(64, 64, dtype=torch.float64)),
           "matmul_f64", {"in0": {0: "d0", 1: "d1"}, "in1": {0: "d2", 1: "d3"}})
    export(MM(False, False), (torch.randn(4, 16, 16), torch.randn(4, 16, 16)), "bmm",
           {"in0": {0: "b", 1: "d0", 2: "d1"}, "in1": {0: "b", 1: "d2", 2: "d3"}})


if __name__ == "__main__":
    main()
