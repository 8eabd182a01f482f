# SPDX-License-Identifier: BSD-3-Clause
"""Checkpoints with the extra classes torch.load(..., { weightsOnly: false }) accepts in torchts
(argparse.Namespace, NumPy scalars), written by PyTorch. Run with Debian's PyTorch:

    /usr/bin/python3 scripts/gen_checkpoint_extra_fixtures.py
"""
import argparse
import os
import pickletools
import zipfile

import numpy as np
import torch

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "checkpoints")
path = os.path.join(HERE, "extra_namespace_numpy.pt")
obj = {
    "args": argparse.Namespace(lr=0.1, name="run1", layers=[2, 3]),
    "best_acc": np.float64(0.875),
    "epoch": np.int64(12),
    "half": np.float32(0.5),
    "flag": np.bool_(True),
    "w": torch.arange(3, dtype=torch.float32),
}
torch.save(obj, path)
with zipfile.ZipFile(path) as z:
    pickletools.dis(z.read("extra_namespace_numpy/data.pkl"), out=open(path + ".pickletools.txt", "w"))
print("wrote", path)
