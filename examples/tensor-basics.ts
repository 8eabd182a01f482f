// SPDX-License-Identifier: BSD-3-Clause
// The "tensor basics" tutorial (../shared/reference/seed-programs.md §1), ported line by line.
import * as torch from "../src/index.js";

torch.manualSeed(0);

// Construct tensors
let x = torch.empty(5, 3);
x = torch.rand(5, 3);
console.log(x);
x = torch.zeros(5, 3, { dtype: torch.long });
console.log(x);
const x5 = torch.tensor([2.5, 3.5]);
console.log(x5);
x = x.newOnes(5, 3, { dtype: torch.double });        // keeps device, takes the new dtype
console.log(x);
let y = torch.randnLike(x, { dtype: torch.float });
console.log(y);
console.log(x.size(), x.shape);                      // [5, 3] twice

// Operations
x = torch.zeros(5, 3);
y = torch.ones(5, 3);
let z = x.add(y);
console.log(z);
console.log(torch.add(x, y));
const out = torch.empty(5, 3);
torch.add(x, y, { out });
console.log(out);
y.add_(x);                                           // in place: trailing underscore
console.log(y);

console.log(x.index(":", 1));
x = torch.randn(4, 4);
y = x.view(16);
z = x.view(-1, 8);
console.log(x.size(), y.size(), z.size());           // [4, 4] [16] [2, 8]
x = torch.randn(1);
console.log(x);
console.log(x.item());

// NumPy bridge: typed arrays share memory
const a = torch.ones(5);
const b = a.numpy();
a.add_(1);
console.log(b);                                      // Float32Array(5) [2, 2, 2, 2, 2]
const arr = new Float64Array(5).fill(1);
const c = torch.fromTypedArray(arr);
arr.forEach((v, i) => { arr[i] = v + 1; });
console.log(c);                                      // float64, shared: tensor([2., 2., 2., 2., 2.], dtype=torch.float64)
console.log(torch.tensor(arr));                      // copies

const vector = torch.tensor([1, 2, 3]);
const matrix = torch.tensor([[1, 2], [3, 4]]);
console.log(vector, matrix);
const p = torch.tensor([[1, 2], [3, 4]]), q = torch.tensor([[5, 6], [7, 8]]);
console.log(p.add(q), p.mul(q), torch.mm(p, q), torch.matmul(p, q), p.T);
console.log(torch.dot(torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6])));

// Devices
const device = torch.device(torch.cuda.isAvailable() ? "cuda" : "cpu");
const big = torch.randn([1000, 1000]).to(device);
const result = torch.mm(big, big);
console.log(result.shape);
y = torch.onesLike(x, { device });
x = x.to(device);
z = x.add(y);
console.log(z);
console.log(z.to("cpu", torch.double));
