// Resuming is only ever the same run: a checkpoint records its settings, seed, data set and tensor shapes,
// and one of another run (another data set, a W of another size, another model) is refused by name
// before anything is loaded. Temporaries of a killed checkpoint write are cleaned by the next save.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataFormatError, ValueError, encodeArray, zeros } from "@slope/core";
import { loadSafetensors, safetensorsMetadata, saveSafetensors } from "@slope/nn";
import { type LectureData, loadLectureData } from "./data-source.js";
import { cnnExperiment } from "./experiments/cnn.js";
import { trainExperiment } from "./experiments/train.js";
import { CheckpointFormatError, CheckpointMismatchError } from "./training/checkpoint.js";

const root = mkdtempSync(join(tmpdir(), "slope-resume-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const preloaded = loadLectureData({ seed: 0 });
/** The same splits with one training label changed: another data set of the same size. */
const other: LectureData = (() => {
  const labels = preloaded.train.labels.slice();
  labels[0] = (labels[0]! + 1) % 10;
  return { ...preloaded, description: "the same images with one label changed", train: { ...preloaded.train, labels } };
})();
const common = (name: string, data = preloaded) => ({
  quick: true,
  quiet: true,
  seed: 0,
  preloaded: data,
  out: join(root, name),
});
const linear = { loss: "svm" as const, epochs: 2, batchSize: 500 };

/** A train checkpoint made by one epoch of a two-epoch run, in a fresh folder. */
async function trainCheckpoint(name: string): Promise<string> {
  const checkpoint = join(root, name);
  await trainExperiment({ ...common(`${name}-out`), ...linear, checkpoint, stopAfterEpochs: 1 });
  return checkpoint;
}

/** Rewrites a train checkpoint's JSON. */
function rewrite(checkpoint: string, change: (state: Record<string, unknown>) => void): void {
  const file = join(checkpoint, "checkpoint.json");
  const state = JSON.parse(readFileSync(file, "utf8"));
  change(state);
  writeFileSync(file, JSON.stringify(state));
}

describe("train: a checkpoint resumes only the run that made it", () => {
  it("records the data set (rows and sha256) and W's shape", async () => {
    const state = JSON.parse(readFileSync(join(await trainCheckpoint("recorded"), "checkpoint.json"), "utf8"));
    expect(state.dataSet.rows).toEqual({
      train: preloaded.train.count,
      val: preloaded.val.count,
      test: preloaded.test.count,
    });
    expect(state.dataSet.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(state.shapes).toEqual({ W: [3073, 10] });
  });

  it("a checkpoint made on another data set of the same size is a CheckpointMismatchError", async () => {
    const checkpoint = await trainCheckpoint("other-data");
    const resume = trainExperiment({ ...common("other-data-resumed", other), ...linear, checkpoint, resume: true });
    await expect(resume).rejects.toThrow(CheckpointMismatchError);
    await expect(
      trainExperiment({ ...common("other-data-resumed", other), ...linear, checkpoint, resume: true }),
    ).rejects.toThrow(/was made on another data set: .* this run uses the same images with one label changed/);
  });

  it("a checkpoint whose W holds 100 of 30,730 values is refused (DataFormatError) before the data loads", async () => {
    const checkpoint = await trainCheckpoint("short-w");
    rewrite(checkpoint, (state) => {
      state.W = encodeArray(new Float32Array(100));
    });
    // Without preloaded data: the checkpoint is refused before any data loads.
    const options = { ...linear, quiet: true, out: join(root, "short-w-out"), checkpoint, resume: true };
    await expect(trainExperiment(options)).rejects.toThrow(DataFormatError);
    await expect(trainExperiment({ ...common("short-w-out"), ...options })).rejects.toThrow(/W holds 100 values/);
  });

  it("a checkpoint of another shape of W (100 values, recorded as [10, 10]) is a CheckpointMismatchError", async () => {
    const checkpoint = await trainCheckpoint("other-shape");
    rewrite(checkpoint, (state) => {
      state.W = encodeArray(new Float32Array(100));
      state.shapes = { W: [10, 10] };
    });
    await expect(
      trainExperiment({ ...common("other-shape-out"), ...linear, checkpoint, resume: true }),
    ).rejects.toThrow(
      new CheckpointMismatchError(
        `the checkpoint ${join(checkpoint, "checkpoint.json")} holds tensors ` +
          "of other shapes than this run's: W [10, 10] in the checkpoint, [3073, 10] here",
      ),
    );
  });

  it("a checkpoint without a record of its data set (an older version's) is refused by name", async () => {
    const checkpoint = await trainCheckpoint("older");
    rewrite(checkpoint, (state) => {
      delete state.dataSet;
    });
    await expect(trainExperiment({ ...common("older-out"), ...linear, checkpoint, resume: true })).rejects.toThrow(
      /not a checkpoint this version can resume: no record of its data set/,
    );
  });

  it("a checkpoint whose optimizer, schedule or loader state is refused is a CheckpointFormatError naming the part", async () => {
    for (const [part, words] of [
      ["optimizer", "optimizer state"],
      ["scheduler", "schedule state"],
      ["loader", "data loader state"],
    ] as const) {
      const checkpoint = await trainCheckpoint(`damaged-${part}`);
      rewrite(checkpoint, (state) => {
        state[part] = { damaged: true };
      });
      const resume = trainExperiment({ ...common(`damaged-${part}-out`), ...linear, checkpoint, resume: true });
      await expect(resume).rejects.toThrow(CheckpointFormatError);
      await expect(
        trainExperiment({ ...common(`damaged-${part}-out`), ...linear, checkpoint, resume: true }),
      ).rejects.toThrow(`${join(checkpoint, "checkpoint.json")}: its ${words} cannot be resumed: `);
    }
  });

  it("resume without a checkpoint folder, or with one that holds no checkpoint, is refused (not ignored)", async () => {
    await expect(trainExperiment({ ...common("no-folder"), ...linear, resume: true })).rejects.toThrow(
      new ValueError("resume needs --checkpoint DIR: the folder to resume from (and to keep saving into)"),
    );
    const empty = join(root, "empty-checkpoint");
    mkdirSync(empty);
    await expect(trainExperiment({ ...common("empty"), ...linear, checkpoint: empty, resume: true })).rejects.toThrow(
      `no checkpoint ${join(empty, "checkpoint.json")} to resume from`,
    );
    expect(existsSync(join(root, "empty"))).toBe(false); // refused before the output folder was made
  });

  it("the next save removes the temporaries a killed checkpoint write left, and nothing else", async () => {
    const checkpoint = join(root, "killed");
    mkdirSync(checkpoint);
    writeFileSync(join(checkpoint, ".checkpoint.json.0123456789ab.tmp"), "half a checkpoint");
    writeFileSync(join(checkpoint, "notes.tmp"), "the user's");
    await trainExperiment({ ...common("killed-out"), ...linear, checkpoint, stopAfterEpochs: 1 });
    expect(readdirSync(checkpoint).sort()).toEqual(["checkpoint.json", "notes.tmp"]);
  });
});

describe("cnn: a checkpoint resumes only the run that made it", () => {
  const settings = { rows: 32, batchSize: 16, epochs: 2, widths: "4,4,8" };

  it("another data set, and a tensor of another shape, are CheckpointMismatchErrors naming what differs", async () => {
    const checkpoint = join(root, "cnn.safetensors");
    await cnnExperiment({ ...common("cnn-first"), ...settings, checkpoint, stopAfterEpochs: 1 });
    await expect(
      cnnExperiment({ ...common("cnn-other-data", other), ...settings, resume: checkpoint }),
    ).rejects.toThrow(CheckpointMismatchError);
    await expect(
      cnnExperiment({ ...common("cnn-other-data", other), ...settings, resume: checkpoint }),
    ).rejects.toThrow(/made on another data set/);

    // The same training state beside a head of another shape.
    const bytes = new Uint8Array(readFileSync(checkpoint));
    const tensors = loadSafetensors(bytes);
    tensors["7.weight"] = zeros([10, 5]);
    const reshaped = join(root, "cnn-reshaped.safetensors");
    writeFileSync(reshaped, saveSafetensors(tensors, safetensorsMetadata(bytes)));
    await expect(cnnExperiment({ ...common("cnn-reshaped"), ...settings, resume: reshaped })).rejects.toThrow(
      /other shapes than this run's: 7\.weight \[10, 5\] in the checkpoint, \[10, 128\] here/,
    );
    expect(existsSync(join(root, "cnn-reshaped", "results.json"))).toBe(false);
  });

  it("a --checkpoint that is a folder is refused before the data loads and before any epoch", async () => {
    const folder = join(root, "a-folder");
    const noImages = join(root, "no-images"); // its batch files are empty: loading them would fail (never tried)
    mkdirSync(folder);
    mkdirSync(noImages);
    for (const name of ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]) {
      writeFileSync(join(noImages, `${name}.bin`), "");
    }
    await expect(cnnExperiment({ quiet: true, data: noImages, ...settings, checkpoint: folder })).rejects.toThrow(
      `checkpoint must be a file, but ${folder} is a folder`,
    );
  });
});
