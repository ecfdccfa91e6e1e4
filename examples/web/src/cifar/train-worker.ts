// The CIFAR page's training worker: it holds the images, trains with Slope and reports the losses,
// and at each epoch's end the validation accuracy and the pictures, so the page only draws.
// Nothing computes on the page's thread; here the work runs in slices of about 40 ms, between which
// a "stop" message is heard.
import { Rng } from "@slope/core";
import { kernels } from "@slope/core/internal";
import { enableThreads } from "@slope/core/browser";
import {
  CIFAR10_LABEL_NAMES,
  IMAGE_BYTES,
  type LabeledImages,
  concatImages,
  parseCifar10,
  sliceImages,
  syntheticCifar,
} from "@slope/data";
import type { FromWorker, ToWorker } from "./protocol.js";
import { SAMPLES, makeTrainer } from "./trainer.js";

const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

/** The synthetic set's classes have no CIFAR meaning: they are named by number. */
const SYNTHETIC_NAMES = Array.from({ length: 10 }, (_, k) => `class ${k}`);

let train: LabeledImages;
let test: LabeledImages;
let labelNames: string[] = SYNTHETIC_NAMES;
let training = false;
let stopAsked = false;

function useSynthetic(): void {
  const all = syntheticCifar({ count: 2000, rng: new Rng("web-cifar") });
  train = sliceImages(all, 0, 1600);
  test = sliceImages(all, 1600, 2000);
  labelNames = SYNTHETIC_NAMES;
}
useSynthetic();

async function load(files: File[]): Promise<void> {
  if (files.length === 0) {
    useSynthetic();
    post({ kind: "data", ok: true, labelNames, text: "data: the synthetic CIFAR-shaped set (2,000 images)" });
    return;
  }
  try {
    const parsed = await Promise.all(
      files.map(async (f) => ({
        name: f.name,
        set: parseCifar10(new Uint8Array(await f.arrayBuffer()), { file: f.name }),
      })),
    );
    const testFiles = parsed.filter((p) => p.name.startsWith("test"));
    const trainFiles = parsed.filter((p) => !p.name.startsWith("test"));
    if (testFiles.length > 0 && trainFiles.length > 0) {
      train = concatImages(trainFiles.map((p) => p.set));
      test = concatImages(testFiles.map((p) => p.set));
    } else {
      const all = concatImages(parsed.map((p) => p.set));
      const cut = Math.floor(all.count * 0.8);
      train = sliceImages(all, 0, cut);
      test = sliceImages(all, cut, all.count);
    }
    labelNames = [...CIFAR10_LABEL_NAMES];
    const names = files.map((f) => f.name).join(", ");
    const text = `data: ${names} — ${train.count} training and ${test.count} test images`;
    post({ kind: "data", ok: true, labelNames, text });
  } catch (error) {
    post({ kind: "data", ok: false, labelNames, text: `could not read the files: ${(error as Error).message}` });
  }
}

/** Lets queued messages (a "stop") in: a macrotask turn, without setTimeout's clamping. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

async function run(request: Extract<ToWorker, { kind: "train" }>): Promise<void> {
  training = true;
  stopAsked = false;
  const trainer = makeTrainer(train, test, { ...request, rng: new Rng("web-train") });
  const total = request.epochs * trainer.stepsPerEpoch;
  let step = 0;
  let accuracy = NaN;
  const shown = Math.min(SAMPLES, test.count);
  const sampleImages = test.images.slice(0, shown * IMAGE_BYTES);
  const truth = Array.from(test.labels.subarray(0, shown));
  for (let epoch = 1; epoch <= request.epochs && !stopAsked; epoch++) {
    const end = epoch * trainer.stepsPerEpoch;
    while (step < end && !stopAsked) {
      const sliceEnd = performance.now() + 40;
      const losses: number[] = [];
      while (step < end && performance.now() < sliceEnd) {
        losses.push(trainer.step());
        step++;
      }
      post({ kind: "steps", losses, step, total, epoch });
      await yieldToMessages();
    }
    if (step < end) break; // stopped inside the epoch: its pictures are those of the last finished one
    accuracy = trainer.accuracy();
    const templates = trainer.templates(),
      filters = trainer.filters();
    const transfer = [templates?.buffer, filters?.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    post(
      {
        kind: "epoch",
        epoch,
        epochs: request.epochs,
        accuracy,
        validated: trainer.validated,
        templates,
        filters,
        samples: { images: sampleImages.slice(), truth, guess: trainer.predict(shown) },
      },
      transfer,
    );
    await yieldToMessages();
  }
  post({ kind: "done", stopped: step < total, step, total, accuracy, validated: trainer.validated });
  training = false;
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.kind === "stop") {
    stopAsked = true;
    return;
  }
  if (message.kind === "threads") {
    // Two threads (a worker of this worker sharing the kernels' memory) where the page is cross-origin
    // isolated, as `pnpm web` serves it; one thread, and a word why, anywhere else.
    enableThreads({ threads: 2 }).then(
      () => post({ kind: "kernels", text: `kernels: ${kernels().name}` }),
      (error: Error) => post({ kind: "kernels", text: `kernels: ${kernels().name} (${error.message})` }),
    );
    return;
  }
  if (training) {
    post({ kind: "error", message: "the worker is training: stop it first" });
    return;
  }
  const work = message.kind === "data" ? load(message.files) : run(message);
  work.catch((error: Error) => {
    training = false;
    post({ kind: "error", message: error.message });
  });
};
