#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every optimizer training a small fixed model on fixed data for 20 steps -> test/fixtures/optim_model.json.

Run with Debian's PyTorch 1.13: /usr/bin/python3 scripts/gen_optim_model_fixtures.py

The model is a 3-5-2 tanh MLP written with plain ops (the test rebuilds it the same way), loss =
mean squared error on 16 fixed samples; gradients come from autograd, so these trajectories test
the optimizers together with backward. A fifth parameter `unused` never gets a gradient. Each
setting runs in two layouts: "one" (a single group) and "groups" (group 0 = w1, b1 with half the
lr and its own weight decay; group 1 = w2, b2, unused). LBFGS runs one group only, with a closure.

LBFGS is a second-order method: once near the optimum, its iterations amplify rounding differences
(perturbing the float32 start by 1e-7 changes PyTorch's own parameters by ~1e-2 within 5 steps).
So LBFGS trains the model with an L2 term (0.05 * sum of squares, which keeps it well conditioned)
in float64 for the 20-step trajectories (PyTorch's own sensitivity there is ~1e-8), and in float32
for 2 steps only, which still checks the float32 rounding of its scalar maths.

Options PyTorch 1.13 lacks are emulated with 1.13 ops exactly as PyTorch >= 2.1 computes them:
NAdam/RAdam `decoupled_weight_decay=True` is `p.mul_(1 - lr * weight_decay)` on every parameter
with a gradient before a step with weight_decay=0 (PyTorch 2.1's `_single_tensor_nadam/radam`
do that multiply before the moments, on the undecayed gradient); the recorded param_groups then
get PyTorch 2.1's keys (`weight_decay`, `decoupled_weight_decay`).
"""
import json
import math
import os

import torch

torch.manual_seed(1)
STEPS = 20
RECORD = [5, 10, 15, 20]   # parameters are recorded after these steps; losses after every step
SNAPSHOT = 10              # state_dict() recorded here too, to resume from
X = torch.randn(16, 3)
Y = torch.randn(16, 2)
NAMES = ["w1", "b1", "w2", "b2", "unused"]
INITIAL = [torch.randn(5, 3) * 0.5, torch.randn(5) * 0.1, torch.randn(2, 5) * 0.5, torch.randn(2) * 0.1, torch.randn(3)]


def loss_fn(p, reg=0.0):
    x, y = X.to(p[0].dtype), Y.to(p[0].dtype)
    h = torch.tanh(torch.matmul(x, p[0].t()) + p[1])
    out = torch.matmul(h, p[2].t()) + p[3]
    loss = (out - y).pow(2).mean()
    if reg:
        loss = loss + reg * (p[0].pow(2).sum() + p[1].pow(2).sum() + p[2].pow(2).sum() + p[3].pow(2).sum())
    return loss


def enc(x):
    if isinstance(x, torch.Tensor):
        # float32 values to 9 significant digits: enough to give back the same float32
        short = (lambda v: float(f"{v:.9g}")) if x.dtype == torch.float32 else float
        return {"dtype": str(x.dtype).replace("torch.", ""), "shape": list(x.shape),
                "data": [short(v) for v in x.detach().reshape(-1).tolist()]}
    if isinstance(x, dict):
        return {str(k): enc(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return x


# (class, kwargs); "decoupled_weight_decay" is emulated (see above)
OPTIMIZERS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.01, "momentum": 0.5, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.95), "eps": 1e-6, "maximize": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Adamax", {"lr": 0.02}),
    ("Adamax", {"lr": 0.02, "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.01}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9, "weight_decay": 0.1, "momentum": 0.5, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.1, "eps": 1e-8}),
    ("Adagrad", {"lr": 0.05, "maximize": True}),
    ("Adadelta", {"lr": 1.0}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "eps": 1e-5}),
    ("Adadelta", {"lr": 1.0, "maximize": True}),
    ("Rprop", {"lr": 0.01}),
    ("Rprop", {"lr": 0.02, "etas": (0.4, 1.5), "step_sizes": (1e-3, 0.05)}),
    ("Rprop", {"lr": 0.01, "maximize": True}),
    ("ASGD", {"lr": 0.05}),
    ("ASGD", {"lr": 0.05, "lambd": 1e-3, "alpha": 0.5, "t0": 5, "weight_decay": 0.01}),
    ("ASGD", {"lr": 0.02, "t0": 0, "maximize": True}),
    ("LBFGS", {"lr": 1, "max_iter": 5}),
    ("LBFGS", {"lr": 0.5, "max_iter": 5, "history_size": 3}),
    ("LBFGS", {"lr": 1, "max_iter": 4, "line_search_fn": "strong_wolfe"}),
    ("LBFGS", {"lr": 1, "max_iter": 10, "history_size": 5, "line_search_fn": "strong_wolfe",
               "tolerance_grad": 1e-5, "tolerance_change": 1e-7}),
]

GROUP0 = {"lr_scale": 0.5, "weight_decay": 0.05}


LBFGS_REG = 0.05


def run(name, kwargs, layout, dtype=torch.float32, steps=STEPS):
    reg = LBFGS_REG if name == "LBFGS" else 0.0
    record = RECORD if steps == STEPS else list(range(1, steps + 1))
    snapshot_at = SNAPSHOT if steps == STEPS else 1
    params = [p.to(dtype).clone().requires_grad_() for p in INITIAL]
    cls = getattr(torch.optim, name)
    kw = dict(kwargs)
    decoupled = kw.pop("decoupled_weight_decay", False)
    wd = kw.get("weight_decay", 0)
    if decoupled:
        kw["weight_decay"] = 0
    if "foreach" in cls.__init__.__code__.co_varnames:
        kw["foreach"] = False
    has_wd = "weight_decay" in cls.__init__.__code__.co_varnames
    if layout == "groups":
        g0 = {"params": params[:2], "lr": kwargs["lr"] * GROUP0["lr_scale"]}
        if has_wd:
            g0["weight_decay"] = 0 if decoupled else GROUP0["weight_decay"]
        opt = cls([g0, {"params": params[2:]}], **kw)
        decays = [GROUP0["weight_decay"], wd]
    else:
        opt = cls(params, **kw)
        decays = [wd]

    def closure():
        opt.zero_grad()
        loss = loss_fn(params, reg)
        loss.backward()
        return loss

    def fix_groups(sd):
        if decoupled:
            for g, d in zip(sd["param_groups"], decays):
                g["weight_decay"] = d
                g["decoupled_weight_decay"] = True
        elif name in ("NAdam", "RAdam"):
            for g in sd["param_groups"]:
                g["decoupled_weight_decay"] = False
        return enc(sd)

    losses, trajectory, snapshot = [], {}, None
    for step in range(1, steps + 1):
        if name == "LBFGS":
            loss = opt.step(closure)
        else:
            loss = closure()
            if decoupled:
                with torch.no_grad():
                    for g, d in zip(opt.param_groups, decays):
                        for p in g["params"]:
                            if p.grad is not None:
                                p.mul_(1 - g["lr"] * d)
            opt.step()
        losses.append(float(loss))
        if step in record:
            trajectory[str(step)] = [p.detach().clone() for p in params]
        if step == snapshot_at:
            snapshot = fix_groups(opt.state_dict())
    return {"dtype": str(dtype)[6:], "reg": reg, "steps": steps, "record": record, "snapshot_at": snapshot_at,
            "losses": losses, "trajectory": enc(trajectory), "snapshot": snapshot,
            "state_dict": fix_groups(opt.state_dict())}


def main():
    cases = []
    for name, kwargs in OPTIMIZERS:
        if name == "LBFGS":
            runs = [("one", torch.float64, STEPS), ("one", torch.float32, 2)]
        else:
            runs = [("one", torch.float32, STEPS), ("groups", torch.float32, STEPS)]
        for layout, dtype, steps in runs:
            case = {"cls": name, "kwargs": enc(kwargs), "layout": layout}
            case.update(run(name, kwargs, layout, dtype, steps))
            cases.append(case)
    out = {"torch": torch.__version__, "steps": STEPS, "record": RECORD, "snapshot": SNAPSHOT, "names": NAMES,
           "x": enc(X), "y": enc(Y), "initial": enc(INITIAL), "group0": GROUP0, "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "optim_model.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
