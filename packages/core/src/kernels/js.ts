import type { FloatArray } from "../dtype.js";
import { normalizationKernels } from "./normalization.js";
import {
  conv2dBackwardInputByColumns,
  conv2dBackwardWeightByColumns,
  conv2dByColumns,
  convolutionKernels,
} from "./convolution.js";
import { erf } from "../special/erf.js";
import { collapseLoop, forEachRow } from "./strided.js";
import type { ArgReduceOp, BinaryOp, Kernels, ReduceOp, StridedOperand, UnaryOp } from "./types.js";

/** One innermost row of a binary op: out[o+i] = a[ai + i·as] ∘ b[bi + i·bs]. */
type BinaryRow = (
  out: FloatArray,
  o: number,
  a: FloatArray,
  ai: number,
  as: number,
  b: FloatArray,
  bi: number,
  bs: number,
  n: number,
) => void;

// Each op is its own loop so that no function is called per element.
const binaryRows: Record<BinaryOp, BinaryRow> = {
  add: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) out[o + i] = a[ai]! + b[bi]!;
  },
  sub: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) out[o + i] = a[ai]! - b[bi]!;
  },
  mul: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) out[o + i] = a[ai]! * b[bi]!;
  },
  div: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) out[o + i] = a[ai]! / b[bi]!;
  },
  pow: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) out[o + i] = a[ai]! ** b[bi]!;
  },
  maximum: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) {
      const x = a[ai]!,
        y = b[bi]!;
      out[o + i] = x >= y || Number.isNaN(x) ? x : y;
    }
  },
  minimum: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) {
      const x = a[ai]!,
        y = b[bi]!;
      out[o + i] = x <= y || Number.isNaN(x) ? x : y;
    }
  },
  equal: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) out[o + i] = a[ai]! === b[bi]! ? 1 : 0;
  },
  notEqual: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) out[o + i] = a[ai]! !== b[bi]! ? 1 : 0;
  },
  greater: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) out[o + i] = a[ai]! > b[bi]! ? 1 : 0;
  },
  greaterEqual: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) out[o + i] = a[ai]! >= b[bi]! ? 1 : 0;
  },
  less: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) out[o + i] = a[ai]! < b[bi]! ? 1 : 0;
  },
  lessEqual: (out, o, a, ai, as, b, bi, bs, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) out[o + i] = a[ai]! <= b[bi]! ? 1 : 0;
  },
};

type UnaryLoop = (out: FloatArray, x: FloatArray, n: number) => void;

const unaryLoops: Record<UnaryOp, UnaryLoop> = {
  neg: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = -x[i]!;
  },
  exp: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
  },
  log: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
  },
  sqrt: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!);
  },
  square: (out, x, n) => {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      out[i] = v * v;
    }
  },
  abs: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
  },
  sign: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]!);
  },
  reciprocal: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = 1 / x[i]!;
  },
  tanh: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!);
  },
  // σ(x) = 1/(1+e^−x), written so that neither branch overflows.
  sigmoid: (out, x, n) => {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
      else {
        const e = Math.exp(v);
        out[i] = e / (1 + e);
      }
    }
  },
  relu: (out, x, n) => {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      out[i] = v > 0 ? v : Number.isNaN(v) ? v : 0;
    }
  },
  step: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? 1 : 0;
  },
  sin: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]!);
  },
  cos: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]!);
  },
  log1p: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]!);
  },
  expm1: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]!);
  },
  erf: (out, x, n) => {
    for (let i = 0; i < n; i++) out[i] = erf(x[i]!);
  },
};

/** Grows-only scratch rows for float64 accumulation, so that matmul and reductions allocate nothing per call. */
let scratch = new Float64Array(4096);
function scratchOf(size: number): Float64Array {
  if (scratch.length < size) scratch = new Float64Array(Math.max(size, scratch.length * 2));
  return scratch;
}

