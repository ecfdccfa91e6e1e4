import { type Var, add, constant, exp, grad, mul, reshape, slice, sub, sum } from "@slope/autograd";
import { scalar, tensor } from "@slope/core";
import type { Arithmetic, Surface, TrajectoryPoint } from "@slope/optim";

/** Autograd Vars as a surface's arithmetic, so the same formula can be differentiated twice. */
const varArithmetic: Arithmetic<Var> = {
  constant: (v) => constant(scalar(v, "float64")),
  add,
  sub,
  mul,
  exp,
};

/** The surface as a function of one Var p = [x, y]. */
function asVarFunction(surface: Surface): (p: Var) => Var {
  return (p) => surface.expression(varArithmetic, reshape(slice(p, [0], [1]), []), reshape(slice(p, [1], [1]), []));
}

/**
 * The gradient and the Hessian of a surface at (x, y), both by automatic differentiation: the
 * Hessian's row i is ∇ of ∂f/∂pᵢ, i.e. grad of p ↦ ⟨∇f(p), eᵢ⟩ (grad(grad(f)) in effect).
 */
export function gradientAndHessian(
  surface: Surface,
  x: number,
  y: number,
): { gradient: [number, number]; hessian: [[number, number], [number, number]] } {
  const f = asVarFunction(surface);
  const at = tensor([x, y], { dtype: "float64" });
  const g = grad(f)(at).value.data;
  const row = (i: number) =>
    grad((p) => sum(mul(grad(f)(p), tensor(i === 0 ? [1, 0] : [0, 1], { dtype: "float64" }))))(at).value.data;
  const [h00, h01] = row(0) as unknown as [number, number];
  const [h10, h11] = row(1) as unknown as [number, number];
  return {
    gradient: [g[0]!, g[1]!],
    hessian: [
      [h00, h01],
      [h10, h11],
    ],
  };
}

/**
 * Newton's method, x ← x − H⁻¹∇f, with H and ∇f from autograd: quadratic convergence near a
 * minimum with a positive-definite Hessian. Stops early if H is singular.
 */
export function newtonTrajectory(
  surface: Surface,
  { steps, start = surface.start }: { steps: number; start?: [number, number] },
): TrajectoryPoint[] {
  let [x, y] = start;
  const points: TrajectoryPoint[] = [{ x, y, loss: surface.f(x, y) }];
  for (let s = 0; s < steps; s++) {
    const {
      gradient: [gx, gy],
      hessian: [[a, b], [c, d]],
    } = gradientAndHessian(surface, x, y);
    const det = a * d - b * c;
    if (!Number.isFinite(det) || Math.abs(det) < 1e-300) break;
    x -= (d * gx - b * gy) / det;
    y -= (-c * gx + a * gy) / det;
    points.push({ x, y, loss: surface.f(x, y) });
  }
  return points;
}
