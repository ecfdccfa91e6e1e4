/** Base class of every error Slope throws on purpose: catch this to catch them all. */
export class SlopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together: `matmul: inner dimensions differ: [256, 3073] · [3072, 10]`. */
export class ShapeError extends SlopeError {}

/** A float32 tensor met a float64 one, or an unknown dtype was asked for. Cast explicitly. */
export class DTypeError extends SlopeError {}

/** An index, axis or label outside its range. */
export class IndexError extends SlopeError {}

/** An argument of the right type but a wrong value (a negative size, h ≤ 0, an unknown option). */
export class ValueError extends SlopeError {}

/** A file or buffer that is not in the format it should be: names the file and the byte offset. */
export class DataFormatError extends SlopeError {}

/**
 * A worker thread of `enableThreads` did not finish its part of a product in time (it died, or was stopped):
 * the threads are turned off, and the next products run on this thread.
 */
export class ThreadError extends SlopeError {}

/** Formats a shape the way messages show it: `[256, 3073]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
