# SPDX-License-Identifier: BSD-3-Clause
"""Writes test/fixtures/random.json: what PyTorch's CPU generator produces after manual_seed.

Run with Debian's PyTorch 1.13:  /usr/bin/python3 scripts/gen_random_fixtures.py

For each seed, a case is a sequence of steps drawn from one generator, so the state (and
the cached spare normal sample) carries from step to step exactly as in a program. Each step
records the call, its output and the SHA-256 of the output's raw little-endian bytes (what
a torchts typed array holds; float16/bfloat16 as their bits). Outputs of up to 64 elements
are also stored as values: floats as JSON numbers (exact doubles; float32 values are
float32-representable), int64 as decimal strings, other integers and bool as numbers. Each
case ends with the SHA-256 of torch.get_rng_state(), which torchts reproduces byte for byte.

The float32 normal_ fill for 16 or more contiguous elements runs PyTorch's AVX2 kernel on
x86-64 machines with AVX2 (the capability reported below); on other CPUs PyTorch falls back
to a scalar kernel whose last bits differ, so regenerate on an AVX2 machine.
"""
import hashlib
import json
import os
import warnings

import torch

# random_ bounds beyond 2^mantissa warn (they are part of what is checked)
warnings.filterwarnings("ignore", message=".*can support discrete uniform distribution only within this range.*")

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "random.json")

DTYPES = {
    "bool": torch.bool,
    "uint8": torch.uint8,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
}
MAX_VALUES = 64


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def encode(t):
    out = []
    for v in t.flatten().tolist():
        if t.dtype == torch.int64:
            out.append(str(v))
        elif t.dtype == torch.bool:
            out.append(1 if v else 0)
        else:
            out.append(v)
    return out


def record(step, t):
    step["n"] = t.numel()
    step["sha256"] = hashlib.sha256(raw_bytes(t)).hexdigest()
    if t.numel() <= MAX_VALUES:
        step["values"] = encode(t)
    else:
        step["head"] = encode(t.flatten()[:8])
    return step


def empty(n, dtype):
    return torch.empty(n, dtype=DTYPES[dtype])


# ---- the calls, each returning a step ------------------------------------------------------------

def rand(n, dtype):
    return record({"op": "uniform", "call": f"torch.rand({n}, dtype={dtype})", "dtype": dtype, "params": [0.0, 1.0]},
                  torch.rand(n, dtype=DTYPES[dtype]))


def uniform(n, dtype, a, b):
    return record({"op": "uniform", "call": f"uniform_({a}, {b})", "dtype": dtype, "params": [a, b]},
                  empty(n, dtype).uniform_(a, b))


def randn(n, dtype):
    return record({"op": "normal", "call": f"torch.randn({n}, dtype={dtype})", "dtype": dtype, "params": [0.0, 1.0]},
                  torch.randn(n, dtype=DTYPES[dtype]))


def normal(n, dtype, mean, std):
    return record({"op": "normal", "call": f"normal_({mean}, {std})", "dtype": dtype, "params": [mean, std]},
                  empty(n, dtype).normal_(mean, std))


def normal_strided(n, dtype, mean, std):
    # a non-contiguous view: PyTorch draws one cached Box-Muller sample per element
    base = torch.empty(n, 2, dtype=DTYPES[dtype])
    view = base[:, 0]
    view.normal_(mean, std)
    return record({"op": "normalSerial", "call": f"empty({n}, 2)[:, 0].normal_({mean}, {std})", "dtype": dtype,
                   "params": [mean, std]}, view)


def randint(low, high, n, dtype):
    return record({"op": "randomRange", "call": f"torch.randint({low}, {high}, ({n},), dtype={dtype})", "dtype": dtype,
                   "params": [str(low), str(high)]}, torch.randint(low, high, (n,), dtype=DTYPES[dtype]))


def random_range(n, dtype, low, high):
    return record({"op": "randomRange", "call": f"random_({low}, {high})", "dtype": dtype,
                   "params": [str(low), str(high)]}, empty(n, dtype).random_(low, high))


def random_from(n, dtype, low):
    return record({"op": "randomFrom", "call": f"random_({low}, None)", "dtype": dtype, "params": [str(low)]},
                  empty(n, dtype).random_(low, None))


def random_default(n, dtype):
    return record({"op": "random", "call": "random_()", "dtype": dtype, "params": []}, empty(n, dtype).random_())


def bernoulli(n, dtype, p):
    return record({"op": "bernoulli", "call": f"bernoulli_({p})", "dtype": dtype, "params": [p]},
                  empty(n, dtype).bernoulli_(p))


def probabilities(n, dtype, seed):
    # multiples of 1/64 (short in JSON, exact in every dtype), including 0 and 1, drawn from
    # a separate generator so they do not disturb the one under test
    g = torch.Generator().manual_seed(seed)
    return (torch.randint(0, 65, (n,), generator=g).to(torch.float64) / 64).to(DTYPES[dtype])


