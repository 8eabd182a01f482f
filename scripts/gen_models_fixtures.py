# SPDX-License-Identifier: BSD-3-Clause
"""Fixtures for torchts's vision.models (issue 9), from Debian's python3-torchvision 0.14.

Run with /usr/bin/python3 scripts/gen_models_fixtures.py. Writes test/fixtures/models/:

- forward.json: for each architecture in FORWARD, built with num_classes=10 (and the listed
  options): the state_dict keys with shapes, the sum of each float tensor right after a seeded
  build (torchvision's default init), and the eval-mode logits on a fixed input after every
  parameter and buffer was refilled from torch.randn in state_dict order (see fill()).
- structure.json: for every builder in STRUCTURE (default num_classes=1000): the number of
  parameters and a sha256 of the "key:shape" lines of its state_dict (keys kept for small nets).
- repr_resnet18.txt, repr_mobilenet_v2.txt: str(model) for the default builders.

fill() is mirrored exactly by test/vision/models.test.ts (torchts's randn is bit-exact):
  torch.manual_seed(1); for each state_dict entry in order, skipping integer tensors:
    r = torch.randn(shape)
    running_var: r.abs() + 0.5;  1-d "weight": 1 + 0.1 r;  other 1-d: 0.05 r;
    >=2-d: r / sqrt(numel / shape[0])   (fan-in scaling keeps activations O(1))
  then x = torch.randn(input_shape).
"""
import hashlib
import json
import math
import os

import torch
import torchvision
from torchvision import models

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "models")

# name, torchvision builder kwargs (besides num_classes=10), input shape
FORWARD = [
    ("resnet18", {}, [1, 3, 64, 64]),
    ("resnet50", {}, [1, 3, 64, 64]),
    ("resnext50_32x4d", {}, [1, 3, 64, 64]),
    ("vgg11_bn", {}, [1, 3, 32, 32]),
    ("alexnet", {}, [1, 3, 64, 64]),
    ("squeezenet1_0", {}, [1, 3, 64, 64]),
    ("squeezenet1_1", {}, [1, 3, 64, 64]),
    ("mobilenet_v2", {}, [1, 3, 64, 64]),
    ("mobilenet_v3_small", {}, [1, 3, 64, 64]),
    ("mobilenet_v3_large", {}, [1, 3, 64, 64]),
    ("densenet121", {}, [1, 3, 64, 64]),
    ("shufflenet_v2_x0_5", {}, [1, 3, 64, 64]),
    ("mnasnet0_5", {}, [1, 3, 64, 64]),
    ("efficientnet_b0", {}, [1, 3, 64, 64]),
    ("convnext_tiny", {}, [1, 3, 64, 64]),
    ("vit_b_16", {"image_size": 32}, [1, 3, 32, 32]),
    ("googlenet", {}, [1, 3, 64, 64]),
    ("inception_v3", {}, [1, 3, 80, 80]),
    ("regnet_y_400mf", {}, [1, 3, 64, 64]),
    ("regnet_x_400mf", {}, [1, 3, 64, 64]),
    ("efficientnet_v2_s", {}, [1, 3, 64, 64]),
]
ONLY = os.environ.get("MODELS")  # comma list: regenerate only these entries, keeping the others

STRUCTURE = [
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d",
    "wide_resnet50_2", "wide_resnet101_2",
    "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
    "alexnet", "squeezenet1_0", "squeezenet1_1",
    "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large",
    "densenet121", "densenet161", "densenet169", "densenet201",
    "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0",
    "mnasnet0_5", "mnasnet0_75", "mnasnet1_0", "mnasnet1_3",
    "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
    "convnext_tiny", "convnext_small",
    "vit_b_16", "googlenet", "inception_v3",
    "regnet_y_400mf", "regnet_y_800mf", "regnet_y_1_6gf", "regnet_x_400mf", "regnet_x_800mf", "regnet_x_1_6gf",
    "efficientnet_b4", "efficientnet_v2_s", "vit_b_32", "regnet_y_3_2gf", "regnet_x_3_2gf",
]


def fill(model):
    torch.manual_seed(1)
    with torch.no_grad():
        for k, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            r = torch.randn(t.shape)
            if k.endswith("running_var"):
                v = r.abs() + 0.5
            elif t.dim() == 1 and k.endswith("weight"):
                v = 1 + 0.1 * r
            elif t.dim() <= 1:
                v = 0.05 * r
            else:
                v = r / math.sqrt(t.numel() / t.shape[0])
            t.copy_(v)


def key_lines(sd):
    return "".join(f"{k}:{list(v.shape)}\n" for k, v in sd.items())