function reduceKernel(
  op: ReduceOp,
  out: FloatArray,
  x: FloatArray,
  outer: number,
  length: number,
  inner: number,
): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * length;
      if (op === "sum") {
        let acc = 0;
        for (let i = 0; i < length; i++) acc += x[base + i]!;
        out[o] = acc;
      } else {
        let acc = length > 0 ? x[base]! : op === "max" ? -Infinity : Infinity;
        if (op === "max")
          for (let i = 1; i < length; i++) {
            const v = x[base + i]!;
            if (v > acc || Number.isNaN(v)) acc = v;
            if (Number.isNaN(acc)) break;
          }
        else
          for (let i = 1; i < length; i++) {
            const v = x[base + i]!;
            if (v < acc || Number.isNaN(v)) acc = v;
            if (Number.isNaN(acc)) break;
          }
        out[o] = acc;
      }
    }
    return;
  }
  // Rows of `inner` values are combined one after another, so memory is read in order.
  const acc = scratchOf(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * length * inner;
    if (op === "sum") {
      acc.fill(0, 0, inner);
      for (let l = 0; l < length; l++) {
        const row = base + l * inner;
        for (let i = 0; i < inner; i++) acc[i]! += x[row + i]!;
      }
    } else if (length === 0) {
      acc.fill(op === "max" ? -Infinity : Infinity, 0, inner);
    } else {
      for (let i = 0; i < inner; i++) acc[i] = x[base + i]!;
      for (let l = 1; l < length; l++) {
        const row = base + l * inner;
        if (op === "max")
          for (let i = 0; i < inner; i++) {
            const v = x[row + i]!;
            if (v > acc[i]! || Number.isNaN(v)) acc[i] = v;
          }
        else
          for (let i = 0; i < inner; i++) {
            const v = x[row + i]!;
            if (v < acc[i]! || Number.isNaN(v)) acc[i] = v;
          }
      }
    }
    // A NaN, once in, stays: v > NaN is false, so the comparison above never replaces it.
    for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i]!;
  }
}

function argReduceKernel(
  op: ArgReduceOp,
  out: FloatArray,
  x: FloatArray,
  outer: number,
  length: number,
  inner: number,
): void {
  const wantMax = op === "argmax";
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = x[o * length * inner + i]!;
      let bestIndex = 0;
      for (let l = 1; l < length && !Number.isNaN(best); l++) {
        const v = x[(o * length + l) * inner + i]!;
        if (Number.isNaN(v) || (wantMax ? v > best : v < best)) {
          best = v;
          bestIndex = l;
        }
      }
      out[o * inner + i] = bestIndex;
    }
  }
}

/** C = A·B with A [m, k] and B [k, n]: four rows of A at a time, each row of B read once per four rows of C. */
function matmulNN(
  c: FloatArray,
  co: number,
  a: FloatArray,
  ao: number,
  b: FloatArray,
  bo: number,
  m: number,
  k: number,
  n: number,
): void {
  const acc = scratchOf(4 * n);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    acc.fill(0, 0, 4 * n);
    const a0 = ao + i * k,
      a1 = a0 + k,
      a2 = a1 + k,
      a3 = a2 + k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p]!,
        x1 = a[a1 + p]!,
        x2 = a[a2 + p]!,
        x3 = a[a3 + p]!;
      const row = bo + p * n;
      for (let j = 0; j < n; j++) {
        const y = b[row + j]!;
        acc[j]! += x0 * y;
        acc[n + j]! += x1 * y;
        acc[2 * n + j]! += x2 * y;
        acc[3 * n + j]! += x3 * y;
      }
    }
    const out = co + i * n;
    for (let j = 0; j < 4 * n; j++) c[out + j] = acc[j]!;
  }
  for (; i < m; i++) {
    acc.fill(0, 0, n);
    const ai = ao + i * k;
    for (let p = 0; p < k; p++) {
      const x = a[ai + p]!;
      const row = bo + p * n;
      for (let j = 0; j < n; j++) acc[j]! += x * b[row + j]!;
    }
    for (let j = 0; j < n; j++) c[co + i * n + j] = acc[j]!;
  }
}

