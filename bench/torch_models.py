# SPDX-License-Identifier: BSD-3-Clause
# PyTorch side of bench/models.ts: eval-mode inference (no_grad) of torchvision's resnet18,
# resnet50 and mobilenet_v2 on 224x224 inputs at batch 1 and 8, the same timing rule; prints JSON
# with seconds per forward.
import json, sys
import torch
from torchvision import models
from harness import median_time


threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
names = sys.argv[2].split(",") if len(sys.argv) > 2 else ["resnet18", "resnet50", "mobilenet_v2"]
batches = [int(b) for b in sys.argv[3].split(",")] if len(sys.argv) > 3 else [1, 8]
torch.set_num_threads(threads)
torch.manual_seed(0)
out = {"torch": torch.__version__}
for name in names:
    m = getattr(models, name)().eval()
    for b in batches:
        x = torch.randn(b, 3, 224, 224)
        with torch.no_grad():
            out[f"{name}/{b}"] = median_time(lambda: m(x))
print(json.dumps(out))