def presets():
    """ImageClassification on a uint8 image (antialiased bilinear resize, center crop, normalize) and weights reprs."""
    from torchvision.transforms._presets import ImageClassification
    torch.manual_seed(3)
    img = torch.randint(0, 256, (3, 40, 52), dtype=torch.uint8)
    t = ImageClassification(crop_size=24, resize_size=28)
    out = t(img)
    w = models.ResNet18_Weights.IMAGENET1K_V1
    with open(os.path.join(OUT, "presets.json"), "w") as f:
        json.dump({"input": img.reshape(-1).tolist(), "inputShape": list(img.shape), "output": out.reshape(-1).tolist(),
                   "outputShape": list(out.shape), "repr": repr(t), "resnet18Transforms": repr(w.transforms()),
                   "resnet50V2Transforms": repr(models.ResNet50_Weights.IMAGENET1K_V2.transforms()),
                   "resnet18Meta": {"url": w.url, "numParams": w.meta["num_params"], "metrics": w.meta["_metrics"],
                                    "categories": w.meta["categories"][:5], "minSize": list(w.meta["min_size"])}}, f)


TRAIN = [("resnet18", [2, 3, 96, 96]), ("densenet121", [2, 3, 96, 96]), ("regnet_x_400mf", [2, 3, 192, 192])]  # >= 3x3 at the last BN: batch statistics over a handful of values are ill-conditioned


def train_grads():
    """Training mode (batch statistics, running stats updated), no dropout in these nets: loss = sum(logits *
    w) for a fixed w; per state_dict entry the sum and abs-sum of the gradient (parameters) or the value
    after the step (buffers), plus the input gradient's sum and abs-sum."""
    out = []
    for name, shape in TRAIN:
        torch.manual_seed(0)
        m = getattr(models, name)(num_classes=10)
        fill(m)
        x = torch.randn(shape, requires_grad=True)
        w = torch.randn(shape[0], 10)
        m.train()
        y = m(x)
        (y * w).sum().backward()
        stats = []
        params = dict(m.named_parameters())
        for k, v in m.state_dict().items():
            t = params[k].grad if k in params else v
            t = t.double()
            stats.append([k, float(t.sum()), float(t.abs().sum())])
        out.append({"name": name, "inputShape": shape, "output": y.detach().reshape(-1).tolist(), "stats": stats,
                    "inputGrad": [float(x.grad.double().sum()), float(x.grad.double().abs().sum())]})
        print("train", name)
    with open(os.path.join(OUT, "train.json"), "w") as f:
        json.dump({"models": out}, f)


REPRS = ["alexnet", "vgg11_bn", "squeezenet1_1", "resnext50_32x4d", "mobilenet_v3_small", "densenet121", "shufflenet_v2_x0_5",
         "mnasnet0_5", "efficientnet_b0", "efficientnet_v2_s", "googlenet", "inception_v3", "regnet_y_400mf", "convnext_tiny", "vit_b_16"]


def reprs():
    with open(os.path.join(OUT, "reprs.json"), "w") as f:
        json.dump({n: str(getattr(models, n)()) for n in REPRS}, f)


def main():
    os.makedirs(OUT, exist_ok=True)
    presets()
    reprs()
    if os.environ.get("PRESETS_ONLY"):
        return
    train_grads()
    if os.environ.get("TRAIN_ONLY"):
        return
    fwd = []
    for name, kw, shape in FORWARD:
        if ONLY and name not in ONLY.split(","):
            continue
        torch.manual_seed(0)
        m = getattr(models, name)(num_classes=10, **kw)
        sd = m.state_dict()
        init_sums = [float(v.double().sum()) if v.is_floating_point() else int(v.sum()) for v in sd.values()]
        fill(m)
        x = torch.randn(shape)
        m.eval()
        with torch.no_grad():
            y = m(x)
        fwd.append({
            "name": name, "kwargs": kw, "inputShape": shape,
            "keys": [[k, list(v.shape)] for k, v in sd.items()],
            "initSums": init_sums,
            "output": [float(v) for v in y.reshape(-1).tolist()], "outputShape": list(y.shape),
        })
        print(name, list(y.shape), float(y.abs().max()))
    if ONLY:
        old = {e["name"]: e for e in json.load(open(os.path.join(OUT, "forward.json")))["models"]}
        new = {e["name"]: e for e in fwd}
        fwd = [new.get(n, old.get(n)) for n, _, _ in FORWARD if n in new or n in old]
    with open(os.path.join(OUT, "forward.json"), "w") as f:
        json.dump({"torchvision": torchvision.__version__, "torch": torch.__version__, "models": fwd}, f)
    st = []
    old_st = {e["name"]: e for e in json.load(open(os.path.join(OUT, "structure.json")))["models"]} if ONLY else {}
    for name in STRUCTURE:
        if ONLY and name not in ONLY.split(",") and name in old_st:
            st.append(old_st[name])
            continue
        m = getattr(models, name)()
        sd = m.state_dict()
        lines = key_lines(sd)
        st.append({"name": name, "numParams": sum(p.numel() for p in m.parameters()), "numKeys": len(sd),
                   "sha256": hashlib.sha256(lines.encode()).hexdigest()})
        print(name, st[-1]["numParams"])
    with open(os.path.join(OUT, "structure.json"), "w") as f:
        json.dump({"models": st}, f, indent=0)
    if ONLY:
        return
    with open(os.path.join(OUT, "repr_resnet18.txt"), "w") as f:
        f.write(str(models.resnet18()))
    with open(os.path.join(OUT, "repr_mobilenet_v2.txt"), "w") as f:
        f.write(str(models.mobilenet_v2()))


if __name__ == "__main__":
    main()
