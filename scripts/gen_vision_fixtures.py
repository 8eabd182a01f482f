# SPDX-License-Identifier: BSD-3-Clause
"""Fixtures for test/vision: small files in the real formats (PNG/JPEG images, gzipped IDX, CIFAR's
python pickle batches in their .tar.gz, an ImageFolder tree) and what torchvision 0.14 makes of
them, plus torchvision's transforms (tensor path) and utils outputs on fixed images.

Run with Debian's python3 (torch 1.13, torchvision 0.14): /usr/bin/python3 scripts/gen_vision_fixtures.py
Writes test/fixtures/vision/.
"""
import gzip
import hashlib
import io
import json
import os
import pickle
import shutil
import struct
import sys
import tarfile
import tempfile

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import datasets, transforms as T
from torchvision.io import ImageReadMode, decode_image
import torchvision.transforms.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from fixture_encoding import enc_tensor  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "vision")


def md5(b):
    return hashlib.md5(b).hexdigest()


def write(name, data):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def smooth_image(h, w, c, seed):
    """An image with structure (gradients plus noise) so resampling errors show."""
    g = torch.Generator().manual_seed(seed)
    y = torch.linspace(0, 1, h).view(h, 1, 1)
    x = torch.linspace(0, 1, w).view(1, w, 1)
    phase = torch.rand(1, 1, c, generator=g) * 6
    base = 0.5 + 0.35 * torch.sin(6 * x + 4 * y + phase) + 0.1 * torch.rand(h, w, c, generator=g)
    return (base.clamp(0, 1) * 255).round().to(torch.uint8).numpy()


# ---------------------------------------------------------------- images and torchvision.io
def gen_io():
    rgb = smooth_image(9, 11, 3, 1)
    rgba = np.concatenate([smooth_image(9, 11, 3, 2), smooth_image(9, 11, 1, 3)], axis=2)
    gray = smooth_image(9, 11, 1, 4)[:, :, 0]
    files = {}
    for name, arr, mode, fmt in [("rgb.png", rgb, "RGB", "PNG"), ("rgba.png", rgba, "RGBA", "PNG"), ("gray.png", gray, "L", "PNG"),
                                 ("rgb.jpg", rgb, "RGB", "JPEG"), ("gray.jpg", gray, "L", "JPEG")]:
        buf = io.BytesIO()
        Image.fromarray(arr, mode).save(buf, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
        write("images/" + name, buf.getvalue())
        data = torch.frombuffer(bytearray(buf.getvalue()), dtype=torch.uint8)
        modes = ["UNCHANGED", "GRAY", "RGB"] + (["RGB_ALPHA", "GRAY_ALPHA"] if fmt == "PNG" else [])
        files[name] = {m: enc_tensor(decode_image(data, getattr(ImageReadMode, m))) for m in modes}
    return files


# ---------------------------------------------------------------- MNIST-style gzipped IDX
def idx_bytes(arr):
    code = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}[arr.dtype.type]
    head = struct.pack(">BBBB", 0, 0, code, arr.ndim) + b"".join(struct.pack(">I", s) for s in arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def gen_mnist():
    g = np.random.default_rng(0)
    resources = []
    for prefix, n in [("train", 5), ("t10k", 3)]:
        imgs = g.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = g.integers(0, 10, size=(n,), dtype=np.uint8)
        for kind, arr in [("images-idx3", imgs), ("labels-idx1", labels)]:
            name = f"{prefix}-{kind}-ubyte.gz"
            data = gzip.compress(idx_bytes(arr), mtime=0)
            write("mnist/" + name, data)
            resources.append([name, md5(data)])
    # what torchvision reads from these files
    root = tempfile.mkdtemp()
    raw = os.path.join(root, "FashionMNIST", "raw")
    os.makedirs(raw)
    for name, _ in resources:
        with gzip.open(os.path.join(OUT, "mnist", name)) as f, open(os.path.join(raw, name[:-3]), "wb") as o:
            o.write(f.read())
    out = {"resources": resources}
    for train in [True, False]:
        ds = datasets.FashionMNIST(root, train=train)
        out["train" if train else "test"] = {"data": enc_tensor(ds.data), "targets": enc_tensor(ds.targets),
                                             "first": enc_tensor(T.PILToTensor()(ds[0][0]))}
    shutil.rmtree(root)
    return out


# ---------------------------------------------------------------- CIFAR pickles (Python 2 format)
class Py2Pickler(pickle._Pickler):
    """Writes str and bytes as Python 2's str (SHORT_BINSTRING/BINSTRING), as the CIFAR files do."""
    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2str(self, obj):
        b = obj.encode("latin1") if isinstance(obj, str) else obj
        if len(b) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(b)]) + b)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(b)) + b)
        self.memoize(obj)

    dispatch[str] = save_py2str
    dispatch[bytes] = save_py2str


