import { ValueError, tensor } from "@slope/core";
import type { Optimizer, Parameter } from "../optimizer.js";
import { LBFGS } from "../optimizers/lbfgs.js";
import type { Surface } from "./surfaces.js";

/** One point of a trajectory: where the optimizer was and the loss there. */
export interface TrajectoryPoint {
  /** The x coordinate after this step. */
  x: number;
  /** The y coordinate after this step. */
  y: number;
  /** f(x, y) there. */
  loss: number;
}

/**
 * Runs an optimizer on a 2-D surface from `start` (the surface's own by default) for `steps`
 * steps, in float64, and returns the points visited, the start included. L-BFGS is driven
 * through its closure, one iteration per step.
 */
export function runTrajectory(
  surface: Surface,
  makeOptimizer: (params: Parameter[]) => Optimizer,
  { steps, start = surface.start }: { steps: number; start?: [number, number] },
): TrajectoryPoint[] {
  if (!Number.isInteger(steps) || steps < 0)
    throw new ValueError(`runTrajectory: steps must be a non-negative integer, got ${steps}`);
  const [x0, y0] = Array.isArray(start) && start.length === 2 ? start : [];
  if (typeof x0 !== "number" || typeof y0 !== "number" || !Number.isFinite(x0) || !Number.isFinite(y0)) {
    throw new ValueError(
      `runTrajectory: start must be a point [x, y] of two finite numbers, got ${JSON.stringify(start)}`,
    );
  }
  const point: Parameter = { value: tensor([x0, y0], { dtype: "float64" }), grad: null };
  const optimizer = makeOptimizer([point]);
  /** Where the optimizer has moved the point: its two coordinates. */
  const at = (): [number, number] => [point.value.data[0]!, point.value.data[1]!];
  const evaluate = () => {
    const [x, y] = at();
    point.grad = tensor(surface.gradient(x, y), { dtype: "float64" });
    return surface.f(x, y);
  };
  const here = (): TrajectoryPoint => {
    const [x, y] = at();
    return { x, y, loss: surface.f(x, y) };
  };
  const points = [here()];
  for (let s = 0; s < steps; s++) {
    if (optimizer instanceof LBFGS) optimizer.step(evaluate);
    else {
      evaluate();
      optimizer.step();
    }
    points.push(here());
  }
  return points;
}