/** C = Aᵀ·B with A stored [k, m] and B [k, n]: four columns of A at a time. */
function matmulTN(
  c: FloatArray,
  co: number,
  a: FloatArray,
  ao: number,
  b: FloatArray,
  bo: number,
  m: number,
  k: number,
  n: number,
): void {
  const acc = scratchOf(4 * n);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    acc.fill(0, 0, 4 * n);
    for (let p = 0; p < k; p++) {
      const ap = ao + p * m + i;
      const x0 = a[ap]!,
        x1 = a[ap + 1]!,
        x2 = a[ap + 2]!,
        x3 = a[ap + 3]!;
      const row = bo + p * n;
      for (let j = 0; j < n; j++) {
        const y = b[row + j]!;
        acc[j]! += x0 * y;
        acc[n + j]! += x1 * y;
        acc[2 * n + j]! += x2 * y;
        acc[3 * n + j]! += x3 * y;
      }
    }
    const out = co + i * n;
    for (let j = 0; j < 4 * n; j++) c[out + j] = acc[j]!;
  }
  for (; i < m; i++) {
    acc.fill(0, 0, n);
    for (let p = 0; p < k; p++) {
      const x = a[ao + p * m + i]!;
      const row = bo + p * n;
      for (let j = 0; j < n; j++) acc[j]! += x * b[row + j]!;
    }
    for (let j = 0; j < n; j++) c[co + i * n + j] = acc[j]!;
  }
}

/** C = A·Bᵀ with A [m, k] and B stored [n, k]: every entry a dot product of two contiguous rows. */
function matmulNT(
  c: FloatArray,
  co: number,
  a: FloatArray,
  ao: number,
  b: FloatArray,
  bo: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    const ai = ao + i * k;
    for (let j = 0; j < n; j++) {
      const bj = bo + j * k;
      let s0 = 0,
        s1 = 0;
      let p = 0;
      for (; p + 2 <= k; p += 2) {
        s0 += a[ai + p]! * b[bj + p]!;
        s1 += a[ai + p + 1]! * b[bj + p + 1]!;
      }
      if (p < k) s0 += a[ai + p]! * b[bj + p]!;
      c[co + i * n + j] = s0 + s1;
    }
  }
}

/** C = Aᵀ·Bᵀ with A stored [k, m] and B stored [n, k]. */
function matmulTT(
  c: FloatArray,
  co: number,
  a: FloatArray,
  ao: number,
  b: FloatArray,
  bo: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const bj = bo + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ao + p * m + i]! * b[bj + p]!;
      c[co + i * n + j] = s;
    }
  }
}

function binaryKernel(
  op: BinaryOp,
  out: FloatArray,
  shape: readonly number[],
  a: StridedOperand,
  b: StridedOperand,
): void {
  const row = binaryRows[op];
  const loop = collapseLoop(shape, [a.strides, b.strides]);
  const as = loop.strides[0]!,
    bs = loop.strides[1]!;
  const innerA = as[as.length - 1]!,
    innerB = bs[bs.length - 1]!;
  forEachRow(loop, (o, offsets, n) => row(out, o, a.data, offsets[0]!, innerA, b.data, offsets[1]!, innerB, n));
}

function whereKernel(
  out: FloatArray,
  shape: readonly number[],
  cond: StridedOperand,
  a: StridedOperand,
  b: StridedOperand,
): void {
  const loop = collapseLoop(shape, [cond.strides, a.strides, b.strides]);
  const last = loop.shape.length - 1;
  const cs = loop.strides[0]![last]!,
    as = loop.strides[1]![last]!,
    bs = loop.strides[2]![last]!;
  forEachRow(loop, (o, offsets, n) => {
    let ci = offsets[0]!,
      ai = offsets[1]!,
      bi = offsets[2]!;
    for (let i = 0; i < n; i++, ci += cs, ai += as, bi += bs)
      out[o + i] = cond.data[ci]! !== 0 ? a.data[ai]! : b.data[bi]!;
  });
}

function transposeKernel(out: FloatArray, x: FloatArray, shape: readonly number[], perm: readonly number[]): void {
  const inStrides: number[] = new Array(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    inStrides[d] = stride;
    stride *= shape[d]!;
  }
  const outShape = perm.map((p) => shape[p]!);
  const loop = collapseLoop(outShape, [perm.map((p) => inStrides[p]!)]);
  const inner = loop.strides[0]![loop.shape.length - 1]!;
  forEachRow(loop, (o, offsets, n) => {
    for (let i = 0, xi = offsets[0]!; i < n; i++, xi += inner) out[o + i] = x[xi]!;
  });
}

