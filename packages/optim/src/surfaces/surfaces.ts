/**
 * 2-D loss surfaces for watching optimizers work. Each is written once over a small arithmetic
 * interface, so the same formula evaluates on numbers here and on autograd Vars in the examples
 * (where grad(grad(f)) gives Newton's Hessian); the analytic gradient is written out beside it.
 */

/** The arithmetic a surface's formula uses: numbers, or any differentiable type. */
export interface Arithmetic<T> {
  /** The number `value` as a T. */
  constant(value: number): T;
  /** a + b. */
  add(a: T, b: T): T;
  /** a − b. */
  sub(a: T, b: T): T;
  /** a · b. */
  mul(a: T, b: T): T;
  /** eᵃ. */
  exp(a: T): T;
}

/** Plain numbers. */
export const numberArithmetic: Arithmetic<number> = {
  constant: (v) => v,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  exp: Math.exp,
};

/** A 2-D function with its analytic gradient, its minima, a plotting window and a start point. */
export interface Surface {
  /** A short id for URLs and command lines ("rosenbrock"). */
  name: string;
  /** A heading with the formula, for plots ("Rosenbrock (1 − x)² + 100(y − x²)²"). */
  title: string;
  /** The formula, over any arithmetic. */
  expression<T>(ops: Arithmetic<T>, x: T, y: T): T;
  /** f(x, y) on plain numbers: `expression` over `numberArithmetic`. */
  f(x: number, y: number): number;
  /** The analytic gradient (∂f/∂x, ∂f/∂y), written out by hand. */
  gradient(x: number, y: number): [number, number];
  /** Known minima, the global one first (empty for the saddle). */
  minima: [number, number][];
  /** The plotting window: the ranges [low, high] of x and of y. */
  domain: {
    /** The range of x shown. */
    x: [number, number];
    /** The range of y shown. */
    y: [number, number];
  };
  /** Where the optimizers start, (x, y). */
  start: [number, number];
  /** Steps that show the optimizers' behaviour from `start`. */
  steps: number;
  /** Learning rates that work on this surface from `start`, per optimizer (they differ by orders of magnitude). */
  learningRates: {
    /** For plain SGD. */
    SGD: number;
    /** For SGD with momentum. */
    Momentum: number;
    /** For Nesterov momentum. */
    Nesterov: number;
    /** For AdaGrad. */
    AdaGrad: number;
    /** For RMSProp. */
    RMSProp: number;
    /** For Adam. */
    Adam: number;
  };
}

function surface(definition: Omit<Surface, "f">): Surface {
  return { ...definition, f: (x, y) => definition.expression(numberArithmetic, x, y) };
}

/**
 * The lecture's "poor gradients" bowl (a taco shell): f = ½(0.1·x² + 2·y²), steep along y and
 * shallow along x, so SGD jitters across and crawls along. Minimum at (0, 0).
 */
export const quadraticBowl = surface({
  name: "quadratic-bowl",
  title: "Ill-conditioned bowl ½(0.1x² + 2y²)",
  expression: (o, x, y) =>
    o.mul(o.constant(0.5), o.add(o.mul(o.constant(0.1), o.mul(x, x)), o.mul(o.constant(2), o.mul(y, y)))),
  gradient: (x, y) => [0.1 * x, 2 * y],
  minima: [[0, 0]],
  domain: { x: [-10, 10], y: [-3, 3] },
  start: [-8, 2],
  steps: 80,
  learningRates: { SGD: 0.4, Momentum: 0.1, Nesterov: 0.1, AdaGrad: 1.5, RMSProp: 0.1, Adam: 0.5 },
});

/** Rosenbrock's banana valley: (1 − x)² + 100(y − x²)², minimum at (1, 1). */
export const rosenbrock = surface({
  name: "rosenbrock",
  title: "Rosenbrock (1 − x)² + 100(y − x²)²",
  expression: (o, x, y) => {
    const a = o.sub(o.constant(1), x);
    const b = o.sub(y, o.mul(x, x));
    return o.add(o.mul(a, a), o.mul(o.constant(100), o.mul(b, b)));
  },
  gradient: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
  minima: [[1, 1]],
  domain: { x: [-2, 2], y: [-1, 3] },
  start: [-1.5, 2],
  steps: 400,
  learningRates: { SGD: 1e-3, Momentum: 2e-4, Nesterov: 2e-4, AdaGrad: 0.3, RMSProp: 0.01, Adam: 0.05 },
});

