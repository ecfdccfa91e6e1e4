import {
  Rng,
  type RngState,
  ShapeError,
  type Tensor,
  ValueError,
  formatShape,
  fromData,
  gather,
  sameShape,
  sizeOf,
} from "@slope/core";
import { ownedArray, ownedIndices, ownedView } from "@slope/core/internal";
import { checkChoice, checkOptions } from "./options.js";
import { type BatchTransform, type ImageShape, batchImageShape, imageSize } from "./augment/transform.js";
import { ImageFeatures } from "./preprocess/features.js";
import { BatchSampler } from "./samplers/batch-sampler.js";
import { RandomSampler } from "./samplers/random-sampler.js";
import type { Sampler, SamplerState } from "./samplers/sampler.js";
import { SequentialSampler } from "./samplers/sequential-sampler.js";

/** A mini-batch: rows of x and their labels. Both are reused buffers: copy them to keep them past the next batch. */
export interface Batch {
  /** The batch's rows of x, [batchSize, …] (the last batch may be smaller). */
  x: Tensor;
  /** Their labels. */
  y: Int32Array;
  /**
   * The dataset rows this batch holds: a view of the epoch's order (in the kernel memory, where the gather reads it),
   * rewritten when the next epoch begins: copy it (`slice()`) to keep it longer.
   */
  indices: Int32Array;
}

/** Options of DataLoader. */
export interface DataLoaderOptions {
  /** Rows per batch (required). */
  batchSize: number;
  /** Random order each epoch (needs rng), or sequential. Ignored when `sampler` is given. */
  shuffle?: boolean;
  /** The generator that shuffles (needed for shuffle). */
  rng?: Rng;
  /** The order of the rows, in place of shuffle/rng (any Sampler: Sequential, Random, Replacement, …). */
  sampler?: Sampler;
  /** Leave out a last batch smaller than batchSize (off by default). */
  dropLast?: boolean;
  /**
   * Applied to each batch's images after they are gathered (augmentation: randomCrop,
   * randomHorizontalFlip, compose): the data set itself is never changed. Needs `transformRng`.
   */
  transform?: BatchTransform;
  /** The generator the transform draws from; the loader owns it and saves it in its state. */
  transformRng?: Rng;
  /** The shape [C, H, W] of one image, for flat rows [N, D] other than CIFAR's 3072 = [3, 32, 32]. */
  imageShape?: ImageShape;
}

/** Where a DataLoader is: the epoch, the next batch, and the sampler's state at the epoch's start. */
export interface DataLoaderState {
  /** Epochs completed before the saved one. */
  epoch: number;
  /** The next batch of that epoch. */
  batch: number;
  /** The sampler's state when that epoch began, which gives the epoch's order again. */
  samplerAtEpochStart: SamplerState;
  /** The transform's generator as the next batch will find it (absent or null without a transform). */
  transformRng?: RngState | null;
}

/**
 * Mini-batches over an in-memory data set: x [N, ...] (a tensor, or uint8 images made into
 * features a batch at a time by an ImageFeatures) and labels y [N]. Full batch (BGD), batch 1
 * (SGD) and mini-batch (MBGD) are just batch sizes. Rows are gathered into a buffer allocated once
 * per batch shape and reused, so the steady state allocates no tensors. Iterating the loader gives
 * one epoch; `stateDict()` saved mid-epoch resumes at the next batch, in the same order.
 * A `transform` (augmentation) works on each batch in its buffer, drawing from the loader's own
 * `transformRng`, whose state is saved too: a resumed loader gives the uninterrupted run's bits.
 */
export class DataLoader implements Iterable<Batch> {
  /** Cuts the sampler's order into batches. */
  readonly batchSampler: BatchSampler;
  /** How many epochs have been completed. */
  epoch = 0;
  private nextBatch = 0;
  private order: Int32Array | null = null;
  /** Where the epoch's order is kept: the kernel memory, where a gather reads the batch's row indices in place. */
  private orderStorage: Int32Array | null = null;
  private samplerAtEpochStart: SamplerState;
  private readonly buffers = new Map<number, { gathered: Tensor; x: Tensor; y: Int32Array }>();
  /** The augmentation applied to each batch's images, or null. */
  readonly transform: BatchTransform | null;
  private transformRng: Rng | null;
  /** One gathered image, [C, H, W], as the transform takes it. */
  private readonly imageShape: ImageShape | null = null;
  /** A batch's shape after the transform, without its first axis. */
  private readonly transformedShape: readonly number[];

