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
from fixture_encoding import enc_tensor as enc_tensor_full  # noqa: E402


def enc_tensor(t):
    """enc_tensor, with float32 values written in their shortest round-tripping form (smaller files)."""
    e = enc_tensor_full(t)
    if t.dtype == torch.float32:
        e["values"] = [float(repr(np.float32(v))) if isinstance(v, float) else v for v in e["values"]]
    return e

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
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tf:
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


# ---------------------------------------------------------------- transforms (tensor path) and utils
def gen_transforms():
    u8 = torch.from_numpy(smooth_image(13, 17, 3, 7)).permute(2, 0, 1).contiguous()
    f32 = u8.float() / 255
    gray = torch.from_numpy(smooth_image(13, 17, 1, 8)).permute(2, 0, 1).contiguous()
    inputs = {"u8": u8, "f32": f32, "gray": gray}
    BIL, NEA, BIC = T.InterpolationMode.BILINEAR, T.InterpolationMode.NEAREST, T.InterpolationMode.BICUBIC
    functional = [
        ("resize", [[7, 9]], {}), ("resize", [[20, 25]], {}), ("resize", [[7, 9]], {"interpolation": NEA}),
        ("resize", [[26, 30]], {"interpolation": NEA}), ("resize", [[7, 9]], {"interpolation": BIC}),
        ("resize", [[19, 31]], {"interpolation": BIC}), ("resize", [[5, 6]], {"antialias": True}),
        ("resize", [[5, 11]], {"antialias": True, "interpolation": BIC}), ("resize", [8], {}), ("resize", [6], {"max_size": 8}),
        ("pad", [[1, 2, 3, 4]], {"fill": 7}), ("pad", [[2, 3]], {"padding_mode": "edge"}), ("pad", [[2, 3]], {"padding_mode": "reflect"}),
        ("pad", [[3]], {"padding_mode": "symmetric"}), ("pad", [[-1, 2]], {}),
        ("crop", [2, 3, 5, 6], {}), ("crop", [-2, 12, 8, 9], {}), ("center_crop", [5], {}), ("center_crop", [[16, 20]], {}),
        ("center_crop", [[4, 7]], {}), ("hflip", [], {}), ("vflip", [], {}),
        ("rotate", [30.0], {}), ("rotate", [30.0], {"interpolation": BIL}), ("rotate", [45.0], {"expand": True}),
        ("rotate", [-70.0], {"center": [3, 4], "fill": [1.0, 2.0, 3.0]}), ("rotate", [25.0], {"interpolation": BIL, "fill": [0.5, 0.5, 0.5]}),
        ("affine", [], {"angle": 20.0, "translate": [2, -1], "scale": 1.2, "shear": [10.0, 5.0]}),
        ("affine", [], {"angle": 20.0, "translate": [2, -1], "scale": 1.2, "shear": [10.0, 5.0], "interpolation": BIL}),
        ("affine", [], {"angle": -10.0, "translate": [0, 3], "scale": 0.8, "shear": [0.0], "fill": [9.0, 8.0, 7.0]}),
        ("rgb_to_grayscale", [], {}), ("rgb_to_grayscale", [], {"num_output_channels": 3}),
        ("adjust_brightness", [1.4], {}), ("adjust_brightness", [0.3], {}), ("adjust_contrast", [0.6], {}), ("adjust_contrast", [1.8], {}),
        ("adjust_saturation", [1.7], {}), ("adjust_saturation", [0.2], {}), ("adjust_hue", [0.2], {}), ("adjust_hue", [-0.35], {}),
        ("gaussian_blur", [[3, 5], [0.8, 1.3]], {}), ("gaussian_blur", [5], {}),
        ("erase", [2, 3, 4, 5, 0.25], {}),
    ]
    cases = []
    for name, args, kw in functional:
        for inp in (["u8", "f32"] + (["gray"] if name in ("resize", "pad", "rotate", "adjust_contrast", "gaussian_blur") and "fill" not in kw else [])):
            if name == "erase":
                x = inputs[inp]
                out = F.erase(x, *args[:4], torch.tensor(args[4]).to(x.dtype) if x.is_floating_point() else torch.tensor(1, dtype=x.dtype))
            else:
                out = getattr(F, name)(inputs[inp], *args, **kw)
            kwj = {k: (v.value if isinstance(v, T.InterpolationMode) else v) for k, v in kw.items()}
            cases.append({"fn": name, "args": args, "kwargs": kwj, "input": inp, "out": enc_tensor(out)})
    cases.append({"fn": "convert_image_dtype", "args": ["float32"], "kwargs": {}, "input": "u8", "out": enc_tensor(F.convert_image_dtype(u8, torch.float32))})
    cases.append({"fn": "convert_image_dtype", "args": ["uint8"], "kwargs": {}, "input": "f32", "out": enc_tensor(F.convert_image_dtype(f32 * 0.999, torch.uint8))})
    cases.append({"fn": "normalize", "args": [[0.5, 0.4, 0.3], [0.2, 0.25, 0.3]], "kwargs": {}, "input": "f32", "out": enc_tensor(F.normalize(f32, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]))})
    cases.append({"fn": "to_pil_image", "args": [], "kwargs": {}, "input": "f32", "out": enc_tensor(F.pil_to_tensor(F.to_pil_image(f32 * 1.3 - 0.1)))})

    randoms = [
        ("RandomCrop(8, padding=2)", T.RandomCrop(8, padding=2), ["u8", "f32"]),
        ("RandomCrop([10, 20], pad_if_needed=True, fill=3)", T.RandomCrop([10, 20], pad_if_needed=True, fill=3), ["u8"]),
        ("RandomCrop(8, padding=[1, 2], padding_mode='reflect')", T.RandomCrop(8, padding=[1, 2], padding_mode="reflect"), ["u8"]),
        ("RandomResizedCrop(8)", T.RandomResizedCrop(8), ["u8", "f32"]),
        ("RandomResizedCrop([6, 7], scale=(0.5, 1.0), ratio=(0.5, 2.0), interpolation=NEAREST)", T.RandomResizedCrop([6, 7], scale=(0.5, 1.0), ratio=(0.5, 2.0), interpolation=NEA), ["u8"]),
        ("RandomResizedCrop(9, scale=(0.9, 1.0), ratio=(3.0, 4.0))", T.RandomResizedCrop(9, scale=(0.9, 1.0), ratio=(3.0, 4.0)), ["u8"]),
        ("RandomHorizontalFlip()", T.RandomHorizontalFlip(), ["u8"]), ("RandomVerticalFlip(p=0.7)", T.RandomVerticalFlip(p=0.7), ["u8"]),
        ("RandomRotation(40)", T.RandomRotation(40), ["u8", "f32"]),
        ("RandomRotation([10, 80], expand=True, fill=[5, 6, 7])", T.RandomRotation([10, 80], expand=True, fill=[5, 6, 7]), ["u8"]),
        ("RandomAffine(30, translate=(0.2, 0.1), scale=(0.8, 1.2), shear=[-10, 10, -5, 5])", T.RandomAffine(30, translate=(0.2, 0.1), scale=(0.8, 1.2), shear=[-10, 10, -5, 5]), ["u8", "f32"]),
        ("RandomAffine(0, shear=20, interpolation=BILINEAR)", T.RandomAffine(0, shear=20, interpolation=BIL), ["f32"]),
        ("ColorJitter(0.4, 0.4, 0.4, 0.1)", T.ColorJitter(0.4, 0.4, 0.4, 0.1), ["u8", "f32"]),
        ("ColorJitter(brightness=(0.5, 0.9), hue=(-0.3, -0.1))", T.ColorJitter(brightness=(0.5, 0.9), hue=(-0.3, -0.1)), ["u8"]),
        ("RandomGrayscale(0.5)", T.RandomGrayscale(0.5), ["u8"]),
        ("GaussianBlur(5, (0.1, 2.0))", T.GaussianBlur(5, (0.1, 2.0)), ["u8", "f32"]),
        ("RandomErasing(p=1.0)", T.RandomErasing(p=1.0), ["f32"]),
        ("RandomErasing(p=1.0, value='random')", T.RandomErasing(p=1.0, value="random"), ["f32"]),
        ("RandomErasing(p=0.9, scale=(0.1, 0.2), value=[0.1, 0.2, 0.3])", T.RandomErasing(p=0.9, scale=(0.1, 0.2), value=[0.1, 0.2, 0.3]), ["f32"]),
        ("RandomApply([ColorJitter(0.5)], p=0.5)", T.RandomApply(torch.nn.ModuleList([T.ColorJitter(0.5)]), p=0.5), ["u8"]),
        ("Compose([RandomResizedCrop(8), RandomHorizontalFlip(), ConvertImageDtype(float), Normalize(...)])",
         T.Compose([T.RandomResizedCrop(8), T.RandomHorizontalFlip(), T.ConvertImageDtype(torch.float), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]), ["u8"]),
    ]
    random_cases = []
    for label, t, ins in randoms:
        for inp in ins:
            for seed in [0, 1]:
                torch.manual_seed(seed)
                outs = [t(inputs[inp].clone()) for _ in range(2)]
                random_cases.append({"transform": label, "input": inp, "seed": seed, "outs": [enc_tensor(o) for o in outs],
                                     "next_rand": torch.rand(1).item()})
    reprs = {label: repr(t) for label, t, _ in randoms}
    reprs["Resize(8)"] = repr(T.Resize(8))
    reprs["CenterCrop(5)"] = repr(T.CenterCrop(5))
    reprs["Pad([1, 2], fill=3, padding_mode='edge')"] = repr(T.Pad([1, 2], fill=3, padding_mode="edge"))
    reprs["Grayscale(3)"] = repr(T.Grayscale(3))
    return {"inputs": {k: enc_tensor(v) for k, v in inputs.items() if k != "f32"}, "functional": cases, "random": random_cases, "reprs": reprs}


