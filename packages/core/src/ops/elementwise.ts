import { allocateOutput } from "../buffers.js";
import { ValueError } from "../errors.js";
import { type BinaryOp, type UnaryOp, kernels } from "../kernels/index.js";
import { broadcastShapes, sizeOf } from "../shape.js";
import { Tensor, checkTensor } from "../tensor.js";
import { scalar } from "../create.js";
import { type Operand, broadcastView, toTensors } from "./operands.js";

function binary(op: BinaryOp, a: Operand, b: Operand): Tensor {
  const [ta, tb] = toTensors(op, a, b) as [Tensor, Tensor];
  const shape = broadcastShapes(ta.shape, tb.shape, op);
  const out = allocateOutput(ta.dtype, sizeOf(shape));
  kernels().binary(op, out, shape, broadcastView(ta, shape), broadcastView(tb, shape));
  return new Tensor(out, shape);
}

function unary(op: UnaryOp, x: Tensor): Tensor {
  checkTensor(x, op);
  const out = allocateOutput(x.dtype, x.size);
  kernels().unary(op, out, x.data);
  return new Tensor(out, x.shape);
}

/** a + b, with numpy broadcasting. */
export const add = (a: Operand, b: Operand): Tensor => binary("add", a, b);
/** a − b, with numpy broadcasting. */
export const sub = (a: Operand, b: Operand): Tensor => binary("sub", a, b);
/** a · b elementwise, with numpy broadcasting. */
export const mul = (a: Operand, b: Operand): Tensor => binary("mul", a, b);
/** a / b elementwise, with numpy broadcasting. */
export const div = (a: Operand, b: Operand): Tensor => binary("div", a, b);
/** a^b elementwise (Math.pow), with numpy broadcasting. */
export const pow = (a: Operand, b: Operand): Tensor => binary("pow", a, b);
/** max(a, b) elementwise; NaN if either is NaN. */
export const maximum = (a: Operand, b: Operand): Tensor => binary("maximum", a, b);
/** min(a, b) elementwise; NaN if either is NaN. */
export const minimum = (a: Operand, b: Operand): Tensor => binary("minimum", a, b);
/** 1 where a = b, else 0 (in the operands' dtype). */
export const equal = (a: Operand, b: Operand): Tensor => binary("equal", a, b);
/** 1 where a ≠ b, else 0. */
export const notEqual = (a: Operand, b: Operand): Tensor => binary("notEqual", a, b);
/** 1 where a > b, else 0. */
export const greater = (a: Operand, b: Operand): Tensor => binary("greater", a, b);
/** 1 where a ≥ b, else 0. */
export const greaterEqual = (a: Operand, b: Operand): Tensor => binary("greaterEqual", a, b);
/** 1 where a < b, else 0. */
export const less = (a: Operand, b: Operand): Tensor => binary("less", a, b);
/** 1 where a ≤ b, else 0. */
export const lessEqual = (a: Operand, b: Operand): Tensor => binary("lessEqual", a, b);

/** −x. */
export const neg = (x: Tensor): Tensor => unary("neg", x);
/** eˣ. */
export const exp = (x: Tensor): Tensor => unary("exp", x);
/** ln x (NaN below 0, −∞ at 0). */
export const log = (x: Tensor): Tensor => unary("log", x);
/** √x. */
export const sqrt = (x: Tensor): Tensor => unary("sqrt", x);
/** x². */
export const square = (x: Tensor): Tensor => unary("square", x);
/** |x|. */
export const abs = (x: Tensor): Tensor => unary("abs", x);
/** sign(x) ∈ {−1, 0, 1}. */
export const sign = (x: Tensor): Tensor => unary("sign", x);
/** 1/x. */
export const reciprocal = (x: Tensor): Tensor => unary("reciprocal", x);
/** tanh x. */
export const tanh = (x: Tensor): Tensor => unary("tanh", x);
/** σ(x) = 1/(1 + e^−x), computed without overflow for large |x|. */
export const sigmoid = (x: Tensor): Tensor => unary("sigmoid", x);
/** max(0, x). */
export const relu = (x: Tensor): Tensor => unary("relu", x);
/** The Heaviside step 1(x > 0): the derivative of relu. */
export const step = (x: Tensor): Tensor => unary("step", x);
/** sin x (x in radians). */
export const sin = (x: Tensor): Tensor => unary("sin", x);
/** cos x (x in radians). */
export const cos = (x: Tensor): Tensor => unary("cos", x);
/** ln(1 + x), accurate where x is tiny (where log(1 + x) loses every digit of x). */
export const log1p = (x: Tensor): Tensor => unary("log1p", x);
/** eˣ − 1, accurate where x is tiny (where exp(x) − 1 loses every digit of x). */
export const expm1 = (x: Tensor): Tensor => unary("expm1", x);
/** The error function erf x = 2/√π ∫₀ˣ e^(−t²) dt, within 1 ulp in float64 (fdlibm's method, special/erf.ts). */
export const erf = (x: Tensor): Tensor => unary("erf", x);

/** min(max(x, low), high) elementwise. */
export function clip(x: Tensor, low: number, high: number): Tensor {
  checkTensor(x, "clip");
  if (!(low <= high)) throw new ValueError(`clip: expected low ≤ high, got low = ${low}, high = ${high}`);
  const out = allocateOutput(x.dtype, x.size);
  kernels().clip(out, x.data, low, high);
  return new Tensor(out, x.shape);
}

/** cond ≠ 0 ? a : b elementwise, all three broadcast together; cond may be of either dtype. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  checkTensor(cond, "where", "cond");
  const [ta, tb] = (
    typeof a === "number" && typeof b === "number"
      ? [scalar(a, cond.dtype), scalar(b, cond.dtype)]
      : toTensors("where", a, b)
  ) as [Tensor, Tensor];
  const shape = broadcastShapes(cond.shape, broadcastShapes(ta.shape, tb.shape, "where"), "where");
  const out = allocateOutput(ta.dtype, sizeOf(shape));
  kernels().where(out, shape, broadcastView(cond, shape), broadcastView(ta, shape), broadcastView(tb, shape));
  return new Tensor(out, shape);
}
