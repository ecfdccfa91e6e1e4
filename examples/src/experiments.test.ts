// Every experiment end to end on small data (the synthetic set, short settings): results.json
// parses with the common fields, every SVG is well-formed XML holding the expected series, the PNG
// decodes. Plus: resume after an interruption equals the uninterrupted run, bit for bit.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { DataFormatError, ValueError } from "@slope/core";
import { IMAGE_BYTES, parseCifar10, writeCifar10 } from "@slope/data";
import { loadSafetensors, safetensorsMetadata } from "@slope/nn";
import { FIXTURE_100, available } from "../../tests/support/datasets.js";
import { loadLectureData } from "./data-source.js";
import { batchModesExperiment } from "./experiments/batch-modes.js";
import { cnnExperiment } from "./experiments/cnn.js";
import { gradientsExperiment } from "./experiments/gradients.js";
import { lrDecayExperiment } from "./experiments/lr-decay.js";
import { optimizersExperiment } from "./experiments/optimizers.js";
import { randomSearchExperiment } from "./experiments/random-search.js";
import { templatesExperiment } from "./experiments/templates.js";
import { tourExperiment } from "./experiments/tour.js";
import { trainExperiment } from "./experiments/train.js";
import { twoLayerExperiment } from "./experiments/two-layer.js";

const root = mkdtempSync(join(tmpdir(), "slope-lecture-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const preloaded = loadLectureData({ seed: 0 });
const common = (name: string) => ({ quick: true, quiet: true, seed: 0, preloaded, out: join(root, name) });

/** The text of every <text> element of an SVG (titles, axis labels, legend entries). */
function svgTexts(file: string): string[] {
  const xml = readFileSync(file, "utf8");
  expect(XMLValidator.validate(xml)).toBe(true);
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "text")
          (Array.isArray(value) ? value : [value]).forEach((t) => {
            texts.push(typeof t === "object" ? String((t as Record<string, unknown>)["#text"] ?? "") : String(t));
          });
        else walk(value);
      }
    }
  };
  walk(new XMLParser({ ignoreAttributes: true }).parse(xml));
  return texts;
}

function readResults(dir: string): Record<string, unknown> {
  const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
  for (const key of ["experiment", "data", "seed", "config", "files", "seconds"]) expect(results).toHaveProperty(key);
  expect(results.data).toBe("synthetic");
  return results;
}

