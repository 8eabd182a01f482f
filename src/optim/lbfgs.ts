// SPDX-License-Identifier: BSD-3-Clause
// torch.optim.LBFGS (Liu & Nocedal, "On the limited memory BFGS method for large scale
// optimization", 1989), PyTorch 1.13's port of minFunc, with its strong-Wolfe line search
// (Nocedal & Wright, "Numerical Optimization", algorithms 3.5 and 3.6).
//
// PyTorch mixes Python floats (double) and 0-dim tensors (the parameters' dtype) in its scalar
// maths: `ys = y.dot(s)` is a float32 tensor, `f + c1 * t * gtd` is float32 where `t` is a tensor,
// `1. / x` is `x.reciprocal() * 1.`. The trajectory (and which line-search branch is taken) depends
// on those roundings, so the scalar maths here keeps the same distinction: a JS number is a Python
// float, a `Sc` is a 0-dim tensor whose value is rounded to the parameters' dtype after every op.
import { Tensor } from "../tensor/tensor.js";
import { enableGrad, noGrad } from "../autograd/grad-mode.js";
import { RuntimeError, ValueError } from "../errors.js";
import * as ops from "../ops/public.js";
import { checkNonNegative, type ParamGroup, type ParamState, type Params, Optimizer } from "./optimizer.js";

export interface LBFGSOptions {
  lr?: number;
  maxIter?: number;
  maxEval?: number | null;
  toleranceGrad?: number;
  toleranceChange?: number;
  historySize?: number;
  lineSearchFn?: "strong_wolfe" | null;
}

export interface LBFGSGroup extends ParamGroup {
  maxIter: number;
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: string | null;
}

/** A 0-dim tensor's value in LBFGS's scalar maths (see the file comment). */
class Sc {
  constructor(readonly v: number) {}
}
type Num = number | Sc;

/** Python's scalar arithmetic over floats and 0-dim tensors of one floating dtype. */
class PyScalars {
  constructor(private readonly round: (x: number) => number) {}

  /** A tensor's value as a scalar tensor. */
  t(x: Tensor): Sc {
    return new Sc(Number(x.item()));
  }

  private bin(a: Num, b: Num, f: (x: number, y: number) => number): Num {
    if (!(a instanceof Sc) && !(b instanceof Sc)) return f(a, b);
    return new Sc(this.round(f(this.round(val(a)), this.round(val(b)))));
  }

  add(a: Num, b: Num): Num { return this.bin(a, b, (x, y) => x + y); }
  sub(a: Num, b: Num): Num { return this.bin(a, b, (x, y) => x - y); }
  mul(a: Num, b: Num): Num { return this.bin(a, b, (x, y) => x * y); }
  /** `float / tensor` is `tensor.reciprocal() * float` in PyTorch. */
  div(a: Num, b: Num): Num {
    if (!(a instanceof Sc) && b instanceof Sc) return this.mul(new Sc(this.round(1 / b.v)), a);
    return this.bin(a, b, (x, y) => x / y);
  }
  sqrt(a: Sc): Sc { return new Sc(this.round(Math.sqrt(a.v))); }
  abs(a: Num): Num { return a instanceof Sc ? new Sc(Math.abs(a.v)) : Math.abs(a); }

  /** Comparisons: a Python float meeting a tensor is cast to the tensor's dtype first. */
  private cmp(a: Num, b: Num, f: (x: number, y: number) => boolean): boolean {
    if (!(a instanceof Sc) && !(b instanceof Sc)) return f(a, b);
    return f(this.round(val(a)), this.round(val(b)));
  }
  gt(a: Num, b: Num): boolean { return this.cmp(a, b, (x, y) => x > y); }
  ge(a: Num, b: Num): boolean { return this.cmp(a, b, (x, y) => x >= y); }
  lt(a: Num, b: Num): boolean { return this.cmp(a, b, (x, y) => x < y); }
  le(a: Num, b: Num): boolean { return this.cmp(a, b, (x, y) => x <= y); }
  /** Python's `min(a, b)`: `a` unless `b < a`. */
  min(a: Num, b: Num): Num { return this.lt(b, a) ? b : a; }
  /** Python's `max(a, b)`: `a` unless `b > a`. */
  max(a: Num, b: Num): Num { return this.gt(b, a) ? b : a; }
}

function val(a: Num): number {
  return a instanceof Sc ? a.v : a;
}