def bernoulli_tensor(n, out_dtype, probs_dtype, seed):
    probs = probabilities(n, probs_dtype, seed)
    if out_dtype == probs_dtype:
        out = torch.bernoulli(probs)
        call = f"torch.bernoulli(probs[{probs_dtype}])"
    else:
        out = empty(n, out_dtype).bernoulli_(probs)
        call = f"empty({n}, dtype={out_dtype}).bernoulli_(probs[{probs_dtype}])"
    step = {"op": "bernoulliTensor", "call": call, "dtype": out_dtype, "probsDtype": probs_dtype,
            "probs": encode(probs)}
    return record(step, out)


def exponential(n, dtype, lambd):
    return record({"op": "exponential", "call": f"exponential_({lambd})", "dtype": dtype, "params": [lambd]},
                  empty(n, dtype).exponential_(lambd))


def cauchy(n, dtype, median, sigma):
    return record({"op": "cauchy", "call": f"cauchy_({median}, {sigma})", "dtype": dtype, "params": [median, sigma]},
                  empty(n, dtype).cauchy_(median, sigma))


def log_normal(n, dtype, mean, std):
    return record({"op": "logNormal", "call": f"log_normal_({mean}, {std})", "dtype": dtype, "params": [mean, std]},
                  empty(n, dtype).log_normal_(mean, std))


def geometric(n, dtype, p):
    return record({"op": "geometric", "call": f"geometric_({p})", "dtype": dtype, "params": [p]},
                  empty(n, dtype).geometric_(p))


def randperm(n, dtype="int64"):
    return record({"op": "randperm", "call": f"torch.randperm({n}, dtype={dtype})", "dtype": dtype},
                  torch.randperm(n, dtype=DTYPES[dtype]))


def multinomial(probs, num_samples, replacement):
    rows = 1 if probs.dim() == 1 else probs.shape[0]
    step = {"op": "multinomial", "call": f"torch.multinomial(probs{list(probs.shape)}, {num_samples}, {replacement})",
            "dtype": "int64", "probsDtype": [k for k, v in DTYPES.items() if v == probs.dtype][0],
            "rows": rows, "cols": probs.shape[-1], "numSamples": num_samples, "replacement": replacement,
            "probs": encode(probs)}
    return record(step, torch.multinomial(probs, num_samples, replacement))


def weights(shape, dtype, seed, zeros=False):
    # unnormalised integer weights 1..20 (multinomial normalises), some zeroed to force ties
    g = torch.Generator().manual_seed(seed)
    w = torch.randint(1, 21, shape if isinstance(shape, tuple) else (shape,), generator=g).to(torch.float64)
    if zeros:
        w.view(-1)[1::3] = 0.0
    return w.to(DTYPES[dtype])


# ---- the cases -------------------------------------------------------------------------------

SIZES = [1, 4, 15, 16, 17, 100, 1000]


def basic_case():
    steps = []
    for dtype in ("float32", "float64"):
        for n in SIZES:
            steps.append(rand(n, dtype))
    for dtype in ("float32", "float64"):
        for n in SIZES:
            steps.append(randn(n, dtype))
    # odd sizes under 16 use the cached spare sample; 33 takes the vectorised fill with a ragged end
    steps += [randn(5, "float64"), randn(3, "float32"), randn(1, "float64"), randn(33, "float32"),
              randn(31, "float64"), randn(2, "float32")]
    return steps


def integer_case():
    steps = [
        randint(0, 10, 6, "int64"),
        randint(-5, 5, 20, "int32"),
        randint(0, 256, 50, "uint8"),
        randint(-128, 128, 30, "int8"),
        randint(-100, 100, 25, "int16"),
        randint(3, 1000, 30, "float32"),
        randint(-7, 9, 12, "float64"),
        randint(-2**40, 2**40, 10, "int64"),  # range >= 2^32 draws 64 bits
        randint(0, 2**33, 8, "float64"),
        randint(0, 2**33, 8, "float32"),
        randint(0, 2, 16, "bool"),
        random_range(20, "int64", -(2**62), 2**62 + 12345),
        random_range(10, "float16", -50, 50),
        random_range(10, "bfloat16", 0, 300),
    ]
    for dtype in DTYPES:
        steps.append(random_default(20, dtype))
    steps += [
        random_from(12, "int64", -(2**63)),  # the full 64-bit range
        random_from(12, "int64", 5),
        random_from(12, "int32", -3),
        random_from(12, "uint8", 7),
        random_from(12, "float32", 10),
        random_from(12, "float64", -(2**63)),
    ]
    return steps


def permutation_case(big):
    steps = [randperm(n) for n in (1, 6, 20, 100, 1000)]
    if big:
        steps.append(randperm(40000))
    steps += [randperm(50, "int32"), randperm(30, "float32"), randperm(25, "float64"), randperm(10, "int16"),
              randperm(100, "uint8"), randperm(40, "float16")]
    return steps