describe("every experiment runs end to end on small data", () => {
  it("random-search: a loss per attempt, a test accuracy, the loss plot", async () => {
    await randomSearchExperiment({ ...common("rs"), attempts: 30 });
    const r = readResults(join(root, "rs"));
    expect(r.losses).toHaveLength(30);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(svgTexts(join(root, "rs", "loss.svg"))).toEqual(expect.arrayContaining(["this attempt", "best so far"]));
  });

  it("gradients: analytic beats numerical by orders of magnitude, the check passes, the two batch updates agree", async () => {
    await gradientsExperiment({ ...common("gradients"), batch: 8, coordinates: 10 });
    const r = readResults(join(root, "gradients")) as Record<string, Record<string, number>>;
    for (const loss of ["svm", "softmax"]) {
      expect(r[loss]!.numericalFullSecondsEstimate! / r[loss]!.analyticSeconds!).toBeGreaterThan(10);
      expect(r[loss]!.maxRelErrorAtH1e5).toBeLessThan(1e-4);
    }
    expect(r.miniBatchAgreement!.relError).toBeLessThan(1e-12);
    expect(svgTexts(join(root, "gradients", "relative-error-vs-h.svg"))).toEqual(
      expect.arrayContaining(["svm", "softmax"]),
    );
  });

  it("train: accuracies on three splits and the loss curve; --sweep tries a grid", async () => {
    await trainExperiment({ ...common("train"), loss: "softmax", epochs: 1, sweep: true });
    const r = readResults(join(root, "train"));
    for (const key of ["trainAccuracy", "valAccuracy", "testAccuracy"]) expect(r[key]).toBeGreaterThan(0.15);
    expect((r.sweep as unknown[]).length).toBe(4);
    expect(svgTexts(join(root, "train", "loss.svg"))).toContain("mini-batch loss");
  });

  it("batch-modes: BGD, SGD and MBGD against steps and against time", async () => {
    await batchModesExperiment({ ...common("batch-modes"), rows: 300, seconds: 0.3 });
    readResults(join(root, "batch-modes"));
    for (const file of ["loss-vs-steps.svg", "loss-vs-time.svg"]) {
      expect(svgTexts(join(root, "batch-modes", file))).toEqual(
        expect.arrayContaining(["BGD (batch = all rows)", "SGD (batch = 1)", "MBGD (batch = 256)"]),
      );
    }
  });

  it("lr-decay: the four rates and the four schedules", async () => {
    await lrDecayExperiment({ ...common("lr-decay"), rows: 400, epochs: 1 });
    readResults(join(root, "lr-decay"));
    const rates = svgTexts(join(root, "lr-decay", "learning-rates.svg")).join(" ");
    for (const name of ["very high lr", "high lr", "low lr", "good lr"]) expect(rates).toContain(name);
    expect(svgTexts(join(root, "lr-decay", "decay.svg"))).toEqual(
      expect.arrayContaining(["constant", "step", "exponential", "inverse-time"]),
    );
  });

  it("optimizers: CIFAR curves, a trajectory plot per surface, convergence with Newton and L-BFGS", async () => {
    await optimizersExperiment({ ...common("optimizers"), rows: 300, epochs: 1 });
    const r = readResults(join(root, "optimizers"));
    const names = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"];
    expect(svgTexts(join(root, "optimizers", "cifar-loss.svg"))).toEqual(expect.arrayContaining(names));
    for (const surface of ["quadratic-bowl", "rosenbrock", "beale", "saddle", "himmelblau", "two-minima"]) {
      expect(svgTexts(join(root, "optimizers", `surface-${surface}.svg`))).toEqual(expect.arrayContaining(names));
    }
    expect(svgTexts(join(root, "optimizers", "convergence-rosenbrock.svg"))).toEqual(
      expect.arrayContaining(["L-BFGS", "Newton (autograd Hessian)"]),
    );
    const newton = (r.distanceToMinimum as Record<string, Record<string, [number, number][]>>).rosenbrock![
      "Newton (autograd Hessian)"
    ]!;
    expect(newton.at(-1)![1]).toBeLessThan(1e-8);
  });

  it("two-layer: a net from the public API learns above chance", async () => {
    await twoLayerExperiment({ ...common("two-layer"), hidden: 32, epochs: 1 });
    const r = readResults(join(root, "two-layer"));
    expect(r.testAccuracy).toBeGreaterThan(0.2);
  });

  it("cnn: a convnet from @slope/nn learns on a few hundred images (the loss falls), with results, plots and weights", async () => {
    const r = await cnnExperiment({ ...common("cnn"), epochs: 3 });
    const saved = readResults(join(root, "cnn")) as typeof r;
    expect(saved.config.trainImages).toBe(512);
    expect(saved.losses).toHaveLength(3 * 8);
    expect(saved.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    const [first, , last] = saved.epochs;
    expect(last!.trainLoss).toBeLessThan(first!.trainLoss - 0.3);
    expect(last!.trainLoss).toBeLessThan(Math.log(10));
    expect(saved.testAccuracy).toBeGreaterThan(0.2);
    for (const e of saved.epochs) {
      for (const key of ["lr", "trainAccuracy", "valAccuracy", "seconds"] as const) {
        expect(Number.isFinite(e[key])).toBe(true);
      }
    }
    expect(saved.epochs[0]!.lr).toBeGreaterThan(saved.epochs[2]!.lr); // the one-cycle schedule anneals
    expect(svgTexts(join(root, "cnn", "loss.svg"))).toEqual(expect.arrayContaining(["mini-batch loss", "epoch mean"]));
    expect(svgTexts(join(root, "cnn", "accuracy.svg"))).toEqual(
      expect.arrayContaining(["train (augmented batches)", "validation"]),
    );
    const weights = loadSafetensors(new Uint8Array(readFileSync(join(root, "cnn", "model.safetensors"))));
    expect(Object.keys(weights)).toContain("0.1.running_mean");
    expect(weights["7.weight"]!.shape).toEqual([10, 16 * 32]);
  });

  it("templates: a PNG of ten 32×32 templates that decodes", async () => {
    await templatesExperiment({ ...common("templates"), epochs: 1 });
    readResults(join(root, "templates"));
    const png = PNG.sync.read(readFileSync(join(root, "templates", "templates.png")));
    expect(png.height).toBe(128);
    expect(png.width).toBe(10 * 128 + 9 * 4);
  });
});

describe("training state", () => {
  it("resume after an interruption equals the uninterrupted run, bit for bit", async () => {
    const settings = {
      ...common("straight"),
      loss: "svm" as const,
      optimizer: "adam" as const,
      schedule: "exponential" as const,
      lr: 1e-5,
      epochs: 3,
      batchSize: 500,
    };
    const straight = await trainExperiment({ ...settings, checkpoint: join(root, "ckpt-straight") });
    const checkpoint = join(root, "ckpt");
    await trainExperiment({ ...settings, out: join(root, "first"), checkpoint, stopAfterEpochs: 1 });
    const resumed = await trainExperiment({ ...settings, out: join(root, "resumed"), checkpoint, resume: true });
    expect(resumed.weights.sha256).toBe(straight.weights.sha256);
    expect(resumed.losses).toEqual(straight.losses);
    expect(resumed.testAccuracy).toBe(straight.testAccuracy);
    expect(resumed.epochs.map((e) => e.lr)).toEqual(straight.epochs.map((e) => e.lr));
  });

  it("cnn: resume from a checkpoint after an interruption equals the uninterrupted run, bit for bit", async () => {
    const settings = { ...common("cnn-straight"), rows: 96, batchSize: 32, epochs: 3, widths: "4,4,8" };
    const straight = await cnnExperiment(settings);
    const checkpoint = join(root, "cnn-checkpoint.safetensors");
    const first = await cnnExperiment({ ...settings, out: join(root, "cnn-first"), checkpoint, stopAfterEpochs: 1 });
    expect(first.completedEpochs).toBe(1);
    expect(safetensorsMetadata(new Uint8Array(readFileSync(checkpoint)))).toHaveProperty(
      "slope.training",
      expect.stringContaining('"completedEpochs":1'),
    );
    const resumed = await cnnExperiment({ ...settings, out: join(root, "cnn-resumed"), resume: checkpoint });
    expect(resumed.resumedFromEpoch).toBe(1);
    expect(resumed.weights.sha256).toBe(straight.weights.sha256);
    expect(resumed.losses).toEqual(straight.losses);
    expect(resumed.epochs.map((e) => [e.lr, e.trainLoss, e.trainAccuracy, e.valAccuracy])).toEqual(
      straight.epochs.map((e) => [e.lr, e.trainLoss, e.trainAccuracy, e.valAccuracy]),
    );
    expect(resumed.testAccuracy).toBe(straight.testAccuracy);
    // The checkpoint now holds the finished run; resuming it with other settings is refused.
    await expect(
      cnnExperiment({ ...settings, out: join(root, "cnn-other"), resume: checkpoint, lr: 0.5 }),
    ).rejects.toThrow(/made with other settings/);
  });

  it("cnn: bad options are named errors", async () => {
    const run = (extra: Record<string, unknown>) => cnnExperiment({ ...common("cnn-bad"), rows: 32, ...extra });
    await expect(run({ widths: "8,16" })).rejects.toThrow(/widths must be three positive whole numbers a,b,c.* "8,16"/);
    await expect(run({ widths: "8,x,16" })).rejects.toThrow(ValueError);
    await expect(run({ optimizer: "adam" })).rejects.toThrow(
      'unknown optimizer "adam"; valid optimizers: adamw, nesterov',
    );
    await expect(run({ lr: -1 })).rejects.toThrow("lr must be a number > 0, got -1");
    await expect(run({ weightDecay: -1 })).rejects.toThrow("weight decay must be a number ≥ 0, got -1");
    await expect(run({ epochs: 1.5 })).rejects.toThrow("epochs must be a positive integer, got 1.5");
    await expect(run({ resume: join(root, "no-such-checkpoint.safetensors") })).rejects.toThrow(
      /no checkpoint .* to resume from/,
    );
    writeFileSync(join(root, "not-a-checkpoint.safetensors"), "garbage");
    await expect(run({ resume: join(root, "not-a-checkpoint.safetensors") })).rejects.toThrow(DataFormatError);
  });

  it("resuming with other settings is refused", async () => {
    const checkpoint = join(root, "ckpt-other");
    await trainExperiment({ ...common("other"), epochs: 1, checkpoint });
    await expect(
      trainExperiment({ ...common("other"), epochs: 1, lr: 1e-3, checkpoint, resume: true }),
    ).rejects.toThrow(/made with other settings/);
  });
});

describe("data sources", () => {
  it.skipIf(!available(FIXTURE_100, "the CIFAR-path experiment test"))(
    "with --data, an experiment reads CIFAR-10 batches and says so",
    async () => {
      const records = parseCifar10(new Uint8Array(readFileSync(FIXTURE_100)));
      const dir = join(root, "cifar", "cifar-10-batches-bin");
      mkdirSync(dir, { recursive: true });
      for (let b = 0; b < 6; b++) {
        const name = b < 5 ? `data_batch_${b + 1}.bin` : "test_batch.bin";
        const from = (b % 5) * 20;
        writeFileSync(
          join(dir, name),
          writeCifar10(
            records.images.subarray(from * IMAGE_BYTES, (from + 20) * IMAGE_BYTES),
            records.labels.subarray(from, from + 20),
          ),
        );
      }
      writeFileSync(
        join(dir, "batches.meta.txt"),
        "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n",
      );
      const r = await randomSearchExperiment({
        quiet: true,
        data: join(root, "cifar"),
        out: join(root, "rs-cifar"),
        attempts: 5,
      });
      expect(r.data).toBe("cifar10");
      expect(r.dataDescription).toContain("--data");
    },
  );

  it("the tour runs every experiment and writes a summary", async () => {
    const r = await tourExperiment({ quiet: true, out: join(root, "tour") });
    expect(r.steps.map((s) => s.experiment)).toEqual([
      "random-search",
      "gradients",
      "train",
      "batch-modes",
      "lr-decay",
      "optimizers",
      "two-layer",
      "cnn",
      "templates",
    ]);
    expect(JSON.parse(readFileSync(join(root, "tour", "results.json"), "utf8")).data).toBe("synthetic");
  }, 300_000);
});