/** Beale's function: Σ (cᵢ − x + x·yⁱ)² for c = 1.5, 2.25, 2.625; minimum at (3, 0.5). */
export const beale = surface({
  name: "beale",
  title: "Beale",
  expression: (o, x, y) => {
    let total = o.constant(0);
    let power = y;
    for (const c of [1.5, 2.25, 2.625]) {
      const term = o.add(o.sub(o.constant(c), x), o.mul(x, power));
      total = o.add(total, o.mul(term, term));
      power = o.mul(power, y);
    }
    return total;
  },
  gradient: (x, y) => {
    let gx = 0,
      gy = 0;
    [1.5, 2.25, 2.625].forEach((c, k) => {
      const i = k + 1;
      const term = c - x + x * y ** i;
      gx += 2 * term * (y ** i - 1);
      gy += 2 * term * x * i * y ** (i - 1);
    });
    return [gx, gy];
  },
  minima: [[3, 0.5]],
  domain: { x: [-4.5, 4.5], y: [-4.5, 4.5] },
  start: [1, 1.5],
  steps: 300,
  learningRates: { SGD: 0.01, Momentum: 0.002, Nesterov: 0.002, AdaGrad: 0.3, RMSProp: 0.01, Adam: 0.05 },
});

/** A saddle x² − y²: zero gradient at the origin, which is not a minimum; descent escapes along y. */
export const saddle = surface({
  name: "saddle",
  title: "Saddle x² − y²",
  expression: (o, x, y) => o.sub(o.mul(x, x), o.mul(y, y)),
  gradient: (x, y) => [2 * x, -2 * y],
  minima: [],
  domain: { x: [-2, 2], y: [-2, 2] },
  start: [-1.5, 0.001],
  steps: 60,
  learningRates: { SGD: 0.05, Momentum: 0.02, Nesterov: 0.02, AdaGrad: 0.3, RMSProp: 0.05, Adam: 0.1 },
});

/** Himmelblau's function: (x² + y − 11)² + (x + y² − 7)², four minima of value 0. */
export const himmelblau = surface({
  name: "himmelblau",
  title: "Himmelblau (x² + y − 11)² + (x + y² − 7)²",
  expression: (o, x, y) => {
    const a = o.sub(o.add(o.mul(x, x), y), o.constant(11));
    const b = o.sub(o.add(x, o.mul(y, y)), o.constant(7));
    return o.add(o.mul(a, a), o.mul(b, b));
  },
  gradient: (x, y) => {
    const a = x * x + y - 11,
      b = x + y * y - 7;
    return [4 * x * a + 2 * b, 2 * a + 4 * y * b];
  },
  minima: [
    [3, 2],
    [-2.805118, 3.131312],
    [-3.77931, -3.283186],
    [3.584428, -1.848126],
  ],
  domain: { x: [-5, 5], y: [-5, 5] },
  start: [0, 0],
  steps: 150,
  learningRates: { SGD: 0.005, Momentum: 0.001, Nesterov: 0.001, AdaGrad: 0.5, RMSProp: 0.05, Adam: 0.1 },
});

/** The roots of 4x³ − 4x + 0.3 near −1 and 1, by Newton's method: where the two-minima surface bottoms out. */
function twoMinimaRoot(guess: number): number {
  let x = guess;
  for (let i = 0; i < 50; i++) x -= (4 * x ** 3 - 4 * x + 0.3) / (12 * x ** 2 - 4);
  return x;
}

/**
 * A local and a global minimum: (x² − 1)² + 0.3x + y². The tilt makes the left well (x ≈ −1.04)
 * global and the right one (x ≈ 0.96) local; a start on the right shows optimizers getting stuck.
 */
export const twoMinima = surface({
  name: "two-minima",
  title: "Two minima (x² − 1)² + 0.3x + y²",
  expression: (o, x, y) => {
    const a = o.sub(o.mul(x, x), o.constant(1));
    return o.add(o.add(o.mul(a, a), o.mul(o.constant(0.3), x)), o.mul(y, y));
  },
  gradient: (x, y) => [4 * x * (x * x - 1) + 0.3, 2 * y],
  minima: [
    [twoMinimaRoot(-1), 0],
    [twoMinimaRoot(1), 0],
  ],
  domain: { x: [-2, 2], y: [-1.5, 1.5] },
  start: [1.8, 1.2],
  steps: 150,
  learningRates: { SGD: 0.05, Momentum: 0.01, Nesterov: 0.01, AdaGrad: 0.5, RMSProp: 0.05, Adam: 0.1 },
});

/** Every surface, by name. */
export const surfaces: Record<string, Surface> = Object.fromEntries(
  [quadraticBowl, rosenbrock, beale, saddle, himmelblau, twoMinima].map((s) => [s.name, s]),
);
