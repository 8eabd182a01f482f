#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes test/fixtures/sorting.json: reference results of PyTorch (Debian's 1.13) for the sorting,
selection and matrix ops (sort, argsort, topk, kthvalue, median, nanmedian, mode, unique, bincount,
histc, trace, tril, triu, kron, einsum, tensordot), read by test/ops/sorting.test.ts and
test/ops/matrix.test.ts.

Run from the repository root: /usr/bin/python3 scripts/gen_sorting_fixtures.py

Each case is a call `torch.<op>(*args, **kwargs)` (or `args[0].<op>(...)` when "method" is set);
torchts makes the same call with the kwargs, camelCased, in one options object at the end.
Encoding: a tensor is {"dtype", "values" (its contiguous base, flattened), "size", "stride",
"offset"} so non-contiguous inputs are rebuilt with as_strided; int64 values are strings, float
specials are "nan", "inf", "-inf"; Ellipsis is "...". A result is {"tensor": ...},
{"tuple": [...]} or {"error": {"type", "message"}}.
"""
import json
import math
import os

import torch

torch.manual_seed(0)
cases = []


def enc_scalar(v, dtype):
    if dtype == torch.bool:
        return bool(v)
    if dtype == torch.int64:
        return str(int(v))
    if dtype.is_floating_point:
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return float(v)
    return int(v)


def enc_tensor(t):
    t = t.detach()
    if t.is_contiguous() and t.storage_offset() == 0 and t.numel() == t.storage().size():
        base = t
    else:
        base = torch.empty(0, dtype=t.dtype).set_(t.storage())
    flat = base.reshape(-1) if base.is_contiguous() else base.contiguous().reshape(-1)
    vals = flat.double().tolist() if t.dtype in (torch.float16, torch.bfloat16) else flat.tolist()
    return {
        "dtype": str(t.dtype).replace("torch.", ""),
        "values": [enc_scalar(v, t.dtype) for v in vals],
        "size": list(t.shape),
        "stride": list(t.stride()),
        "offset": t.storage_offset(),
    }


def enc_arg(a):
    if isinstance(a, torch.Tensor):
        return {"__tensor__": enc_tensor(a)}
    if a is Ellipsis:
        return "..."
    if isinstance(a, (list, tuple)):
        return [enc_arg(x) for x in a]
    return a


def enc_result(r):
    if isinstance(r, torch.Tensor):
        return {"tensor": enc_tensor(r.contiguous().clone())}
    if isinstance(r, (tuple, list)):
        return {"tuple": [enc_result(x) for x in r]}
    raise TypeError(f"unexpected result {type(r)}")


def case(name, op, args, kwargs=None, method=False, group="sorting"):
    kwargs = kwargs or {}
    entry = {"name": name, "group": group, "op": op, "args": [enc_arg(a) for a in args], "kwargs": {
        k: enc_arg(v) for k, v in kwargs.items()}, "method": method}
    try:
        fn = getattr(args[0], op) if method else getattr(torch, op)
        r = fn(*(args[1:] if method else args), **kwargs)
        entry["expected"] = enc_result(r)
    except Exception as e:  # the error PyTorch raises is the expectation
        entry["error"] = {"type": type(e).__name__, "message": str(e)}
    cases.append(entry)


nan, inf = float("nan"), float("inf")


def randn(*shape, dtype=torch.float32):
    return torch.randn(*shape, dtype=torch.float64).to(dtype)


def ties(*shape, high=5, dtype=torch.int64):
    return torch.randint(0, high, shape).to(dtype)


# ---- sort / argsort ------------------------------------------------------------------------------
case("sort_float32_default", "sort", [randn(4, 7)])
case("sort_float32_dim0_descending_positional", "sort", [randn(5, 3), 0, True])
case("sort_float64_nan_ties_stable_desc", "sort", [torch.tensor([[3., nan, 1., 3., nan, -inf, 1.], [0., -0., 2., inf, 2., 0., nan]], dtype=torch.float64)],
     {"dim": 1, "descending": True, "stable": True})
case("sort_float64_nan_ties_long_unstable", "sort", [torch.where(torch.rand(3, 40) < 0.2, torch.tensor(nan), ties(3, 40).double())])
case("sort_int64_ties_long_unstable", "sort", [ties(2, 100)])
case("sort_int64_ties_long_unstable_desc", "sort", [ties(2, 60)], {"descending": True})
case("sort_int64_ties_long_stable", "sort", [ties(2, 100)], {"stable": True})
case("sort_int32_transposed", "sort", [ties(6, 4, high=9, dtype=torch.int32).t()], {"dim": 1})
case("sort_uint8_strided_slice", "sort", [ties(3, 20, high=7, dtype=torch.uint8)[:, ::3]])
case("sort_bool", "sort", [torch.rand(2, 21) < 0.5])
case("sort_float16", "sort", [randn(3, 9, dtype=torch.float16)], {"descending": True})
case("sort_bfloat16", "sort", [randn(3, 9, dtype=torch.bfloat16)], {"dim": 0})
case("sort_0dim", "sort", [torch.tensor(2.5)])
case("sort_empty_rows", "sort", [torch.zeros(0, 3)], {"dim": 0})
case("sort_empty_len", "sort", [torch.zeros(3, 0)])
case("sort_3d_middle_dim", "sort", [randn(2, 5, 3)], {"dim": 1})
case("sort_dim_out_of_range", "sort", [randn(2, 3), 2])
case("sort_method_dim0", "sort", [ties(4, 3), 0], method=True)
case("sort_float32_many_rows_ties", "sort", [ties(40, 100, high=25).float() / 4])
case("sort_int16_descending_stable", "sort", [ties(3, 33, dtype=torch.int16)], {"descending": True, "stable": True})
case("argsort_float32_desc", "argsort", [randn(3, 8)], {"descending": True})
case("argsort_int64_stable", "argsort", [ties(50)], {"stable": True})
case("argsort_int64_unstable_dim0", "argsort", [ties(30, 2)], {"dim": 0})

# ---- topk -------------------------------------------------------------------------------------------
case("topk_float32_k3", "topk", [randn(4, 10), 3])
case("topk_float32_partial_sort_ties", "topk", [ties(2, 300, high=20).float(), 2])
case("topk_int64_smallest_ties", "topk", [ties(3, 25), 4], {"largest": False})
case("topk_float64_unsorted", "topk", [randn(3, 20, dtype=torch.float64), 5], {"sorted": False})
case("topk_int64_unsorted_ties", "topk", [ties(2, 30), 7], {"sorted": False, "largest": False})
case("topk_float32_nan", "topk", [torch.tensor([[1., nan, 3., nan, 2.], [nan, 0., -1., 5., 5.]]), 3])
case("topk_float32_nan_smallest", "topk", [torch.tensor([[1., nan, 3., nan, 2.], [nan, 0., -1., 5., 5.]]), 4], {"largest": False})
case("topk_transposed_dim0_positional", "topk", [randn(6, 4).t(), 2, 0])
case("topk_positional_largest_sorted", "topk", [ties(3, 12, dtype=torch.int32), 3, 1, False, True])
case("topk_uint8_partial_sort", "topk", [ties(2, 200, high=6, dtype=torch.uint8), 3])
case("topk_bfloat16", "topk", [randn(2, 9, dtype=torch.bfloat16), 4])
case("topk_many_rows_nth_element", "topk", [ties(40, 100, high=30).double(), 10])
case("topk_partial_sort_nan_smallest", "topk", [torch.where(torch.rand(2, 300) < 0.1, torch.tensor(nan), ties(2, 300, high=50).float()), 3], {"largest": False})
case("topk_k0", "topk", [randn(3, 5), 0])
case("topk_k_out_of_range", "topk", [randn(3, 5), 6])
case("topk_bool_error", "topk", [torch.tensor([True, False]), 1])
case("topk_float16_error", "topk", [randn(4, dtype=torch.float16), 1])
case("topk_0dim", "topk", [torch.tensor(3.), 1])
case("topk_method", "topk", [randn(2, 6), 2], {"largest": False}, method=True)

# ---- kthvalue ---------------------------------------------------------------------------------------
case("kthvalue_float32_ties", "kthvalue", [torch.tensor([[2., 1., 2., 3., 1., 2.], [5., 5., 5., 5., 5., 5.]]), 3])
case("kthvalue_int64_dim0_keepdim", "kthvalue", [ties(7, 3), 4, 0], {"keepdim": True})
case("kthvalue_float64_nan_last", "kthvalue", [torch.tensor([3., nan, 1., 2.], dtype=torch.float64), 4])
case("kthvalue_float64_nan_mid", "kthvalue", [torch.tensor([3., nan, 1., 2.], dtype=torch.float64), 3])
case("kthvalue_transposed", "kthvalue", [randn(5, 4).t(), 2])
case("kthvalue_int32_long_ties", "kthvalue", [ties(3, 50, dtype=torch.int32), 17])
case("kthvalue_bfloat16", "kthvalue", [randn(2, 7, dtype=torch.bfloat16), 2])
case("kthvalue_int8", "kthvalue", [ties(4, 9, dtype=torch.int8), 5, 0])
case("kthvalue_k_out_of_range", "kthvalue", [randn(2, 3), 4])
case("kthvalue_k0", "kthvalue", [randn(2, 3), 0])
case("kthvalue_zero_size_dim", "kthvalue", [torch.zeros(3, 0), 1])
case("kthvalue_empty_other_dim", "kthvalue", [torch.zeros(3, 0), 2, 0])
case("kthvalue_bool_error", "kthvalue", [torch.tensor([True, False]), 1])
case("kthvalue_float16_error", "kthvalue", [randn(3, dtype=torch.float16), 1])
case("kthvalue_0dim", "kthvalue", [torch.tensor(7), 1])

# ---- median / nanmedian -------------------------------------------------------------------------------
case("median_float32_even", "median", [torch.tensor([4., 1., 3., 2.])])
case("median_int64_ties", "median", [ties(5, 7)])
case("median_float32_nan", "median", [torch.tensor([1., nan, 2.])])
case("median_float64_dim_ties", "median", [ties(4, 9, high=3).double(), 1])
case("median_int32_transposed_keepdim", "median", [ties(6, 5, dtype=torch.int32).t(), 0], {"keepdim": True})
case("median_float32_dim_nan_rows", "median", [torch.tensor([[1., nan, 2., nan], [3., 1., 2., 0.]]), 1])
case("median_empty_float", "median", [torch.zeros(0)])
case("median_empty_int64", "median", [torch.zeros(0, dtype=torch.int64)])
case("median_bool_error", "median", [torch.tensor([True, False])])
case("median_float16_error", "median", [randn(3, dtype=torch.float16)])
case("median_dim_float16_error", "median", [randn(3, dtype=torch.float16), 0])
case("median_zero_size_dim", "median", [torch.zeros(2, 0), 1])
case("median_0dim_dim0", "median", [torch.tensor(5.), 0])
case("median_bfloat16_dim", "median", [randn(3, 6, dtype=torch.bfloat16), -1])
case("median_strided_long_rows", "median", [ties(3, 80, high=10)[:, 1::2], 1])
case("median_method", "median", [randn(3, 4)], method=True)
case("nanmedian_full_nan", "nanmedian", [torch.tensor([nan, 1., 5., nan, 3., 2.])])
case("nanmedian_dim_nan_rows", "nanmedian", [torch.tensor([[nan, nan, nan], [1., nan, 2.], [4., 1., nan]]), 1])
case("nanmedian_int64", "nanmedian", [ties(3, 6), 0])
case("nanmedian_all_nan", "nanmedian", [torch.tensor([nan, nan])])

# ---- mode --------------------------------------------------------------------------------------------
case("mode_int64_small_ties", "mode", [torch.tensor([[2, 1, 2, 1, 3], [4, 4, 0, 0, 4]])])
case("mode_int64_long_rows", "mode", [ties(4, 50)])
case("mode_int64_long_rows_big", "mode", [ties(3, 200, high=30)])
case("mode_float32_nan", "mode", [torch.tensor([[nan, 1., nan, 1., 2.], [nan, nan, 3., 3., 4.]])])
case("mode_bool", "mode", [torch.rand(3, 30) < 0.5])
case("mode_float16", "mode", [ties(2, 20).half()])
case("mode_dim0_keepdim_transposed", "mode", [ties(5, 8).t(), 0], {"keepdim": True})
case("mode_int16", "mode", [ties(3, 40, dtype=torch.int16)])
case("mode_0dim", "mode", [torch.tensor(3)])
case("mode_zero_size_dim", "mode", [torch.zeros(2, 0)])
case("mode_uint8_strided", "mode", [ties(4, 40, dtype=torch.uint8)[::2, ::2]])

# ---- unique ------------------------------------------------------------------------------------------
case("unique_int64_default", "unique", [ties(20, high=9)])
case("unique_int64_inverse_counts", "unique", [ties(4, 6, high=7)], {"return_inverse": True, "return_counts": True})
case("unique_float32_unsorted", "unique", [ties(30, high=12).float()], {"sorted": False, "return_inverse": True, "return_counts": True})
case("unique_int32_unsorted", "unique", [ties(40, high=25, dtype=torch.int32)], {"sorted": False})
case("unique_int64_unsorted_big", "unique", [torch.randint(-1000, 1000, (200,))], {"sorted": False, "return_counts": True})
case("unique_float64_unsorted", "unique", [torch.tensor([0.5, -0.0, 0.0, 2.5, 0.5, 1e10, -3.25], dtype=torch.float64)], {"sorted": False, "return_inverse": True})
case("unique_bool", "unique", [torch.tensor([True, False, True])], {"return_inverse": True, "return_counts": True})
case("unique_bool_unsorted", "unique", [torch.tensor([True, True, False])], {"sorted": False})
case("unique_float32_nan", "unique", [torch.tensor([3., nan, 1., nan])], {"return_inverse": True, "return_counts": True})
case("unique_2d_flat_inverse", "unique", [ties(3, 4, high=4)], {"return_inverse": True})
case("unique_counts_only", "unique", [ties(15, high=4)], {"return_counts": True})
case("unique_dim0", "unique", [torch.tensor([[1, 2], [1, 2], [0, 5], [1, 1]])], {"dim": 0, "return_inverse": True, "return_counts": True})
case("unique_dim1", "unique", [ties(3, 8, high=2)], {"dim": 1, "return_inverse": True, "return_counts": True})
case("unique_dim_neg_3d", "unique", [ties(2, 3, 6, high=2).float()], {"dim": -1, "return_counts": True})
case("unique_dim0_unsorted_flag", "unique", [ties(6, 2, high=2)], {"dim": 0, "sorted": False})
case("unique_dim1_3d", "unique", [ties(2, 5, 3, high=2)], {"dim": 1, "return_inverse": True})
case("unique_bfloat16_unsorted", "unique", [ties(40, high=30).to(torch.bfloat16)], {"sorted": False, "return_counts": True})
case("unique_empty", "unique", [torch.zeros(0)], {"return_inverse": True, "return_counts": True})
case("unique_empty_dim0", "unique", [torch.zeros(0, 3)], {"dim": 0, "return_inverse": True, "return_counts": True})
case("unique_0dim", "unique", [torch.tensor(3.)], {"return_inverse": True, "return_counts": True})
case("unique_float16_error", "unique", [randn(3, dtype=torch.float16)])
case("unique_dim_0dim_error", "unique", [torch.tensor(3.)], {"dim": 0})
case("unique_dim_zero_dims_error", "unique", [torch.zeros(0, 3)], {"dim": 1})
case("unique_uint8_strided", "unique", [ties(4, 10, dtype=torch.uint8).t()[1:, ::2]], {"return_inverse": True})
case("unique_method", "unique", [ties(10, high=3)], {"return_counts": True}, method=True)

# ---- bincount ------------------------------------------------------------------------------------------
case("bincount_int64", "bincount", [ties(30, high=8)])
case("bincount_weights_float32", "bincount", [ties(20, high=6), randn(20)])
case("bincount_weights_float64_kw", "bincount", [ties(20, high=6)], {"weights": randn(20, dtype=torch.float64)})
case("bincount_weights_int64", "bincount", [ties(10, high=4)], {"weights": ties(10, high=9)})
case("bincount_minlength_uint8", "bincount", [ties(8, high=3, dtype=torch.uint8)], {"minlength": 6})
case("bincount_int32_strided", "bincount", [ties(30, high=5, dtype=torch.int32)[::3]])
case("bincount_empty_minlength", "bincount", [torch.zeros(0, dtype=torch.int64)], {"minlength": 3})
case("bincount_negative_error", "bincount", [torch.tensor([1, -2, 2])])
case("bincount_2d_error", "bincount", [torch.tensor([[1, 2]])])
case("bincount_float_error", "bincount", [torch.tensor([1., 2.])])
case("bincount_bool_error", "bincount", [torch.tensor([True])])
case("bincount_minlength_negative", "bincount", [torch.tensor([1, 2])], {"minlength": -1})
case("bincount_weights_mismatch", "bincount", [torch.tensor([1, 2])], {"weights": torch.tensor([1., 2., 3.])})

# ---- histc -----------------------------------------------------------------------------------------------
case("histc_float32_range", "histc", [torch.tensor([1., 2., 1.])], {"bins": 4, "min": 0, "max": 3})
case("histc_data_range", "histc", [randn(50)], {"bins": 7})
case("histc_float64_edges", "histc", [torch.tensor([0., 0.25, 0.5, 0.75, 1., 1.25, -0.25], dtype=torch.float64)], {"bins": 4, "min": 0, "max": 1})
case("histc_bfloat16", "histc", [randn(40, dtype=torch.bfloat16)], {"bins": 5, "min": -1, "max": 1})
case("histc_default_bins", "histc", [randn(300)])
case("histc_many_bins_random", "histc", [randn(1000)], {"bins": 37, "min": -2, "max": 2})
case("histc_positional", "histc", [randn(20), 3, -1, 1])
case("histc_min_eq_max", "histc", [torch.tensor([2., 2.])], {"bins": 4, "min": 2, "max": 2})
case("histc_2d_transposed", "histc", [randn(4, 6).t()], {"bins": 6})
case("histc_bfloat16_data_range", "histc", [randn(20, dtype=torch.bfloat16)], {"bins": 5})
case("histc_nan_data_error", "histc", [torch.tensor([1., nan, 1.])], {"bins": 4})
case("histc_nan_ignored_with_range", "histc", [torch.tensor([1., nan, 1.])], {"bins": 4, "min": 0, "max": 3})
case("histc_inf_error", "histc", [torch.tensor([1., inf])], {"bins": 3})
case("histc_min_gt_max_error", "histc", [torch.tensor([1., 2.])], {"bins": 3, "min": 3, "max": 1})
case("histc_bins0_error", "histc", [torch.tensor([1., 2.])], {"bins": 0})
case("histc_int_error", "histc", [torch.tensor([1, 2])], {"bins": 3})
case("histc_bool_error", "histc", [torch.tensor([True])], {"bins": 3})
case("histc_float16_error", "histc", [randn(3, dtype=torch.float16)], {"bins": 3, "min": 0, "max": 1})
case("histc_empty", "histc", [torch.zeros(0)], {"bins": 4})
case("histc_0dim", "histc", [torch.tensor(3.)], {"bins": 4})

# ---- trace / tril / triu / kron ---------------------------------------------------------------------------
M = "matrix"
case("trace_float32", "trace", [randn(3, 4)], group=M)
case("trace_int32_to_int64", "trace", [ties(4, 4, dtype=torch.int32)], group=M)
case("trace_uint8", "trace", [ties(3, 3, high=200, dtype=torch.uint8)], group=M)
case("trace_float64_transposed", "trace", [randn(5, 3, dtype=torch.float64).t()], group=M)
case("trace_empty", "trace", [torch.zeros(0, 3)], group=M)
case("trace_3d_error", "trace", [torch.ones(2, 3, 4)], group=M)
case("trace_1d_error", "trace", [torch.ones(3)], group=M)
case("trace_bool_error", "trace", [torch.ones(2, 2, dtype=torch.bool)], group=M)
case("trace_float16_error", "trace", [torch.ones(2, 2, dtype=torch.float16)], group=M)
case("trace_method", "trace", [ties(3, 3)], method=True, group=M)
case("tril_float32", "tril", [randn(4, 5)], group=M)
case("tril_diag_pos", "tril", [randn(4, 5), 1], group=M)
case("tril_diag_neg_kw", "tril", [randn(4, 5)], {"diagonal": -2}, group=M)
case("triu_batched_float64", "triu", [randn(2, 3, 4, dtype=torch.float64), -1], group=M)
case("triu_int64_transposed", "triu", [ties(4, 3, high=9).t()], group=M)
case("triu_big_diagonal", "triu", [randn(3, 3), 5], group=M)
case("tril_bool", "tril", [torch.ones(3, 4, dtype=torch.bool), 1], group=M)
case("tril_nan", "tril", [torch.tensor([[nan, nan], [2., 3.]])], group=M)
case("tril_float16", "tril", [randn(3, 3, dtype=torch.float16)], group=M)
case("triu_empty", "triu", [torch.zeros(2, 0)], group=M)
case("tril_1d_error", "tril", [torch.ones(3)], group=M)
case("triu_0dim_error", "triu", [torch.tensor(3.)], group=M)
case("tril_method", "tril", [randn(3, 3), -1], method=True, group=M)
case("kron_2d", "kron", [randn(2, 3), randn(3, 2)], group=M)
case("kron_int_float_promote", "kron", [torch.tensor([1, 2]), torch.tensor([[1.5, 2.], [3., 4.]])], group=M)
case("kron_ndims_differ", "kron", [randn(2, 3), randn(2, 2, 2)], group=M)
case("kron_bool", "kron", [torch.tensor([True, False]), torch.tensor([True, True])], group=M)
case("kron_0dim", "kron", [torch.tensor(2), ties(2, 2)], group=M)
case("kron_strided", "kron", [ties(6)[::2], ties(2, 2)], group=M)

# ---- einsum ---------------------------------------------------------------------------------------------
case("einsum_matmul", "einsum", ["ij,jk->ik", randn(3, 4), randn(4, 5)], group=M)
case("einsum_implicit", "einsum", ["ij,jk", randn(2, 3), randn(3, 2)], group=M)
case("einsum_trace", "einsum", ["ii", randn(4, 4)], group=M)
case("einsum_diagonal", "einsum", ["ii->i", randn(3, 3)], group=M)
case("einsum_batched_ellipsis_broadcast", "einsum", ["...ij,...jk->...ik", randn(2, 1, 3, 4), randn(3, 4, 2)], group=M)
case("einsum_bmm", "einsum", ["bij,bjk->bik", randn(2, 3, 4), randn(2, 4, 5)], group=M)
case("einsum_outer", "einsum", ["i,j->ij", randn(3), randn(4)], group=M)
case("einsum_sum_all", "einsum", ["ij->", randn(3, 4)], group=M)
case("einsum_sum_int32", "einsum", ["ij->j", ties(3, 4, dtype=torch.int32)], group=M)
case("einsum_transpose_view", "einsum", ["ij->ji", randn(2, 3)], group=M)
case("einsum_three_operands", "einsum", ["ij,jk,kl->il", randn(2, 3), randn(3, 4), randn(4, 2)], group=M)
case("einsum_repeated_3d", "einsum", ["iij->ij", randn(3, 3, 2)], group=M)
case("einsum_broadcast_size1", "einsum", ["i,i", randn(3), randn(1)], group=M)
case("einsum_broadcast_ab", "einsum", ["ab,ab->ab", randn(2, 1), randn(1, 3)], group=M)
case("einsum_upper_implicit", "einsum", ["bBaA", randn(2, 3, 4, 5)], group=M)
case("einsum_spaces", "einsum", [" i j -> j ", randn(2, 3)], group=M)
case("einsum_list_operands", "einsum", ["ij,j->i", [randn(3, 4), randn(4)]], group=M)
case("einsum_ellipsis_summed", "einsum", ["...ij->ij", randn(2, 3, 4)], group=M)
case("einsum_ellipsis_implicit", "einsum", ["...a,b", randn(2, 3), randn(4)], group=M)
case("einsum_ellipsis_middle", "einsum", ["i...j,j...->...i", randn(2, 3, 4), randn(4, 3)], group=M)
case("einsum_int64_matmul", "einsum", ["ij,jk->ik", ties(2, 3), ties(3, 2)], group=M)
case("einsum_float64_noncontig", "einsum", ["ij,jk->ki", randn(4, 3, dtype=torch.float64).t(), randn(4, 5, dtype=torch.float64)[:, ::2]], group=M)
case("einsum_bilinear", "einsum", ["bn,anm,bm->ba", randn(2, 3), randn(4, 3, 5), randn(2, 5)], group=M)
case("einsum_batch_diag_contract", "einsum", ["bii,bij->bj", randn(2, 3, 3), randn(2, 3, 4)], group=M)
case("einsum_sublist", "einsum", [randn(2, 3), [0, 1], randn(3, 4), [1, 2], [0, 2]], group=M)
case("einsum_sublist_ellipsis", "einsum", [randn(2, 3, 4), [Ellipsis, 1], randn(4), [1], [Ellipsis]], group=M)
case("einsum_empty_dim", "einsum", ["i,i->", torch.zeros(0), torch.zeros(0)], group=M)
case("einsum_err_size_mismatch", "einsum", ["ij,jk", randn(2, 3), randn(4, 5)], group=M)
case("einsum_err_dtype_mismatch", "einsum", ["ij,jk->ik", randn(2, 3), randn(3, 5, dtype=torch.float64)], group=M)
case("einsum_err_output_unknown", "einsum", ["ij->k", randn(2, 3)], group=M)
case("einsum_err_output_repeated", "einsum", ["ij->ii", randn(2, 3)], group=M)
case("einsum_err_invalid_subscript", "einsum", ["i1->i", randn(2, 3)], group=M)
case("einsum_err_invalid_output_subscript", "einsum", ["i->i-", randn(2)], group=M)
case("einsum_err_ndim_mismatch", "einsum", ["ijk->i", randn(2, 3)], group=M)
case("einsum_err_ellipsis_too_many", "einsum", ["ijk...->i", randn(2, 3)], group=M)
case("einsum_err_more_operands", "einsum", ["ij", randn(2, 3), randn(2)], group=M)
case("einsum_err_fewer_operands", "einsum", ["ij,j", randn(2, 3)], group=M)
case("einsum_err_repeated_sizes", "einsum", ["ii", randn(2, 3)], group=M)
case("einsum_err_two_ellipsis", "einsum", ["....->", randn(2, 3)], group=M)
case("einsum_err_bad_ellipsis", "einsum", ["..i->", randn(2, 3)], group=M)
case("einsum_err_ellipsis_broadcast", "einsum", ["...,...", randn(2, 3), randn(4, 3)], group=M)
case("einsum_err_bool_bmm", "einsum", ["i,i->", torch.ones(2, dtype=torch.bool), torch.ones(2, dtype=torch.bool)], group=M)
case("einsum_err_no_operands", "einsum", ["ij,jk->ik", []], group=M)

# ---- tensordot --------------------------------------------------------------------------------------------
case("tensordot_default_dims2", "tensordot", [randn(2, 3, 4), randn(3, 4, 5)], group=M)
case("tensordot_dims1", "tensordot", [randn(2, 3), randn(3, 4), 1], group=M)
case("tensordot_dims_lists", "tensordot", [randn(3, 4, 5), randn(4, 3, 2)], {"dims": ([1, 0], [0, 1])}, group=M)
case("tensordot_dims0_outer", "tensordot", [randn(2, 3), randn(3, 2), 0], group=M)
case("tensordot_broadcast_size1", "tensordot", [randn(2, 1), randn(3, 4)], {"dims": ([1], [0])}, group=M)
case("tensordot_int32", "tensordot", [ties(2, 3, dtype=torch.int32), ties(3, 4, dtype=torch.int32), 1], group=M)
case("tensordot_float64_noncontig", "tensordot", [randn(4, 3, dtype=torch.float64).t(), randn(4, 6, dtype=torch.float64)[:, ::2], 1], group=M)
case("tensordot_dims_tensor", "tensordot", [randn(2, 3), randn(3, 4)], {"dims": torch.tensor([[1], [0]])}, group=M)
case("tensordot_0dim", "tensordot", [torch.tensor(2.), torch.tensor(3.), 0], group=M)
case("tensordot_err_negative", "tensordot", [randn(2, 3), randn(3, 4), -1], group=M)
case("tensordot_err_too_many", "tensordot", [randn(2, 3), randn(3, 4), 3], group=M)
case("tensordot_err_mismatch", "tensordot", [randn(2, 3), randn(4, 4), 1], group=M)
case("tensordot_err_list_lengths", "tensordot", [randn(2, 3), randn(3, 4)], {"dims": ([1, 0], [0])}, group=M)
case("tensordot_err_duplicate", "tensordot", [randn(3, 3), randn(3, 3)], {"dims": ([1, 1], [0, 1])}, group=M)
case("tensordot_err_dtype", "tensordot", [randn(2, 3), randn(3, 4, dtype=torch.float64), 1], group=M)
case("tensordot_err_bool", "tensordot", [torch.ones(2, 3, dtype=torch.bool), torch.ones(3, dtype=torch.bool), 1], group=M)

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
path = os.path.join(root, "test", "fixtures", "sorting.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "seed": 0, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {path}")