  /**
   * @param x The data set's rows, [N, …]: a tensor, or uint8 images made into features a batch at a time.
   * @param y The label of each row, N of them.
   */
  constructor(
    readonly x: Tensor | ImageFeatures,
    readonly y: ArrayLike<number>,
    options: DataLoaderOptions,
  ) {
    checkOptions("DataLoader", options, [
      "batchSize",
      "shuffle",
      "rng",
      "sampler",
      "dropLast",
      "transform",
      "transformRng",
      "imageShape",
    ]);
    if (options === undefined) throw new ValueError("DataLoader: options with a batchSize are required");
    checkChoice("DataLoader", "shuffle", options.shuffle, [true, false]);
    checkChoice("DataLoader", "dropLast", options.dropLast, [true, false]);
    const n = x.shape[0] ?? 0;
    if (y.length !== n) throw new ValueError(`DataLoader: ${formatShape(x.shape)} rows of x but ${y.length} labels`);
    if (options.shuffle && !options.rng && !options.sampler)
      throw new ValueError("DataLoader: shuffle needs an rng: { shuffle: true, rng: new Rng(seed) }");
    const sampler =
      options.sampler ?? (options.shuffle ? new RandomSampler(n, { rng: options.rng! }) : new SequentialSampler(n));
    // Its indices must be rows of x: a sampler over another data set would read past the end or miss rows.
    const population = sampler.populationSize ?? sampler.length;
    if (population !== n) {
      throw new ValueError(`DataLoader: the sampler draws from ${population} rows, the data set has ${n}`);
    }
    this.batchSampler = new BatchSampler(sampler, options.batchSize, options.dropLast ?? false);
    this.samplerAtEpochStart = sampler.stateDict();
    this.transform = options.transform ?? null;
    this.transformRng = options.transformRng ?? null;
    this.transformedShape = x.shape.slice(1);
    if (this.transform) {
      if (typeof this.transformRng?.uniform !== "function") {
        throw new ValueError(
          "DataLoader: a transform needs an rng of its own: " + "{ transform, transformRng: new Rng(seed) }",
        );
      }
      // Shared, the sampler's saved state would miss the transform's draws and a resumed run would differ.
      if (this.transformRng === options.rng) {
        throw new ValueError("DataLoader: transformRng must be a generator of its own, not the shuffle's rng");
      }
      this.imageShape = batchImageShape("DataLoader", x.shape, options.imageShape);
      const out = this.transform.outputShape(this.imageShape);
      if (x.shape.length === 3 && out[0] !== 1) {
        throw new ShapeError(
          `DataLoader: the transform makes images of ${formatShape(out)} ` + "from one-channel images [N, H, W]",
        );
      }
      this.transformedShape = x.shape.length === 2 ? [imageSize(out)] : x.shape.length === 3 ? [out[1], out[2]] : out;
    }
  }

  /** Batches per epoch. */
  get length(): number {
    return this.batchSampler.length;
  }

  private buffer(size: number): { gathered: Tensor; x: Tensor; y: Int32Array } {
    let b = this.buffers.get(size);
    if (!b) {
      const shape = [size, ...this.x.shape.slice(1)],
        transformed = [size, ...this.transformedShape];
      // Kept across batches, so never a reused step's scratch; in the kernel memory, where the
      // step's products read it without copying it in. A transform works in place, in room for
      // the larger of the gathered and the transformed batch; each view keeps that storage alive.
      const data = ownedArray(this.x.dtype, Math.max(sizeOf(shape), sizeOf(transformed)));
      const gathered = fromData(ownedView(data, 0, sizeOf(shape)), shape);
      const x = sameShape(shape, transformed)
        ? gathered
        : fromData(ownedView(data, 0, sizeOf(transformed)), transformed);
      b = { gathered, x, y: new Int32Array(size) };
      this.buffers.set(size, b);
    }
    return b;
  }

  /**
   * The next batch, starting a new epoch (and a new order) when the last one is used up. `epoch`
   * counts the epochs finished: it moves on when the batch after an epoch's last is asked for (or a
   * `for…of` over the epoch ends), never while that last batch is still in hand.
   */
  next(): Batch {
    const sampler = this.batchSampler.sampler;
    if (this.length === 0) {
      throw new ValueError(
        `DataLoader: no batches: ${sampler.length} samples make no batch of ` +
          `${this.batchSampler.batchSize}${this.batchSampler.dropLast ? " with dropLast" : ""}`,
      );
    }
    this.finishEpoch();
    if (this.order === null) {
      this.samplerAtEpochStart = sampler.stateDict();
      this.order = this.keep(sampler.order());
    }
    const size = this.batchSampler.batchSize;
    const start = this.nextBatch * size;
    const indices = ownedView(this.order, start, Math.min(start + size, this.order.length));
    const buffer = this.buffer(indices.length);
    if (this.x instanceof ImageFeatures) this.x.gather(indices, { out: buffer.gathered });
    else gather(this.x, indices, { out: buffer.gathered });
    this.transform?.apply(buffer.gathered.data, indices.length, this.imageShape!, this.transformRng!);
    for (let i = 0; i < indices.length; i++) buffer.y[i] = this.y[indices[i]!]!;
    this.nextBatch++;
    return { x: buffer.x, y: buffer.y, indices };
  }

