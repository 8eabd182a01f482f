// SPDX-License-Identifier: BSD-3-Clause
// torch.scatter, torch.index_add, ...: the out-of-place forms of the in-place indexing ops. Each
// lives beside its in-place form (which runs it through autograd's inplace()) with its backward.
export { indexPut } from "./indexing.js";
export { indexAdd, indexCopy, indexFill, maskedScatter, scatter, scatterAdd, scatterReduce } from "./scatter.js";
