# SPDX-License-Identifier: BSD-3-Clause
"""Writes test/fixtures/data-more.json: PyTorch 1.13's samplers with explicit generators,
DistributedSampler, random_split with fractions, default_collate / default_convert on nested
structures (values, dtypes, errors), and DataLoader worker behaviour that is deterministic:
worker seeds (base_seed + worker_id, drawn from the loader's generator), which worker loads
which batch, persistent workers across epochs, IterableDataset sharding with get_worker_info.

Run with Debian's PyTorch:  /usr/bin/python3 scripts/gen_data_more_fixtures.py
"""
import json, math, os, sys
import torch
from torch.utils.data import (DataLoader, Dataset, IterableDataset, TensorDataset, RandomSampler,
                              WeightedRandomSampler, SubsetRandomSampler, BatchSampler, random_split,
                              get_worker_info)
from torch.utils.data.distributed import DistributedSampler
from torch.utils.data._utils.collate import default_collate, default_convert

sys.path.insert(0, os.path.dirname(__file__))
from fixture_encoding import enc_tensor

cases = []
def add(kind, name, **kw):
    cases.append({"kind": kind, "name": name, **kw})

# ---- samplers with an explicit generator: the generator's state carries over between epochs
def gen_sampler(name, make, epochs=3):
    g = torch.Generator().manual_seed(7)
    s = make(g)
    add("sampler", name, epochs=[list(s) for _ in range(epochs)], length=len(s))
gen_sampler("random n=6 generator", lambda g: RandomSampler(range(6), generator=g))
gen_sampler("random num_samples=12 of 6 generator", lambda g: RandomSampler(range(6), num_samples=12, generator=g))
gen_sampler("random num_samples=8 of 6 generator", lambda g: RandomSampler(range(6), num_samples=8, generator=g))
gen_sampler("random replacement 70 of 9 generator", lambda g: RandomSampler(range(9), replacement=True, num_samples=70, generator=g))
gen_sampler("random replacement 64 of 5 generator", lambda g: RandomSampler(range(5), replacement=True, num_samples=64, generator=g))
gen_sampler("weighted generator", lambda g: WeightedRandomSampler([1, 2, 3, 4, 0.5], 9, generator=g))
gen_sampler("weighted no replacement generator", lambda g: WeightedRandomSampler([1, 2, 3, 4, 0.5], 4, replacement=False, generator=g))
gen_sampler("subset random generator", lambda g: SubsetRandomSampler([3, 1, 4, 1, 5, 9, 2, 6], generator=g))