def py2_pickle(obj):
    buf = io.BytesIO()
    Py2Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def tar_gz(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.GNU_FORMAT) as tf:
        dirs = sorted({m.split("/")[0] for m in members})
        for d in dirs:
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tf.addfile(info)
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def gen_cifar():
    g = np.random.default_rng(1)
    out = {}
    for cls, folder, train_names, test_names, meta_name, n_cls in [
            (datasets.CIFAR10, "cifar-10-batches-py", [f"data_batch_{i}" for i in range(1, 6)], ["test_batch"], "batches.meta", 10),
            (datasets.CIFAR100, "cifar-100-python", ["train"], ["test"], "meta", 100)]:
        members = {}
        for names, n in [(train_names, 2 if n_cls == 10 else 4), (test_names, 3)]:
            for name in names:
                data = g.integers(0, 256, size=(n, 3072), dtype=np.uint8)
                labels = [int(v) for v in g.integers(0, n_cls, size=n)]
                batch = {"batch_label": f"batch {name}", "data": data, "filenames": [f"img_{i}.png" for i in range(n)]}
                if n_cls == 10:
                    batch["labels"] = labels
                else:
                    batch["fine_labels"] = labels
                    batch["coarse_labels"] = [v // 5 for v in labels]
                members[f"{folder}/{name}"] = py2_pickle(batch)
        if n_cls == 10:
            meta = {"num_cases_per_batch": 10000, "label_names": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"], "num_vis": 3072}
        else:
            meta = {"fine_label_names": [f"fine{i}" for i in range(100)], "coarse_label_names": [f"coarse{i}" for i in range(20)]}
        members[f"{folder}/{meta_name}"] = py2_pickle(meta)
        tgz = tar_gz(members)
        write("cifar/" + cls.filename, tgz)
        md5s = {k.split("/")[1]: md5(v) for k, v in members.items()}
        entry = {"tgz_md5": md5(tgz), "train_list": [[n, md5s[n]] for n in train_names], "test_list": [[n, md5s[n]] for n in test_names],
                 "meta_md5": md5s[meta_name]}
        # torchvision reading the extracted archive (with these files' checksums)
        root = tempfile.mkdtemp()
        with tarfile.open(os.path.join(OUT, "cifar", cls.filename)) as tf:
            tf.extractall(root)
        cls.train_list, cls.test_list = entry["train_list"], entry["test_list"]
        cls.meta = dict(cls.meta, md5=entry["meta_md5"])
        for train in [True, False]:
            ds = cls(root, train=train)
            entry["train" if train else "test"] = {"data": enc_tensor(torch.from_numpy(ds.data)), "targets": ds.targets,
                                                   "first": enc_tensor(T.PILToTensor()(ds[0][0]))}
        entry["classes"] = ds.classes
        shutil.rmtree(root)
        out[cls.__name__] = entry
    return out


# ---------------------------------------------------------------- ImageFolder and FakeData
def gen_folder():
    tree = {"dog/b.png": (6, 5, 2), "dog/a.png": (4, 7, 3), "cat/x/deep.png": (5, 5, 4), "cat/z.jpg": (8, 8, 5), "cat/notes.txt": None,
            "Bird/c.PNG": (3, 4, 6), "empty/readme.md": None}
    for name, spec in tree.items():
        if spec is None:
            write("folder/" + name, b"not an image\n")
            continue
        h, w, seed = spec
        buf = io.BytesIO()
        Image.fromarray(smooth_image(h, w, 3, seed), "RGB").save(buf, "JPEG" if name.endswith(".jpg") else "PNG", quality=95)
        write("folder/" + name, buf.getvalue())
    root = os.path.join(OUT, "folder")
    ds = datasets.ImageFolder(root, allow_empty=True) if "allow_empty" in datasets.ImageFolder.__init__.__code__.co_varnames else None
    # torchvision 0.14 has no allow_empty: the folder with no image is refused; read the rest via is_valid_file
    try:
        datasets.ImageFolder(root)
        refused = None
    except FileNotFoundError as e:
        refused = str(e).replace(root, "ROOT")
    ds = datasets.DatasetFolder(root, loader=lambda p: Image.open(p).convert("RGB"), is_valid_file=lambda p: p.lower().endswith((".png", ".jpg", ".md")))
    return {"refused": refused, "classes": ds.classes, "class_to_idx": ds.class_to_idx,
            "samples": [[os.path.relpath(p, root), t] for p, t in ds.samples]}


def gen_fakedata():
    out = []
    for kw in [dict(size=3, image_size=(3, 4, 5), num_classes=7, random_offset=2), dict(size=2, image_size=(1, 3, 3), num_classes=3)]:
        ds = datasets.FakeData(**kw)
        out.append({"kwargs": kw, "items": [[enc_tensor(T.PILToTensor()(img)), t] for img, t in (ds[i] for i in range(len(ds)))]})
    return out


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    fixtures = {"io": gen_io(), "mnist": gen_mnist(), "cifar": gen_cifar(), "folder": gen_folder(), "fakedata": gen_fakedata()}
    with open(os.path.join(OUT, "datasets.json"), "w") as f:
        json.dump(fixtures, f, separators=(",", ":"))
    if os.path.exists(os.path.join(os.path.dirname(__file__), "gen_vision_transforms.py")):
        pass


if __name__ == "__main__":
    torch.manual_seed(0)
    main()