  /** Once the epoch's last batch has been handed out: counts the epoch and readies the next one. */
  private finishEpoch(): void {
    if (this.length === 0 || this.nextBatch < this.length) return;
    this.nextBatch = 0;
    this.order = null;
    this.epoch++;
    this.samplerAtEpochStart = this.batchSampler.sampler.stateDict(); // what the next epoch's order is drawn from
  }

  /** The rest of the current epoch (all of it, at an epoch boundary). */
  *[Symbol.iterator](): Iterator<Batch> {
    if (this.length === 0) return;
    this.finishEpoch();
    try {
      while (this.nextBatch < this.length) yield this.next();
    } finally {
      this.finishEpoch(); // the loop has let go of the last batch (stopped early, nothing changes)
    }
  }

  /** The position as plain JSON; after an epoch's last batch, that of the next epoch's start. */
  stateDict(): DataLoaderState {
    const done = this.length > 0 && this.nextBatch >= this.length;
    return {
      epoch: done ? this.epoch + 1 : this.epoch,
      batch: done ? 0 : this.nextBatch,
      samplerAtEpochStart: done ? this.batchSampler.sampler.stateDict() : this.samplerAtEpochStart,
      transformRng: this.transformRng?.state() ?? null,
    };
  }

  /**
   * Restores a saved position: the epoch's order is drawn again from the saved sampler state.
   * The whole state is checked (epoch, batch, the sampler's and the transform's generators) before
   * anything changes: a bad one is a ValueError and leaves the loader as it was.
   */
  loadStateDict(state: DataLoaderState): void {
    const where = "DataLoader.loadStateDict";
    if (typeof state !== "object" || state === null || Array.isArray(state)) {
      const got = state === null ? "null" : Array.isArray(state) ? "an array" : typeof state;
      throw new ValueError(`${where}: expected the object returned by stateDict(), got ${got}`);
    }
    for (const name of Object.keys(state)) {
      if (!["epoch", "batch", "samplerAtEpochStart", "transformRng"].includes(name)) {
        throw new ValueError(`${where}: unknown entry ${JSON.stringify(name)} in the state`);
      }
    }
    if (!Number.isSafeInteger(state.epoch) || state.epoch < 0) {
      throw new ValueError(`${where}: epoch must be a whole number ≥ 0, got ${String(state.epoch)}`);
    }
    if (!Number.isSafeInteger(state.batch) || state.batch < 0 || state.batch >= Math.max(this.length, 1)) {
      throw new ValueError(
        `${where}: batch must be a whole number in [0, ${Math.max(this.length, 1)}), ` + `got ${String(state.batch)}`,
      );
    }
    if (typeof state.samplerAtEpochStart !== "object" || state.samplerAtEpochStart === null) {
      throw new ValueError(`${where}: the state has no samplerAtEpochStart`);
    }
    if (this.transform && !state.transformRng) {
      throw new ValueError(
        `${where}: this loader has a transform but the state has no transformRng ` + "(saved by a loader without one?)",
      );
    }
    if (!this.transform && state.transformRng !== undefined && state.transformRng !== null) {
      throw new ValueError(`${where}: the state has a transformRng but this loader has no transform`);
    }
    let transformRng = this.transformRng;
    if (this.transform) {
      try {
        transformRng = Rng.fromState(state.transformRng!);
      } catch (error) {
        throw new ValueError(`${where}: a bad transformRng: ${(error as Error).message}`);
      }
    }
    const sampler = this.batchSampler.sampler;
    sampler.loadStateDict(state.samplerAtEpochStart); // checks its state completely before changing
    this.epoch = state.epoch;
    this.nextBatch = state.batch;
    this.samplerAtEpochStart = state.samplerAtEpochStart;
    this.transformRng = transformRng;
    this.orderStorage = null; // batches handed out before keep their indices: the restored order gets storage of its own
    this.order = state.batch > 0 ? this.keep(sampler.order()) : null;
  }

  /** An epoch's order, copied into the loader's storage for it (made once per length). */
  private keep(order: Int32Array): Int32Array {
    if (this.orderStorage?.length !== order.length) this.orderStorage = ownedIndices(order.length);
    this.orderStorage.set(order);
    return this.orderStorage;
  }
}