def distribution_case(seed):
    return [
        bernoulli(50, "float32", 0.3),
        bernoulli(30, "int64", 0.7),
        bernoulli(40, "bool", 0.5),
        bernoulli(20, "float64", 1.0),
        bernoulli_tensor(40, "float32", "float32", seed + 1),
        bernoulli_tensor(40, "float64", "float64", seed + 2),
        bernoulli_tensor(33, "bool", "float32", seed + 3),
        bernoulli_tensor(33, "int64", "float64", seed + 4),
        exponential(30, "float32", 1.5),
        exponential(30, "float64", 0.25),
        normal(10, "float32", 2.0, 3.0),
        normal(40, "float32", 2.0, 3.0),
        normal(10, "float64", -1.25, 0.5),
        normal(40, "float64", -1.25, 0.5),
        normal_strided(20, "float32", 0.5, 2.0),
        normal_strided(7, "float64", 0.0, 1.0),
        uniform(50, "float32", -1.5, 2.25),
        uniform(50, "float64", -7.3, 11.1),
        uniform(17, "float32", 0.1, 0.7),
        cauchy(20, "float64", 0.5, 2.0),
        cauchy(20, "float32", -1.0, 0.1),
        log_normal(20, "float64", 0.2, 0.5),
        log_normal(21, "float32", 1.0, 0.25),
        geometric(20, "float64", 0.3),
        geometric(20, "int64", 0.05),
    ]


def multinomial_case(seed):
    return [
        multinomial(weights(10, "float32", seed + 10), 5, False),
        multinomial(weights(10, "float32", seed + 11), 1, False),
        multinomial(weights(10, "float32", seed + 12), 1, True),
        multinomial(weights(10, "float32", seed + 13), 20, True),
        multinomial(weights((3, 7), "float32", seed + 14), 4, False),
        multinomial(weights((3, 7), "float64", seed + 15), 10, True),
        multinomial(weights(12, "float64", seed + 16, zeros=True), 12, False),  # ties among the zeros
        multinomial(weights(200, "float32", seed + 17), 3, False),  # partial_sort path of topk (64 k <= n)
        multinomial(weights(100, "float64", seed + 18), 50, False),  # nth_element path of topk
        multinomial(weights((2, 40), "float64", seed + 19), 7, True),
    ]


def half_case():
    steps = []
    for dtype in ("float16", "bfloat16"):
        steps += [
            rand(20, dtype),
            randn(5, dtype),
            randn(40, dtype),
            normal(37, dtype, 1.0, 2.0),
            normal(9, dtype, 1.0, 2.0),
            uniform(30, dtype, -2.0, 3.0),
            uniform(30, dtype, 0.25, 0.3),
            exponential(20, dtype, 2.0),
        ]
    steps.append(bernoulli(20, "bfloat16", 0.4))  # PyTorch 1.13 has no float16 bernoulli_ on the CPU
    return steps


def state_sha():
    return hashlib.sha256(torch.get_rng_state().numpy().tobytes()).hexdigest()


def make_case(name, seed, build):
    torch.manual_seed(seed)
    steps = build()
    return {"name": name, "seed": str(seed), "steps": steps, "stateSha256": state_sha()}


def main():
    seeds = [0, 1, 42, 2**40 + 3]
    cases = []
    for seed in seeds:
        cases.append(make_case(f"seed {seed}: rand and randn", seed, basic_case))
        cases.append(make_case(f"seed {seed}: integers", seed, integer_case))
        cases.append(make_case(f"seed {seed}: randperm", seed, lambda: permutation_case(seed == 0)))
        cases.append(make_case(f"seed {seed}: distributions", seed, lambda: distribution_case(seed)))
        cases.append(make_case(f"seed {seed}: multinomial", seed, lambda: multinomial_case(seed)))
    cases.append(make_case("seed 0: float16 and bfloat16", 0, half_case))
    cases.append(make_case("seed 7: everything in one stream", 7,
                           lambda: basic_case() + integer_case() + distribution_case(7) + multinomial_case(7)
                           + permutation_case(False) + half_case()))

    torch.manual_seed(0)
    state0 = torch.get_rng_state().numpy().tobytes()
    torch.randn(1, dtype=torch.float64)  # leaves a cached spare sample in the state
    state1 = torch.get_rng_state().numpy().tobytes()
    fixture = {
        "generator": "scripts/gen_random_fixtures.py",
        "torch": torch.__version__,
        "cpuCapability": torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") else
        torch.__config__.show().split("CPU capability usage: ")[1].split("\n")[0],
        "defaultSeed": str(torch.Generator().initial_seed()),
        "anchors": {
            "rand4": [0.49625658988952637, 0.7682217955589294, 0.08847743272781372, 0.13203048706054688],
            "randn4": [1.5409960746765137, -0.293428897857666, -2.1787893772125244, 0.5684312582015991],
        },
        "stateAfterSeed0": state0.hex(),
        "stateAfterSeed0Randn1": state1.hex(),
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(cases)} cases, {sum(len(c['steps']) for c in cases)} steps")


if __name__ == "__main__":
    main()