/** The plain-JavaScript kernels: correct everywhere, no SIMD, one thread. */
export const jsKernels: Kernels = {
  name: "js",
  ...normalizationKernels,
  binary: binaryKernel,
  unary(op, out, x) {
    unaryLoops[op](out, x, x.length);
  },
  clip(out, x, low, high) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v < low ? low : v > high ? high : v;
    }
  },
  where: whereKernel,
  reduce: reduceKernel,
  argReduce: argReduceKernel,
  matmul(out, outOffset, a, aOffset, b, bOffset, m, k, n, transposeA, transposeB) {
    if (k === 0) {
      out.fill(0, outOffset, outOffset + m * n);
      return;
    }
    if (!transposeA && !transposeB) matmulNN(out, outOffset, a, aOffset, b, bOffset, m, k, n);
    else if (transposeA && !transposeB) matmulTN(out, outOffset, a, aOffset, b, bOffset, m, k, n);
    else if (!transposeA && transposeB) matmulNT(out, outOffset, a, aOffset, b, bOffset, m, k, n);
    else matmulTT(out, outOffset, a, aOffset, b, bOffset, m, k, n);
  },
  axpy(y, alpha, x) {
    for (let i = 0; i < y.length; i++) y[i]! += alpha * x[i]!;
  },
  sumOfSquares(x) {
    let total = 0;
    for (let i = 0; i < x.length; i++) total += x[i]! * x[i]!;
    return total;
  },
  gatherRows(out, x, rowLength, indices) {
    if (rowLength >= 64) {
      // Long rows: a native block copy each (memcpy speed); the views are tiny and short-lived.
      for (let r = 0; r < indices.length; r++) {
        const from = indices[r]! * rowLength;
        out.set(x.subarray(from, from + rowLength), r * rowLength);
      }
      return;
    }
    for (let r = 0; r < indices.length; r++) {
      const from = indices[r]! * rowLength,
        to = r * rowLength;
      for (let i = 0; i < rowLength; i++) out[to + i] = x[from + i]!;
    }
  },
  bytesToFloats(out, outStride, bytes, rowLength, rows, offset, factor) {
    for (let r = 0; r < rows.length; r++) {
      const from = rows[r]! * rowLength,
        to = r * outStride;
      // The values are the bytes themselves: a native typed-array copy converts them.
      if (offset === null && factor === 1) out.set(bytes.subarray(from, from + rowLength), to);
      else if (offset) for (let k = 0; k < rowLength; k++) out[to + k] = (bytes[from + k]! - offset[k]!) * factor;
      else for (let k = 0; k < rowLength; k++) out[to + k] = bytes[from + k]! * factor;
    }
  },
  scatterAddRows(out, x, rowLength, indices) {
    for (let r = 0; r < indices.length; r++) {
      const to = indices[r]! * rowLength,
        from = r * rowLength;
      for (let i = 0; i < rowLength; i++) out[to + i]! += x[from + i]!;
    }
  },
  transpose: transposeKernel,
  ...convolutionKernels,
  conv2d(out, x, w, shape) {
    conv2dByColumns(jsKernels, out, x, w, shape);
  },
  conv2dBackwardInput(dx, g, w, shape) {
    conv2dBackwardInputByColumns(jsKernels, dx, g, w, shape);
  },
  conv2dBackwardWeight(dw, x, g, shape) {
    conv2dBackwardWeightByColumns(jsKernels, dw, x, g, shape);
  },
  softmaxCrossEntropy(probs, scores, labels, n, c) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const row = i * c;
      let m = -Infinity;
      for (let j = 0; j < c; j++) if (scores[row + j]! > m) m = scores[row + j]!;
      let z = 0;
      for (let j = 0; j < c; j++) {
        const e = Math.exp(scores[row + j]! - m);
        probs[row + j] = e;
        z += e;
      }
      for (let j = 0; j < c; j++) probs[row + j] = probs[row + j]! / z;
      total += Math.log(z) - (scores[row + labels[i]!]! - m);
    }
    return total;
  },
  multiclassHinge(coefficients, scores, labels, n, c, delta) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const row = i * c;
      const y = labels[i]!;
      const correct = scores[row + y]!;
      let positive = 0;
      for (let j = 0; j < c; j++) {
        if (j === y) continue;
        const margin = scores[row + j]! - correct + delta;
        if (margin > 0) {
          total += margin;
          positive++;
          coefficients[row + j] = 1;
        } else if (Number.isNaN(margin)) {
          total += margin;
          positive += margin;
          coefficients[row + j] = margin;
        } // NaN in, NaN out
        else coefficients[row + j] = 0;
      }
      coefficients[row + y] = positive === 0 ? 0 : -positive; // not −0
    }
    return total;
  },
};
