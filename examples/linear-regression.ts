// SPDX-License-Identifier: BSD-3-Clause
// Gradients of a linear regression (seed-programs.md §2), then a few steps of gradient descent.
import * as torch from "../src/index.js";

const x = torch.tensor([1, 2, 3, 4], { dtype: torch.float32 });
const y = torch.tensor([2, 4, 6, 8], { dtype: torch.float32 });
const w = torch.tensor(0.5, { requiresGrad: true });
const b = torch.tensor(0.5, { requiresGrad: true });
let loss = w.mul(x).add(b).sub(y).pow(2).mean();
loss.backward();
console.log(w.grad, b.grad);                            // tensor(-20.) tensor(-6.5000)

for (let step = 0; step < 200; step++) {
  w.grad = null;
  b.grad = null;
  loss = w.mul(x).add(b).sub(y).pow(2).mean();
  loss.backward();
  torch.noGrad(() => {
    w.sub_(w.grad!.mul(0.05));
    b.sub_(b.grad!.mul(0.05));
  });
}
console.log(`w = ${(w.item() as number).toFixed(3)}, b = ${(b.item() as number).toFixed(3)}, loss = ${(loss.item() as number).toFixed(6)}`);
