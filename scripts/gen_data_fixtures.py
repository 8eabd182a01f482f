# SPDX-License-Identifier: BSD-3-Clause
"""Writes test/fixtures/data.json: DataLoader / sampler / random_split / collate behaviour of
PyTorch 1.13, so torchts's shuffles match PyTorch's after torch.manual_seed.

Run with Debian's PyTorch:  /usr/bin/python3 scripts/gen_data_fixtures.py
"""
import json, os
import torch
from torch.utils.data import (DataLoader, TensorDataset, RandomSampler, WeightedRandomSampler, random_split,
                              SubsetRandomSampler, BatchSampler, SequentialSampler)
from torch.utils.data._utils.collate import default_collate

cases = []
def loader_case(name, seed, n, epochs, **kw):
    torch.manual_seed(seed)
    ds = TensorDataset(torch.arange(n))
    dl = DataLoader(ds, **kw)
    out = [[b[0].tolist() for b in dl] for _ in range(epochs)]
    cases.append({"kind": "loader", "name": name, "seed": seed, "n": n, "opts": kw, "epochs": out, "length": len(dl)})

loader_case("shuffle b4", 0, 10, 2, batch_size=4, shuffle=True)
loader_case("shuffle b3 drop_last", 1, 11, 2, batch_size=3, shuffle=True, drop_last=True)
loader_case("sequential b5", 0, 12, 1, batch_size=5)
loader_case("shuffle big", 42, 1000, 1, batch_size=64, shuffle=True)

def sampler_case(name, seed, make):
    torch.manual_seed(seed)
    s = make()
    cases.append({"kind": "sampler", "name": name, "seed": seed, "first": list(s), "second": list(s)})
sampler_case("random replacement 40 of 7", 3, lambda: RandomSampler(range(7), replacement=True, num_samples=40))
sampler_case("random num_samples 15 of 6", 4, lambda: RandomSampler(range(6), num_samples=15))
sampler_case("weighted", 5, lambda: WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 12, replacement=True))
sampler_case("weighted no replacement", 6, lambda: WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, replacement=False))
sampler_case("subset random", 7, lambda: SubsetRandomSampler([10, 20, 30, 40, 50]))

torch.manual_seed(0)
cases.append({"kind": "split", "name": "lengths", "seed": 0, "n": 10, "lengths": [3, 7],
              "subsets": [s.indices for s in random_split(range(10), [3, 7])]})
g = torch.Generator().manual_seed(42)
cases.append({"kind": "split", "name": "generator", "generatorSeed": 42, "n": 9, "lengths": [4, 5],
              "subsets": [s.indices for s in random_split(range(9), [4, 5], generator=g)]})

b = default_collate([{"x": torch.tensor([1., 2.]), "y": 3, "z": 0.5, "s": "a"}, {"x": torch.tensor([3., 4.]), "y": 4, "z": 1.5, "s": "b"}])
cases.append({"kind": "collate", "name": "dict", "x": b["x"].tolist(), "y": b["y"].tolist(), "ydtype": str(b["y"].dtype),
              "z": b["z"].tolist(), "zdtype": str(b["z"].dtype), "s": b["s"]})

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "data.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
print(f"wrote {len(cases)} cases to {out}")