def gen_utils():
    g = torch.Generator().manual_seed(5)
    x = torch.rand(5, 3, 4, 5, generator=g) * 1.4 - 0.2
    one = torch.rand(6, 1, 3, 3, generator=g)
    cases = []
    for label, t, kw in [("default", x, {}), ("nrow=2,padding=1,pad_value=0.5", x, {"nrow": 2, "padding": 1, "pad_value": 0.5}),
                         ("normalize", x, {"normalize": True}), ("value_range", x, {"normalize": True, "value_range": (0.2, 0.8)}),
                         ("scale_each", x, {"normalize": True, "scale_each": True, "padding": 0}), ("one image", x[0], {}),
                         ("gray", one, {"nrow": 4}), ("2d", one[0, 0], {}), ("nrow>n", x[:2], {"nrow": 8, "padding": 3})]:
        cases.append({"label": label, "input": enc_tensor(t), "kwargs": kw, "out": enc_tensor(torchvision.utils.make_grid(t.clone(), **kw))})
    buf = io.BytesIO()
    torchvision.utils.save_image(x, buf, format="png", nrow=3)
    saved = torch.frombuffer(bytearray(buf.getvalue()), dtype=torch.uint8)
    return {"make_grid": cases, "save_image": {"input": enc_tensor(x), "kwargs": {"nrow": 3}, "pixels": enc_tensor(decode_image(saved))}}


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    fixtures = {"io": gen_io(), "mnist": gen_mnist(), "cifar": gen_cifar(), "folder": gen_folder(), "fakedata": gen_fakedata()}
    with open(os.path.join(OUT, "datasets.json"), "w") as f:
        json.dump(fixtures, f, separators=(",", ":"))
    with open(os.path.join(OUT, "transforms.json"), "w") as f:
        json.dump(gen_transforms(), f, separators=(",", ":"))
    with open(os.path.join(OUT, "utils.json"), "w") as f:
        json.dump(gen_utils(), f, separators=(",", ":"))


if __name__ == "__main__":
    torch.manual_seed(0)
    main()
