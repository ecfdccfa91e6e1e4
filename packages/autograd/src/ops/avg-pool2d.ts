import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, record, toVar } from "../var.js";

/**
 * y = the averages of x over `windows` (average pooling, adaptive or not): y[·, i, j] = Σ_window x / |window|.
 * Linear, with ∂x = windowAverageBackward(G): each window's G shared evenly over it; that one's adjoint is this.
 */
export function windowAverage(input: VarLike, windows: core.WindowAverage): Var {
  const x = toVar(input);
  return record("windowAverage", internal.windowAverage(x.value, windows), [x], (g) => [
    windowAverageBackward(g, windows, x.shape),
  ]);
}

/** The adjoint of windowAverage, to x of `inputShape`; its own adjoint is windowAverage. */
export function windowAverageBackward(grad: VarLike, windows: core.WindowAverage, inputShape: readonly number[]): Var {
  const g = toVar(grad);
  return record("windowAverageBackward", internal.windowAverageBackward(g.value, windows, inputShape), [g], (h) => [
    windowAverage(h, windows),
  ]);
}

/** 2-D average pooling, PyTorch's windows and divisors (`countIncludePad`, default true, counts zero padding). */
export function avgPool2d(input: VarLike, options: core.AvgPool2dOptions): Var {
  const x = toVar(input);
  return windowAverage(x, internal.avgPoolWindows("avgPool2d", checkedPlanes(x, "avgPool2d"), options));
}

/** Adaptive average pooling to `outputSize` ([oh, ow], or one number for both): window i spans [⌊iH/oh⌋, ⌈(i+1)H/oh⌉). */
export function adaptiveAvgPool2d(input: VarLike, outputSize: core.Pair): Var {
  const x = toVar(input);
  return windowAverage(
    x,
    internal.adaptiveAvgPoolWindows("adaptiveAvgPool2d", checkedPlanes(x, "adaptiveAvgPool2d"), outputSize),
  );
}

function checkedPlanes(x: Var, where: string): Var {
  if (x.shape.length !== 4 && x.shape.length !== 3) {
    throw new core.ShapeError(
      `${where}: expected input [N, C, H, W] (or [C, H, W]), got shape ${core.formatShape(x.shape)}`,
    );
  }
  return x;
}
