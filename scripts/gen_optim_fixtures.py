#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Reference trajectories for torch.optim and torch.optim.lr_scheduler -> test/fixtures/optim.json.

Run with Debian's PyTorch 1.13: /usr/bin/python3 scripts/gen_optim_fixtures.py
Gradients are given explicitly per step (seeded randn), so the tests depend only on the update
maths, not on autograd. Every optimizer runs its single-tensor (for-loop) path: foreach=False.
"""
import json
import math
import os

import torch

torch.manual_seed(0)
STEPS = 6
SNAPSHOT = 3  # state_dict() is also recorded after this many steps, to resume from
SHAPES = [([3], torch.float32), ([2, 3], torch.float32), ([4], torch.float64)]

INITIAL = [torch.randn(s, dtype=d) for s, d in SHAPES]
GRADS = [[torch.randn(s, dtype=d) for s, d in SHAPES] for _ in range(STEPS)]


def enc(x):
    """A JSON-able value: tensors as {dtype, shape, data}, tuples as lists."""
    if isinstance(x, torch.Tensor):
        return {"dtype": str(x.dtype).replace("torch.", ""), "shape": list(x.shape),
                "data": [float(v) for v in x.detach().reshape(-1).tolist()]}
    if isinstance(x, dict):
        return {str(k): enc(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return x


OPTIMIZERS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.02, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-6, "maximize": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.02, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "weight_decay": 0.1, "momentum": 0.5, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.1}),
    ("Adamax", {"lr": 0.01}),
    ("Adamax", {"lr": 0.01, "weight_decay": 0.1, "betas": (0.8, 0.99)}),
    ("NAdam", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("RAdam", {"lr": 0.01}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adadelta", {"lr": 1.0}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1}),
    ("Rprop", {"lr": 0.01}),
    ("Rprop", {"lr": 0.02, "etas": (0.4, 1.5), "step_sizes": (1e-3, 0.05)}),
    ("ASGD", {"lr": 0.05}),
    ("ASGD", {"lr": 0.05, "lambd": 1e-3, "alpha": 0.5, "t0": 2, "weight_decay": 0.1, "maximize": True}),
]


def state_dict(opt):
    """opt.state_dict(), encoded; NAdam and RAdam get the `decoupled_weight_decay` key PyTorch >= 2.1 has."""
    sd = opt.state_dict()
    if type(opt).__name__ in ("NAdam", "RAdam"):
        for g in sd["param_groups"]:
            g.setdefault("decoupled_weight_decay", False)
    return enc(sd)


def run_optimizer(cls, kwargs, two_groups):
    params = [p.clone().requires_grad_() for p in INITIAL]
    kw = dict(kwargs)
    if "foreach" in getattr(cls.__init__, "__code__").co_varnames:
        kw["foreach"] = False
    if two_groups:
        # group 0 overrides lr; param 1 gets no gradient at steps 0 and 2 (its state starts late)
        groups = [{"params": [params[0]], "lr": kwargs["lr"] * 0.5}, {"params": [params[1], params[2]]}]
        opt = cls(groups, **kw)
    else:
        opt = cls(params, **kw)
    trajectory, snapshot = [], None
    for step in range(STEPS):
        for i, p in enumerate(params):
            missing = two_groups and i == 1 and step in (0, 2)
            p.grad = None if missing else GRADS[step][i].clone()
        opt.step()
        trajectory.append([p.detach().clone() for p in params])
        if step + 1 == SNAPSHOT:
            snapshot = state_dict(opt)
    return {"trajectory": enc(trajectory), "snapshot": snapshot, "state_dict": state_dict(opt)}


def optimizer_cases():
    cases = []
    for name, kwargs in OPTIMIZERS:
        cls = getattr(torch.optim, name)
        for two_groups in (False, True):
            case = {"cls": name, "kwargs": enc(kwargs), "two_groups": two_groups}
            case.update(run_optimizer(cls, kwargs, two_groups))
            cases.append(case)
    return cases


S = torch.optim.lr_scheduler
SCHED_STEPS = 100
# a validation-loss-like series: falls, plateaus (so ReduceLROnPlateau cuts the lr), falls again, noisy
METRICS = [round(1.0 / (1 + 0.1 * min(i, 20)) + (0.05 if i % 7 == 3 else 0.0) - 0.2 * (i >= 60) + 0.01 * ((i * 37) % 5), 6)
           for i in range(SCHED_STEPS)]
# CosineAnnealingWarmRestarts stepped per batch with fractional epochs: epoch + batch / 10
FRACTIONAL = [e + b / 10 for e in range(SCHED_STEPS // 10) for b in range(10)][1:] + [SCHED_STEPS // 10]
LAMBDAS = {"pow095": lambda e: 0.95 ** e, "warmup5": lambda e: min(1.0, (e + 1) / 5),
           "mul09": lambda e: 0.9, "half_cycle": lambda x: 0.5 ** (x - 1) if x < 4 else 0.1,
           "decay_iter": lambda x: 1 / (1 + 0.05 * x)}

# (name, optimizer kwargs, constructor) ; lambdas are named so the test can rebuild them
SCHEDULERS = [
    ("StepLR", {}, lambda o: S.StepLR(o, step_size=4, gamma=0.5)),
    ("MultiStepLR", {}, lambda o: S.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.3)),
    ("ExponentialLR", {}, lambda o: S.ExponentialLR(o, gamma=0.9)),
    ("CosineAnnealingLR", {}, lambda o: S.CosineAnnealingLR(o, T_max=10)),
    ("CosineAnnealingLR", {}, lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.001)),
    ("LambdaLR", {}, lambda o: S.LambdaLR(o, lr_lambda=LAMBDAS["pow095"])),
    ("LambdaLR", {}, lambda o: S.LambdaLR(o, lr_lambda=[LAMBDAS["warmup5"], LAMBDAS["pow095"]])),
    ("MultiplicativeLR", {}, lambda o: S.MultiplicativeLR(o, lr_lambda=LAMBDAS["mul09"])),
    ("LinearLR", {}, lambda o: S.LinearLR(o)),
    ("LinearLR", {}, lambda o: S.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=12)),
    ("ConstantLR", {}, lambda o: S.ConstantLR(o)),
    ("ConstantLR", {}, lambda o: S.ConstantLR(o, factor=0.25, total_iters=8)),
    ("PolynomialLR", {}, lambda o: S.PolynomialLR(o, total_iters=20, power=2.0)),
    ("OneCycleLR", {"momentum": 0.9}, lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=SCHED_STEPS + 1)),
    ("OneCycleLR", {"momentum": 0.9}, lambda o: S.OneCycleLR(o, max_lr=0.8, epochs=10, steps_per_epoch=10,
                                                             pct_start=0.25, anneal_strategy="linear",
                                                             div_factor=10.0, final_div_factor=100.0)),
    ("OneCycleLR", {"momentum": 0.9}, lambda o: S.OneCycleLR(o, max_lr=0.8, total_steps=SCHED_STEPS + 1,
                                                             three_phase=True, base_momentum=0.8,
                                                             max_momentum=0.9)),
    ("OneCycleLR", {"adam": True}, lambda o: S.OneCycleLR(o, max_lr=0.8, total_steps=SCHED_STEPS + 1)),
    ("ReduceLROnPlateau", {}, lambda o: S.ReduceLROnPlateau(o, patience=2, factor=0.5, min_lr=[0.02, 0.0])),
    ("ReduceLROnPlateau", {}, lambda o: S.ReduceLROnPlateau(o, mode="max", patience=1, threshold=0.01,
                                                            threshold_mode="abs", cooldown=2)),
    ("SequentialLR", {}, lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=4),
                                                      S.CosineAnnealingLR(o, T_max=10)], milestones=[5])),
    ("SequentialLR", {}, lambda o: S.SequentialLR(o, [S.ConstantLR(o, factor=0.5, total_iters=3),
                                                      S.ExponentialLR(o, gamma=0.9),
                                                      S.StepLR(o, step_size=3)], milestones=[4, 12])),
    ("ChainedScheduler", {}, lambda o: S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=10),
                                                           S.ExponentialLR(o, gamma=0.98)])),
    ("CosineAnnealingWarmRestarts", {}, lambda o: S.CosineAnnealingWarmRestarts(o, T_0=10)),
    ("CosineAnnealingWarmRestarts", {}, lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.001)),
    ("CosineAnnealingWarmRestarts", {"fractional": True}, lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3)),
    ("CosineAnnealingWarmRestarts", {"fractional": True},
     lambda o: S.CosineAnnealingWarmRestarts(o, T_0=1, T_mult=2, eta_min=0.01)),
    ("CyclicLR", {"momentum": 0.9}, lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=10)),
    ("CyclicLR", {"momentum": 0.9}, lambda o: S.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=7,
                                                         step_size_down=13, mode="triangular2",
                                                         base_momentum=0.85, max_momentum=0.95)),
    ("CyclicLR", {"momentum": 0.9}, lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=8,
                                                         mode="exp_range", gamma=0.97)),
    ("CyclicLR", {}, lambda o: S.CyclicLR(o, base_lr=0.001, max_lr=0.01, step_size_up=5, cycle_momentum=False,
                                          scale_fn=LAMBDAS["half_cycle"], scale_mode="cycle")),
    ("CyclicLR", {}, lambda o: S.CyclicLR(o, base_lr=0.001, max_lr=0.01, step_size_up=5, cycle_momentum=False,
                                          scale_fn=LAMBDAS["decay_iter"], scale_mode="iterations")),
]


def scheduler_cases():
    cases = []
    for name, okw, make in SCHEDULERS:
        w = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
        if okw.get("adam"):
            opt = torch.optim.Adam([{"params": [w[0]]}, {"params": [w[1]], "lr": 0.05}], lr=0.1)
        else:
            opt = torch.optim.SGD([{"params": [w[0]]}, {"params": [w[1]], "lr": 0.05}], lr=0.1,
                                  momentum=okw.get("momentum", 0))
        sched = make(opt)
        lrs = [[g["lr"] for g in opt.param_groups]]
        moms = [[g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]]
        for step in range(SCHED_STEPS):
            opt.step()
            if name == "ReduceLROnPlateau":
                sched.step(METRICS[step])
            elif okw.get("fractional"):
                sched.step(FRACTIONAL[step])
            else:
                sched.step()
            lrs.append([g["lr"] for g in opt.param_groups])
            moms.append([g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups])
        cases.append({"cls": name, "lrs": lrs, "momentums": moms,
                      "last_lr": sched._last_lr if hasattr(sched, "_last_lr") else None,
                      "last_epoch": getattr(sched, "last_epoch", None)})
    return cases


def main():
    out = {"torch": torch.__version__, "steps": STEPS, "snapshot": SNAPSHOT,
           "initial": enc(INITIAL), "grads": enc(GRADS),
           "optimizers": optimizer_cases(), "schedulers": scheduler_cases(), "metrics": METRICS,
           "fractional_epochs": FRACTIONAL}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "optim.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