# ---- DistributedSampler: every rank, epochs 0 and 1
for n, replicas, shuffle, drop_last, seed in [(10, 3, True, False, 0), (10, 3, False, False, 0), (10, 3, True, True, 5),
                                              (11, 4, False, True, 0), (2, 5, True, False, 3), (12, 4, True, False, 1)]:
    ranks = []
    for rank in range(replicas):
        s = DistributedSampler(range(n), num_replicas=replicas, rank=rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
        e0 = list(s)
        s.set_epoch(1)
        ranks.append({"epoch0": e0, "epoch1": list(s), "length": len(s)})
    add("distributed", f"n={n} replicas={replicas} shuffle={shuffle} drop_last={drop_last} seed={seed}", n=n,
        numReplicas=replicas, shuffle=shuffle, dropLast=drop_last, seed=seed, ranks=ranks)
for rank in [3, -1]:
    try:
        DistributedSampler(range(4), num_replicas=3, rank=rank)
    except ValueError as e:
        add("distributed_error", f"rank {rank}", rank=rank, numReplicas=3, message=str(e))

# ---- random_split with fractions
for n, fracs, gseed in [(30, [0.3, 0.3, 0.4], 42), (10, [0.5, 0.5], 0), (7, [0.25, 0.25, 0.5], 1), (5, [0.1, 0.9], 2),
                        (10, [3, 7], 3)]:
    g = torch.Generator().manual_seed(gseed)
    subsets = random_split(range(n), fracs, generator=g)
    add("split", f"n={n} {fracs}", n=n, lengths=fracs, generatorSeed=gseed, subsets=[s.indices for s in subsets])
for fracs in [[1.2, -0.2]]:
    try:
        random_split(range(10), fracs)
    except ValueError as e:
        add("split_error", str(fracs), n=10, lengths=fracs, message=str(e))

# ---- default_collate / default_convert
def enc(x):
    if isinstance(x, torch.Tensor):
        return {"tensor": enc_tensor(x)}
    if isinstance(x, dict):
        return {"dict": {k: enc(v) for k, v in x.items()}}
    if isinstance(x, (list, tuple)):
        return {"list": [enc(v) for v in x]}
    return {"value": x}

collates = {
    "ints": [0, 1, 2, 3],
    "floats": [0.5, 1.5, -2.25],
    "bools": [True, False, True],
    "strings": ["a", "bb", "c"],
    "tensors": [torch.tensor([1., 2.]), torch.tensor([3., 4.]), torch.tensor([5., 6.])],
    "int tensors 2d": [torch.arange(6, dtype=torch.int32).reshape(2, 3), torch.arange(6, 12, dtype=torch.int32).reshape(2, 3)],
    "scalar tensors": [torch.tensor(1.5, dtype=torch.float64), torch.tensor(2.5, dtype=torch.float64)],
    "tuples": [(0, 1), (2, 3)],
    "lists": [[0, 1], [2, 3]],
    "image label pairs": [(torch.ones(1, 2, 2), 3), (torch.zeros(1, 2, 2), 7)],
    "dicts": [{"A": 0, "B": 1}, {"A": 100, "B": 100}],
    "nested": [{"x": [torch.tensor([1, 2]), {"y": 0.5, "s": "p"}], "z": (True, 3)},
               {"x": [torch.tensor([3, 4]), {"y": 1.25, "s": "q"}], "z": (False, 4)}],
    "list of strings": [["a", "b"], ["c", "d"]],
}
for name, batch in collates.items():
    add("collate", name, batch=enc(batch), out=enc(default_collate(batch)))
for name, batch in {"None": [None, None], "unequal lists": [[1, 2], [3]], "object": [object(), object()]}.items():
    try:
        default_collate(batch)
        raise SystemExit(f"{name}: expected an error")
    except (TypeError, RuntimeError) as e:
        add("collate_error", name, error=type(e).__name__, message=str(e))
converts = {"int": 3, "tensor": torch.tensor([1, 2]), "dict": {"a": torch.tensor(1.0), "b": 2, "s": "x"},
            "list": [torch.tensor([1]), 2, "s"], "tuple": (1, torch.tensor([2.]))}
for name, sample in converts.items():
    add("convert", name, sample=enc(sample), out=enc(default_convert(sample)))

# ---- DataLoader with a generator: base seed drawn first, then the sampler's draws
def loader_epochs(dl, epochs):
    return [[b[0].tolist() for b in dl] for _ in range(epochs)]
g = torch.Generator().manual_seed(3)
add("loader", "shuffle generator b3", n=10, opts={"batchSize": 3, "shuffle": True}, generatorSeed=3,
    epochs=loader_epochs(DataLoader(TensorDataset(torch.arange(10)), batch_size=3, shuffle=True, generator=g), 3))
torch.manual_seed(11)
add("loader", "batch_size None shuffle", n=5, opts={"batchSize": None, "shuffle": True}, seed=11,
    epochs=[[b[0].tolist() for b in DataLoader(TensorDataset(torch.arange(5)), batch_size=None, shuffle=True)]])

# ---- workers: each item is torch.rand drawn in the worker that loads it, so the values show
# the worker seeds (base_seed + id), which worker loads which batch, and the RNG continuity.
class RandItems(Dataset):
    def __len__(self):
        return 10
    def __getitem__(self, i):
        info = get_worker_info()
        return {"i": i, "r": torch.rand(2), "worker": -1 if info is None else info.id,
                "seed": "none" if info is None else str(info.seed)}

def worker_case(name, epochs, seed=None, generatorSeed=None, **kw):
    if seed is not None:
        torch.manual_seed(seed)
    g = torch.Generator().manual_seed(generatorSeed) if generatorSeed is not None else None
    dl = DataLoader(RandItems(), generator=g, **kw)
    out = []
    for _ in range(epochs):
        out.append([{"i": b["i"].tolist(), "r": b["r"].tolist(), "worker": b["worker"].tolist(), "seed": b["seed"]} for b in dl])
    camel = {"".join([p if j == 0 else p.capitalize() for j, p in enumerate(k.split("_"))]): v for k, v in kw.items()}
    add("workers", name, seed=seed, generatorSeed=generatorSeed, opts=camel, epochs=out)

worker_case("2 workers b2 generator", 1, generatorSeed=5, batch_size=2, num_workers=2)
worker_case("3 workers b3 shuffle seeded", 2, seed=9, batch_size=3, shuffle=True, num_workers=3)
worker_case("2 workers persistent shuffle", 3, seed=4, batch_size=4, shuffle=True, num_workers=2, persistent_workers=True)
worker_case("2 workers non-persistent shuffle", 3, seed=4, batch_size=4, shuffle=True, num_workers=2)
worker_case("0 workers shuffle", 2, seed=4, batch_size=4, shuffle=True, num_workers=0)

class Shards(IterableDataset):
    """Worker k of n yields start + k, start + k + n, ... below end (the documented sharding)."""
    def __init__(self, start, end):
        self.start, self.end = start, end
    def __iter__(self):
        info = get_worker_info()
        k, n = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(self.start + k, self.end, n))

for workers, bs, drop in [(0, 2, False), (2, 2, False), (3, 2, False), (2, 3, True), (2, None, False)]:
    dl = DataLoader(Shards(3, 14), batch_size=bs, num_workers=workers, drop_last=drop)
    add("iterable", f"workers={workers} batch_size={bs} drop_last={drop}", start=3, end=14,
        opts={"numWorkers": workers, "batchSize": bs, "dropLast": drop}, batches=[b.tolist() if isinstance(b, torch.Tensor) else b for b in dl])

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "data-more.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=None, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {out}")