/** State values: 0-dim tensors are kept as tensors (as PyTorch's state holds them). */
function toState(a: Num | null | undefined, dtype: Tensor["dtype"]): unknown {
  if (a === null || a === undefined) return a ?? null;
  return a instanceof Sc ? ops.tensor(a.v, { dtype }) : a;
}

function fromState(a: unknown): Num | null {
  if (a === null || a === undefined) return null;
  if (a instanceof Tensor) return new Sc(Number(a.item()));
  return Number(a);
}

type ObjFunc = (x: Tensor[], t: Num, d: Tensor) => [number, Tensor];

/** PyTorch's `_cubic_interpolate`: the minimiser of the cubic through two points and slopes, clamped to `bounds`. */
function cubicInterpolate(S: PyScalars, x1: Num, f1: Num, g1: Num, x2: Num, f2: Num, g2: Num, bounds?: [Num, Num]): Num {
  const [xminBound, xmaxBound] = bounds ?? (S.le(x1, x2) ? [x1, x2] : [x2, x1]);
  // d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
  const d1 = S.sub(S.add(g1, g2), S.div(S.mul(3, S.sub(f1, f2)), S.sub(x1, x2)));
  const d2Square = S.sub(S.mul(d1, d1), S.mul(g1, g2));
  if (S.ge(d2Square, 0)) {
    const d2 = d2Square instanceof Sc ? S.sqrt(d2Square) : Math.sqrt(d2Square);
    let minPos: Num;
    if (S.le(x1, x2)) {
      minPos = S.sub(x2, S.mul(S.sub(x2, x1), S.div(S.sub(S.add(g2, d2), d1), S.add(S.sub(g2, g1), S.mul(2, d2)))));
    } else {
      minPos = S.sub(x1, S.mul(S.sub(x1, x2), S.div(S.sub(S.add(g1, d2), d1), S.add(S.sub(g1, g2), S.mul(2, d2)))));
    }
    return S.min(S.max(minPos, xminBound), xmaxBound);
  }
  return S.div(S.add(xminBound, xmaxBound), 2);
}

