# SPDX-License-Identifier: BSD-3-Clause
# The autograd tutorial snippets in PyTorch: examples/autograd-basics.ts must print the same
# (Python prints booleans as True/False). Run: /usr/bin/python3 scripts/autograd_basics.py > test/fixtures/autograd-basics.txt
import torch
x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x + 2
print(y)
print(y.grad_fn.name())
z = y * y * 3
out = z.mean()
print(z, out)
out.backward()
print(x.grad)
print((x ** 2).requires_grad)
with torch.no_grad():
    print((x ** 2).requires_grad)
x = torch.tensor(2.0, requires_grad=True)
y = (x + 3) ** 2
y.backward()
print(x.grad)
