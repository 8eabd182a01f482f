// SPDX-License-Identifier: BSD-3-Clause
// The autograd tutorial snippets (seed-programs.md §2), printing what PyTorch prints.
import * as torch from "../src/index.js";

let x = torch.ones(2, 2, { requiresGrad: true });
console.log(x);
let y = x.add(2);
console.log(y);
console.log(y.gradFn!.name());
const z = y.mul(y).mul(3);
const out = z.mean();
console.log(z, out);
out.backward();
console.log(x.grad);                                    // 4.5 everywhere
console.log(x.pow(2).requiresGrad);
torch.noGrad(() => console.log(x.pow(2).requiresGrad));

x = torch.tensor(2, { dtype: torch.float32, requiresGrad: true });
y = x.add(3).pow(2);
y.backward();
console.log(x.grad);                                    // tensor(10.)
