import { type DType, type Rng, type Tensor, ValueError, fromData } from "@slope/core";
import { allocate } from "@slope/core/internal";
import { checkChoice, checkOptions } from "../options.js";

/** A 2-D toy data set: points [N, 2] and their labels. */
export interface Points2D {
  /** The points, [N, 2]. */
  x: Tensor;
  /** Each point's class. */
  y: Int32Array;
}

function check(where: string, count: number, classes: number, rng: Rng, options: object, spread: string): void {
  checkOptions(where, options, ["count", "classes", spread, "rng", "dtype"]);
  checkChoice(where, "dtype", (options as { dtype?: unknown }).dtype, ["float32", "float64"]);
  if (!Number.isInteger(count) || count < 0)
    throw new ValueError(`${where}: count must be a non-negative integer, got ${count}`);
  if (!Number.isInteger(classes) || classes < 1)
    throw new ValueError(`${where}: classes must be a positive integer, got ${classes}`);
  if (!rng) throw new ValueError(`${where}: an rng is required`);
}

/**
 * Gaussian blobs: class k centred on the circle of radius 2 at angle 2πk/classes, spread `std`.
 * Linearly separable for small spread: the linear-classifier demo's data.
 */
export function gaussianBlobs(options: {
  count: number;
  classes?: number;
  std?: number;
  rng: Rng;
  dtype?: DType;
}): Points2D {
  const { count, classes = 3, std = 0.5, rng, dtype = "float64" } = options ?? {};
  check("gaussianBlobs", count, classes, rng, options, "std");
  const x = allocate(dtype, count * 2);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % classes;
    const angle = (2 * Math.PI * k) / classes;
    x[2 * i] = 2 * Math.cos(angle) + std * rng.normal();
    x[2 * i + 1] = 2 * Math.sin(angle) + std * rng.normal();
    y[i] = k;
  }
  return { x: fromData(x, [count, 2]), y };
}

/**
 * The course's spiral data: `classes` arms winding out from the origin; point j of arm k has
 * radius r = j/(n−1) and angle 4k + 4r (radians) plus noise. Not linearly separable: a two-layer net's data.
 */
export function spirals(options: {
  count: number;
  classes?: number;
  noise?: number;
  rng: Rng;
  dtype?: DType;
}): Points2D {
  const { count, classes = 3, noise = 0.2, rng, dtype = "float64" } = options ?? {};
  check("spirals", count, classes, rng, options, "noise");
  const perClass = Math.ceil(count / classes);
  const x = allocate(dtype, count * 2);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % classes;
    const j = Math.floor(i / classes);
    const r = perClass > 1 ? j / (perClass - 1) : 0;
    const t = k * 4 + 4 * r + noise * rng.normal();
    x[2 * i] = r * Math.sin(t);
    x[2 * i + 1] = r * Math.cos(t);
    y[i] = k;
  }
  return { x: fromData(x, [count, 2]), y };
}
