import { Rng, ShapeError, ValueError, clone, gather, matmul, randn } from "@slope/core";
import { kernels } from "@slope/core/internal";
import { describe, expect, it } from "vitest";
import { compose } from "./augment/compose.js";
import { randomCrop } from "./augment/random-crop.js";
import { randomHorizontalFlip } from "./augment/random-horizontal-flip.js";
import { DataLoader } from "./data-loader.js";
import { ImageFeatures } from "./preprocess/features.js";
import { BatchSampler } from "./samplers/batch-sampler.js";
import { RandomSampler } from "./samplers/random-sampler.js";
import { ReplacementSampler } from "./samplers/replacement-sampler.js";
import { SequentialSampler } from "./samplers/sequential-sampler.js";

const rng = new Rng("loader");
const x = randn([23, 5], { rng });
const y = Int32Array.from({ length: 23 }, (_, i) => i % 4);

describe("DataLoader", () => {
  it("each batch equals the gathered rows and labels of its indices; an epoch covers every row once", () => {
    const loader = new DataLoader(x, y, { batchSize: 5, shuffle: true, rng: new Rng(1) });
    const seen: number[] = [];
    for (const batch of loader) {
      expect(Array.from(batch.x.data)).toEqual(Array.from(gather(x, batch.indices).data));
      expect(Array.from(batch.y)).toEqual(Array.from(batch.indices, (i) => y[i]));
      seen.push(...batch.indices);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(loader.epoch).toBe(1);
  });

  it("full batch, batch 1 and mini-batches are just batch sizes; dropLast drops the short one", () => {
    expect([...new DataLoader(x, y, { batchSize: 23 })].map((b) => b.x.shape[0])).toEqual([23]);
    expect([...new DataLoader(x, y, { batchSize: 1 })]).toHaveLength(23);
    expect([...new DataLoader(x, y, { batchSize: 10 })].map((b) => b.x.shape[0])).toEqual([10, 10, 3]);
    expect([...new DataLoader(x, y, { batchSize: 10, dropLast: true })].map((b) => b.x.shape[0])).toEqual([10, 10]);
  });

  it("reuses one buffer per batch size: no tensor is allocated in the steady state", () => {
    const loader = new DataLoader(x, y, { batchSize: 4, shuffle: true, rng: new Rng(2), dropLast: true });
    const first = loader.next();
    const buffers = new Set([first.x.data.buffer]);
    for (let i = 0; i < 50; i++) buffers.add(loader.next().x.data.buffer);
    expect(buffers.size).toBe(1);
  });

  it("keeps its batch in the WebAssembly kernels' memory, where products read it with the bits of a copy", () => {
    const wide = randn([300, 700], { rng: new Rng(4) });
    const loader = new DataLoader(wide, new Int32Array(300), { batchSize: 64, shuffle: true, rng: new Rng(5) });
    const w = randn([700, 30], { rng: new Rng(6) });
    const batch = loader.next();
    if (kernels().name.startsWith("wasm")) expect(batch.x.data.byteOffset).toBeGreaterThan(0); // a view into the module's memory
    expect(Buffer.from(matmul(batch.x, w).data.buffer).equals(Buffer.from(matmul(clone(batch.x), w).data.buffer))).toBe(
      true,
    );
    expect(
      Buffer.from(matmul(w, batch.x, { transposeA: true, transposeB: true }).data.buffer).equals(
        Buffer.from(matmul(w, clone(batch.x), { transposeA: true, transposeB: true }).data.buffer),
      ),
    ).toBe(true);
  });

  it("is deterministic from its rng and draws a new order each epoch", () => {
    const orders = (seed: number) => {
      const loader = new DataLoader(x, y, { batchSize: 23, shuffle: true, rng: new Rng(seed) });
      return [Array.from(loader.next().indices), Array.from(loader.next().indices)];
    };
    expect(orders(7)).toEqual(orders(7));
    const [e1, e2] = orders(7);
    expect(e1).not.toEqual(e2);
  });

  it("state saved mid-epoch resumes at the next batch in the same order", () => {
    const straight = new DataLoader(x, y, { batchSize: 4, shuffle: true, rng: new Rng(3) });
    const expected = Array.from({ length: 15 }, () => Array.from(straight.next().indices));
    const first = new DataLoader(x, y, { batchSize: 4, shuffle: true, rng: new Rng(3) });
    const got = Array.from({ length: 8 }, () => Array.from(first.next().indices)); // 6 batches per epoch: mid-epoch 2
    const saved = JSON.parse(JSON.stringify(first.stateDict()));
    const resumed = new DataLoader(x, y, { batchSize: 4, shuffle: true, rng: new Rng(12345) });
    resumed.loadStateDict(saved);
    for (let i = 0; i < 7; i++) got.push(Array.from(resumed.next().indices));
    expect(got).toEqual(expected);
    expect(resumed.epoch).toBe(2);
  });

  it("state saved at an epoch boundary resumes with the next epoch's order", () => {
    const straight = new DataLoader(x, y, { batchSize: 23, shuffle: true, rng: new Rng(5) });
    const expected = [straight.next(), straight.next(), straight.next()].map((b) => Array.from(b.indices));
    const first = new DataLoader(x, y, { batchSize: 23, shuffle: true, rng: new Rng(5) });
    first.next();
    const resumed = new DataLoader(x, y, { batchSize: 23, shuffle: true, rng: new Rng(6) });
    resumed.loadStateDict(JSON.parse(JSON.stringify(first.stateDict())));
    expect([resumed.next(), resumed.next()].map((b) => Array.from(b.indices))).toEqual(expected.slice(1));
  });

  it("takes any sampler, and checks its arguments", () => {
    const loader = new DataLoader(x, y, {
      batchSize: 8,
      sampler: new ReplacementSampler(23, { rng: new Rng(4), numSamples: 16 }),
    });
    expect(loader.length).toBe(2);
    expect(() => new DataLoader(x, y.subarray(1), { batchSize: 2 })).toThrow(/\[23, 5\] rows of x but 22 labels/);
    expect(() => new DataLoader(x, y, { batchSize: 2, shuffle: true })).toThrow(/shuffle needs an rng/);
  });
});

/** The first index where a and b differ bit for bit, or −1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe("DataLoader with a transform (augmentation)", () => {
  const images = Uint8Array.from({ length: 37 * 3072 }, (_, k) => (k * 2654435761) >>> 24);
  const cifar = () => compose([randomCrop({ size: 32, padding: 4 }), randomHorizontalFlip()]);
  type Source = ConstructorParameters<typeof DataLoader>[0];
  const loader = (x: Source, seed = 1, transformSeed = 2) =>
    new DataLoader(x, new Int32Array(37), {
      batchSize: 8,
      shuffle: true,
      rng: new Rng(seed),
      transform: cifar(),
      transformRng: new Rng(transformSeed),
    });
  const batches = (l: DataLoader, count: number) => Array.from({ length: count }, () => l.next().x.data.slice());

  it("each batch is the transform of its gathered rows, drawn from the loader's transformRng", () => {
    const x = new ImageFeatures(images, 37, { dtype: "float64", scale: 255 });
    const l = loader(x);
    const probe = new Rng(2),
      augment = cifar();
    for (let b = 0; b < 10; b++) {
      const batch = l.next();
      const expected = x.gather(batch.indices);
      augment.apply(expected.data, batch.indices.length, [3, 32, 32], probe);
      expect(firstDifference(batch.x.data, expected.data)).toBe(-1);
      expect(batch.x.shape).toEqual([batch.indices.length, 3072]);
    }
  });

  it("the same seeds give the same bits; another transform seed gives other bits and the same order", () => {
    const x = new ImageFeatures(images, 37);
    const a = batches(loader(x), 12),
      b = batches(loader(x), 12),
      c = batches(loader(x, 1, 3), 12); // 5 per epoch
    for (let k = 0; k < 12; k++) expect(firstDifference(a[k]!, b[k]!), `batch ${k}`).toBe(-1);
    expect(a.some((batch, k) => firstDifference(batch, c[k]!) !== -1)).toBe(true);
    const orders = (transformSeed: number) => Array.from(loader(x, 1, transformSeed).next().indices);
    expect(orders(2)).toEqual(orders(3));
  });

  it("state saved mid-epoch resumes with the uninterrupted run's bits, batch for batch, through the next epoch", () => {
    const float64 = new ImageFeatures(images, 37, { dtype: "float64" }).toTensor();
    for (const x of [new ImageFeatures(images, 37, { layout: "nchw" }), float64]) {
      const expected = batches(loader(x), 13);
      const first = loader(x);
      const got = batches(first, 7); // 5 batches per epoch: mid-epoch 2
      const saved = JSON.parse(JSON.stringify(first.stateDict()));
      const resumed = loader(x, 100, 200);
      resumed.loadStateDict(saved);
      got.push(...batches(resumed, 6));
      for (let k = 0; k < 13; k++) expect(firstDifference(got[k]!, expected[k]!), `batch ${k}`).toBe(-1);
    }
  });

  it("never changes the data set, only the batch, and reuses one buffer per batch size", () => {
    const x = new ImageFeatures(images, 37, { scale: 255 }).toTensor(),
      before = x.data.slice(),
      bytes = images.slice();
    const l = loader(x),
      lazy = loader(new ImageFeatures(images, 37));
    const buffers = new Set<ArrayBufferLike>(),
      offsets = new Set<number>();
    for (let k = 0; k < 20; k++) {
      const batch = l.next();
      lazy.next();
      if (batch.indices.length === 8) {
        buffers.add(batch.x.data.buffer);
        offsets.add(batch.x.data.byteOffset);
      }
    }
    expect(firstDifference(x.data, before)).toBe(-1);
    expect(firstDifference(images, bytes)).toBe(-1);
    if (!kernels().name.startsWith("wasm")) expect(buffers.size).toBe(1); // wasm: one shared memory for every buffer
    expect(offsets.size).toBe(1);
  });

  it("crops to another size: image-shaped batches stay image-shaped, flat rows stay flat", () => {
    const crop = randomCrop({ size: [28, 24] });
    const options = { batchSize: 8, transform: crop, transformRng: new Rng(3) };
    const nchw = new DataLoader(new ImageFeatures(images, 37, { layout: "nchw" }), new Int32Array(37), options).next();
    expect(nchw.x.shape).toEqual([8, 3, 28, 24]);
    const flatOptions = { ...options, transformRng: new Rng(3) };
    const flat = new DataLoader(new ImageFeatures(images, 37), new Int32Array(37), flatOptions).next();
    expect(flat.x.shape).toEqual([8, 3 * 28 * 24]);
    expect(firstDifference(nchw.x.data, flat.x.data)).toBe(-1);
    const one = randn([10, 6, 6], { rng: new Rng(4) });
    const oneOptions = { batchSize: 4, transform: randomCrop({ size: 4 }), transformRng: new Rng(5) };
    expect(new DataLoader(one, new Int32Array(10), oneOptions).next().x.shape).toEqual([4, 4, 4]);
  });

  it("names a missing or shared transformRng, rows that are not the images, a state without its rng", () => {
    const features = new ImageFeatures(images, 37);
    const labels = new Int32Array(37),
      transform = cifar(),
      rng = new Rng(1);
    const make = (x: Source, options: object) =>
      new DataLoader(x, labels.subarray(0, x.shape[0]), {
        batchSize: 4,
        transform,
        transformRng: new Rng(2),
        ...options,
      });
    expect(() => make(features, { transformRng: undefined })).toThrow(/a transform needs an rng of its own/);
    expect(() => make(features, { shuffle: true, rng, transformRng: rng })).toThrow(/not the shuffle's rng/);
    const withBias = new ImageFeatures(images, 37, { bias: true });
    expect(() => make(withBias, {})).toThrow(/need an imageShape/);
    expect(() => make(withBias, { imageShape: [3, 32, 32] })).toThrow(
      /rows of 3073 values do not hold images of \[3, 32, 32\] \(3072 values\)/,
    );
    expect(() => make(randn([4, 10], { rng }), {})).toThrow(ShapeError);
    expect(() => make(randn([4, 3, 8, 8], { rng }), {})).toThrow(/size \[32, 32\] is larger than the padded image/);
    const plain = new DataLoader(features, labels, { batchSize: 4 });
    expect(() => loader(features).loadStateDict(plain.stateDict())).toThrow(/the state has no transformRng/);
  });
});

describe("DataLoader says what it does and refuses what it cannot do", () => {
  const indicesOf = (l: DataLoader, count: number) => Array.from({ length: count }, () => Array.from(l.next().indices));

  it("with batchSize > N and dropLast, length, for…of and next() agree: no batches (next() is a ValueError)", () => {
    const loader = new DataLoader(x, y, { batchSize: 30, dropLast: true });
    expect(loader.length).toBe(0);
    expect([...loader]).toHaveLength(0);
    expect(() => loader.next()).toThrow(/no batches: 23 samples make no batch of 30 with dropLast/);
    const empty = new DataLoader(randn([0, 5], { rng: new Rng(1) }), new Int32Array(0), { batchSize: 4 });
    expect(empty.length).toBe(0);
    expect(() => empty.next()).toThrow(ValueError);
  });

  it("epoch counts finished epochs: it does not change while the epoch's last batch is still in hand", () => {
    const loader = new DataLoader(x, y, { batchSize: 10, shuffle: true, rng: new Rng(8) });
    loader.next();
    loader.next();
    const last = loader.next();
    expect(last.indices.length).toBe(3);
    expect(loader.epoch).toBe(0);
    loader.next();
    expect(loader.epoch).toBe(1);
    const iterated = new DataLoader(x, y, { batchSize: 10 });
    const epochs: number[] = [];
    for (const _ of iterated) epochs.push(iterated.epoch);
    expect(epochs).toEqual([0, 0, 0]);
    expect(iterated.epoch).toBe(1);
    for (const _ of iterated) break; // stopped early: the epoch is not finished
    expect(iterated.epoch).toBe(1);
  });

  it("state saved while the epoch's last batch is in hand resumes with the next epoch, as the straight run", () => {
    const straight = new DataLoader(x, y, { batchSize: 10, shuffle: true, rng: new Rng(9) });
    const expected = indicesOf(straight, 7);
    const first = new DataLoader(x, y, { batchSize: 10, shuffle: true, rng: new Rng(9) });
    indicesOf(first, 3);
    const saved = JSON.parse(JSON.stringify(first.stateDict()));
    expect([saved.epoch, saved.batch]).toEqual([1, 0]);
    const resumed = new DataLoader(x, y, { batchSize: 10, shuffle: true, rng: new Rng(1234) });
    resumed.loadStateDict(saved);
    expect(indicesOf(resumed, 4)).toEqual(expected.slice(3));
  });

  it("a sampler over another number of rows is refused", () => {
    expect(() => new DataLoader(x, y, { batchSize: 4, sampler: new SequentialSampler(10) })).toThrow(
      /the sampler draws from 10 rows, the data set has 23/,
    );
    expect(() => new DataLoader(x, y, { batchSize: 4, sampler: new RandomSampler(30, { rng: new Rng(1) }) })).toThrow(
      ValueError,
    );
    const other = new ReplacementSampler(30, { rng: new Rng(1), numSamples: 23 });
    expect(() => new DataLoader(x, y, { batchSize: 4, sampler: other })).toThrow(ValueError);
  });

  it("unknown options and option values are ValueErrors", () => {
    expect(() => new DataLoader(x, y, { batchSize: 4, shufle: true } as never)).toThrow(/unknown option "shufle"/);
    expect(() => new DataLoader(x, y, { batchSize: 4, dropLast: "yes" } as never)).toThrow(
      /dropLast must be true or false/,
    );
    expect(() => new RandomSampler(3, { rng: new Rng(1), seed: 3 } as never)).toThrow(ValueError);
    expect(() => new BatchSampler(new SequentialSampler(3), 2, 1 as never)).toThrow(ValueError);
  });

  it("a bad loaded state (batch −1, epoch −3, …) is a ValueError and changes nothing", () => {
    const good = () => {
      const l = new DataLoader(x, y, { batchSize: 4, shuffle: true, rng: new Rng(10) });
      indicesOf(l, 2);
      return l;
    };
    const state = good().stateDict();
    const samplerState = state.samplerAtEpochStart;
    const bad: unknown[] = [
      null,
      7,
      [],
      { ...state, batch: -1 },
      { ...state, epoch: -3 },
      { ...state, batch: 2.5 },
      { ...state, batch: 6 },
      { ...state, epoch: Number.NaN },
      { ...state, epoch: "1" },
      { ...state, samplerAtEpochStart: undefined },
      { ...state, samplerAtEpochStart: { rng: null } },
      { ...state, samplerAtEpochStart: { rng: { arc4: 1 } } },
      { ...state, samplerAtEpochStart: { ...samplerState, extra: 1 } },
      { ...state, extra: 1 },
      { ...state, transformRng: samplerState.rng },
    ];
    for (const b of bad) {
      const loader = good(),
        twin = good();
      expect(() => loader.loadStateDict(b as never), JSON.stringify(b)).toThrow(ValueError);
      expect([loader.epoch, JSON.stringify(loader.stateDict())]).toEqual([
        twin.epoch,
        JSON.stringify(twin.stateDict()),
      ]);
      expect(indicesOf(loader, 5)).toEqual(indicesOf(twin, 5));
    }
  });

  it("the samplers check a loaded state completely before changing", () => {
    const random = new RandomSampler(10, { rng: new Rng(11) }),
      twin = new RandomSampler(10, { rng: new Rng(11) });
    const zeros = { arc4: { i: 0, j: 0, S: new Array(256).fill(0) }, spareNormal: null };
    for (const bad of [null, {}, { rng: null }, { rng: zeros }, { rng: twin.stateDict().rng, more: 1 }]) {
      expect(() => random.loadStateDict(bad as never)).toThrow(ValueError);
      expect(() => new ReplacementSampler(10, { rng: new Rng(1) }).loadStateDict(bad as never)).toThrow(ValueError);
    }
    expect(Array.from(random.order())).toEqual(Array.from(twin.order()));
    expect(() => new SequentialSampler(3).loadStateDict({ rng: new Rng(1).state() })).toThrow(ValueError);
    expect(() => new SequentialSampler(3).loadStateDict(null as never)).toThrow(ValueError);
    new SequentialSampler(3).loadStateDict({ rng: null });
  });
});