/** PyTorch's `_strong_wolfe` line search along `d` from `x`; returns [fNew, gNew, t, lsFuncEvals]. */
function strongWolfe(
  S: PyScalars, objFunc: ObjFunc, x: Tensor[], t0: Num, d: Tensor, f: number, g0: Tensor, gtd: Num,
  c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25,
): [number, Tensor, Num, number] {
  let t = t0;
  const dNorm = S.t(d.abs().max());
  const g = g0.clone();
  let [fNew, gNew] = objFunc(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew: Num = S.t(gNew.dot(d));
  let tPrev: Num = 0, fPrev: Num = f, gPrev = g, gtdPrev: Num = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: Num[] = [], bracketF: Num[] = [], bracketG: Tensor[] = [], bracketGtd: Num[] = [];
  while (lsIter < maxLs) {
    if (S.gt(fNew, S.add(f, S.mul(S.mul(c1, t), gtd))) || (lsIter > 1 && S.ge(fNew, fPrev))) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.clone()]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (S.le(S.abs(gtdNew), S.mul(-c2, gtd))) {
      bracket = [t]; bracketF = [fNew]; bracketG = [gNew];
      done = true;
      break;
    }
    if (S.ge(gtdNew, 0)) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.clone()]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    // interpolate
    const minStep = S.add(t, S.mul(0.01, S.sub(t, tPrev)));
    const maxStep = S.mul(t, 10);
    const tmp = t;
    t = cubicInterpolate(S, tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp; fPrev = fNew; gPrev = gNew.clone(); gtdPrev = gtdNew;
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = S.t(gNew.dot(d));
    lsIter += 1;
  }
  if (lsIter === maxLs) {
    bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew];
  }

  // zoom phase: a point satisfying the criteria lies in the bracket
  let insufProgress = false;
  let [lowPos, highPos] = S.le(bracketF[0]!, bracketF[bracketF.length - 1]!) ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (S.lt(S.mul(S.abs(S.sub(bracket[1]!, bracket[0]!)), dNorm), toleranceChange)) break;
    t = cubicInterpolate(S, bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    // keep t away from the bracket's ends unless progress is insufficient
    const bMax = S.max(bracket[0]!, bracket[1]!), bMin = S.min(bracket[0]!, bracket[1]!);
    const eps = S.mul(0.1, S.sub(bMax, bMin));
    if (S.lt(S.min(S.sub(bMax, t), S.sub(t, bMin)), eps)) {
      if (insufProgress || S.ge(t, bMax) || S.le(t, bMin)) {
        if (S.lt(S.abs(S.sub(t, bMax)), S.abs(S.sub(t, bMin)))) t = S.sub(bMax, eps);
        else t = S.add(bMin, eps);
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = S.t(gNew.dot(d));
    lsIter += 1;
    if (S.gt(fNew, S.add(f, S.mul(S.mul(c1, t), gtd))) || S.ge(fNew, bracketF[lowPos]!)) {
      bracket[highPos] = t; bracketF[highPos] = fNew; bracketG[highPos] = gNew.clone(); bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = S.le(bracketF[0]!, bracketF[1]!) ? [0, 1] : [1, 0];
    } else {
      if (S.le(S.abs(gtdNew), S.mul(-c2, gtd))) {
        done = true;
      } else if (S.ge(S.mul(gtdNew, S.sub(bracket[highPos]!, bracket[lowPos]!)), 0)) {
        bracket[highPos] = bracket[lowPos]!; bracketF[highPos] = bracketF[lowPos]!;
        bracketG[highPos] = bracketG[lowPos]!; bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      bracket[lowPos] = t; bracketF[lowPos] = fNew; bracketG[lowPos] = gNew.clone(); bracketGtd[lowPos] = gtdNew;
    }
  }
  return [val(bracketF[lowPos]!), bracketG[lowPos]!, bracket[lowPos]!, lsFuncEvals];
}

/**
 * L-BFGS, torch.optim.LBFGS. `step(closure)` needs a closure that zeroes the gradients,
 * re-evaluates the model, calls `backward()` and returns the loss; one step runs up to `maxIter`
 * iterations. One parameter group only; all parameters are treated as one flat vector.
 *
 * ```ts
 * const opt = new optim.LBFGS(net.parameters(), { lr: 1, historySize: 10, lineSearchFn: "strong_wolfe" });
 * opt.step(() => { opt.zeroGrad(); const loss = lossFn(net.forward(x), y); loss.backward(); return loss; });
 * ```
 */
export class LBFGS extends Optimizer<LBFGSGroup> {
  private readonly params: Tensor[];

  constructor(params: Params, {
    lr = 1, maxIter = 20, maxEval = null, toleranceGrad = 1e-7, toleranceChange = 1e-9, historySize = 100, lineSearchFn = null,
  }: LBFGSOptions = {}) {
    checkNonNegative(lr, "learning rate");
    super(params, {
      lr, maxIter, maxEval: maxEval ?? Math.floor((maxIter * 5) / 4), toleranceGrad, toleranceChange, historySize, lineSearchFn,
    });
    if (this.paramGroups.length !== 1) throw new ValueError("LBFGS doesn't support per-parameter options (parameter groups)");
    this.params = this.paramGroups[0]!.params;
  }

  protected stepGroup(): void {
    throw new RuntimeError("LBFGS.step needs a closure that re-evaluates the model and returns the loss");
  }

  private gatherFlatGrad(): Tensor {
    return ops.cat(this.params.map((p) => (p.grad === null ? ops.zeros([p.numel()], { dtype: p.dtype }) : p.grad.reshape(-1))), 0);
  }

  private addGrad(stepSize: Num, update: Tensor): void {
    let offset = 0;
    for (const p of this.params) {
      const numel = p.numel();
      p.add_(update.narrow(0, offset, numel).viewAs(p), { alpha: val(stepSize) });
      offset += numel;
    }
  }

  private directionalEvaluate(closure: () => unknown, x: Tensor[], t: Num, d: Tensor): [number, Tensor] {
    this.addGrad(t, d);
    const loss = lossValue(enableGrad(closure));
    const flatGrad = this.gatherFlatGrad();
    this.params.forEach((p, i) => p.copy_(x[i]!));
    return [loss, flatGrad];
  }

  /** Runs up to `maxIter` L-BFGS iterations; returns the closure's first loss. */
  override step(closure?: () => unknown): unknown {
    if (closure === undefined) throw new RuntimeError("LBFGS.step needs a closure that re-evaluates the model and returns the loss");
    return noGrad(() => this.run(closure));
  }

  private run(closure: () => unknown): unknown {
    const group = this.paramGroups[0]!;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const dtype = this.params[0]!.dtype;
    const S = new PyScalars(dtype === "float32" ? Math.fround : (x) => x);

    let state = this.state.get(this.params[0]!);
    if (state === undefined) {
      state = {};
      this.state.set(this.params[0]!, state);
    }
    state["func_evals"] ??= 0;
    state["n_iter"] ??= 0;

    const origLoss = enableGrad(closure);
    let loss = lossValue(origLoss);
    let currentEvals = 1;
    state["func_evals"] = (state["func_evals"] as number) + 1;

    let flatGrad = this.gatherFlatGrad();
    let optCond = S.le(S.t(flatGrad.abs().max()), toleranceGrad);
    if (optCond) return origLoss;

    // the state carried over from the previous step
    let d = (state["d"] as Tensor | undefined) ?? null;
    let t: Num | null = fromState(state["t"]);
    let oldDirs = (state["old_dirs"] as Tensor[] | undefined) ?? [];
    let oldStps = (state["old_stps"] as Tensor[] | undefined) ?? [];
    let ro: Num[] = ((state["ro"] as unknown[] | undefined) ?? []).map((r) => fromState(r)!);
    let hDiag: Num = fromState(state["H_diag"]) ?? 1;
    let prevFlatGrad = (state["prev_flat_grad"] as Tensor | undefined) ?? null;
    let prevLoss = (state["prev_loss"] as number | undefined) ?? null;
    let al: (Num | null)[] | null = state["al"] === undefined ? null : (state["al"] as unknown[]).map(fromState);

    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state["n_iter"] = (state["n_iter"] as number) + 1;

      // the descent direction
      if (state["n_iter"] === 1) {
        d = flatGrad.neg();
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        const y = flatGrad.sub(prevFlatGrad!);
        const s = d!.mul(val(t!));
        const ys = S.t(y.dot(s));
        if (S.gt(ys, 1e-10)) {
          if (oldDirs.length === historySize) {
            oldDirs.shift();
            oldStps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(S.div(1, ys));
          hDiag = S.div(ys, S.t(y.dot(y)));
        }
        const numOld = oldDirs.length;
        if (al === null) al = new Array<Num | null>(historySize).fill(null);
        // two-loop recursion: d = -H g
        const q = flatGrad.neg();
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = S.mul(S.t(oldStps[i]!.dot(q)), ro[i]!);
          q.add_(oldDirs[i]!, { alpha: -val(al[i]!) });
        }
        const r = q.mul(val(hDiag));
        d = r;
        for (let i = 0; i < numOld; i++) {
          const beI = S.mul(S.t(oldDirs[i]!.dot(r)), ro[i]!);
          r.add_(oldStps[i]!, { alpha: val(S.sub(al[i]!, beI)) });
        }
      }

      if (prevFlatGrad === null) prevFlatGrad = flatGrad.clone();
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;

      // the step length
      if (state["n_iter"] === 1) t = S.mul(S.min(1, S.div(1, S.t(flatGrad.abs().sum()))), lr);
      else t = lr;

      const gtd = S.t(flatGrad.dot(d!));
      if (S.gt(gtd, -toleranceChange)) break;

      let lsFuncEvals = 0;
      if (lineSearchFn !== null) {
        if (lineSearchFn !== "strong_wolfe") throw new RuntimeError("only 'strong_wolfe' is supported");
        const xInit = this.params.map((p) => p.clone());
        const objFunc: ObjFunc = (x, tt, dd) => this.directionalEvaluate(closure, x, tt, dd);
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(S, objFunc, xInit, t, d!, loss, flatGrad, gtd);
        this.addGrad(t, d!);
        optCond = S.le(S.t(flatGrad.abs().max()), toleranceGrad);
      } else {
        this.addGrad(t, d!);
        if (nIter !== maxIter) {
          loss = lossValue(enableGrad(closure));
          flatGrad = this.gatherFlatGrad();
          optCond = S.le(S.t(flatGrad.abs().max()), toleranceGrad);
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state["func_evals"] = (state["func_evals"] as number) + lsFuncEvals;

      // the stopping conditions
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (S.le(S.t(d!.mul(val(t)).abs().max()), toleranceChange)) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    state["d"] = d;
    state["t"] = toState(t, dtype);
    state["old_dirs"] = oldDirs;
    state["old_stps"] = oldStps;
    state["ro"] = ro.map((r) => toState(r, dtype));
    state["H_diag"] = toState(hDiag, dtype);
    state["prev_flat_grad"] = prevFlatGrad;
    state["prev_loss"] = prevLoss;
    if (al !== null) state["al"] = al.map((a) => toState(a, dtype));
    return origLoss;
  }

  protected override upgradeState(s: ParamState): ParamState {
    return s;
  }
}

/** `float(closure())`. */
function lossValue(loss: unknown): number {
  return loss instanceof Tensor ? Number(loss.item()) : Number(loss);
}
