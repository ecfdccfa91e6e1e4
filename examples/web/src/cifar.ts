// Training a classifier on CIFAR-10 (or a synthetic stand-in) in the page, with Slope. The work — the
// mean image, the features, every step and every validation — runs in a Web Worker
// (src/cifar/train-worker.ts); this thread only draws what it reports, so the page never freezes.
import "./cifar.css";
import type { EpochReport, FromWorker, ModelKind, ToWorker } from "./cifar/protocol.js";
import { drawLossChart, drawPlanes, drawStretched } from "./cifar/draw.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const IMAGE_BYTES = 3072;

const worker = new Worker(new URL("./cifar/train-worker.ts", import.meta.url), { type: "module" });
const send = (message: ToWorker) => worker.postMessage(message);

/** The defaults that train each model well in a few epochs. */
const DEFAULTS: Record<ModelKind, { epochs: number; lr: number; reg: number; note: string }> = {
  linear: {
    epochs: 6,
    lr: 1e-6,
    reg: 1000,
    note: "SGD on raw pixels minus the mean image, batches of 128; reg is the L2 strength λ in λ‖W‖².",
  },
  convnet: {
    epochs: 3,
    lr: 0.002,
    reg: 0,
    note:
      "Adam on (pixels − mean)/64, batches of 64; reg is the weight decay. To stay light it sees at most " +
      "4,000 training images an epoch and is checked on 1,000 test images.",
  },
};

let labelNames = Array.from({ length: 10 }, (_, k) => `class ${k}`);
let losses: number[] = [];
let total = 0;
let stepsPerEpoch = 1;
let epochsAsked = 1;
let training = false;
let chartQueued = false;

function setTraining(on: boolean): void {
  training = on;
  $<HTMLButtonElement>("run").disabled = on;
  $<HTMLButtonElement>("stop").disabled = !on;
  for (const id of ["files", "model", "epochs", "lr", "reg"]) $<HTMLInputElement>(id).disabled = on;
}

function drawChartSoon(): void {
  if (chartQueued) return;
  chartQueued = true;
  requestAnimationFrame(() => {
    chartQueued = false;
    drawLossChart($<HTMLCanvasElement>("chart"), losses, stepsPerEpoch, total);
  });
}

/** The canvases of a gallery, made once (`count` cells) and reused, each with its caption. */
function gallery(id: string, count: number): { canvases: HTMLCanvasElement[]; captions: HTMLElement[] } {
  const box = $(id);
  if (box.children.length !== count) {
    box.innerHTML = "";
    for (let i = 0; i < count; i++) {
      const cell = document.createElement("figure");
      cell.className = "cell";
      const canvas = document.createElement("canvas");
      canvas.setAttribute("role", "img");
      const caption = document.createElement("figcaption");
      cell.append(canvas, caption);
      box.append(cell);
    }
  }
  return {
    canvases: [...box.querySelectorAll("canvas")],
    captions: [...box.querySelectorAll<HTMLElement>("figcaption")],
  };
}

function showEpoch(report: EpochReport): void {
  $("epoch").textContent = String(report.epoch);
  $("accuracy").textContent = `${(100 * report.accuracy).toFixed(1)}% of ${report.validated} test images`;
  if (report.templates) {
    const { canvases, captions } = gallery("templates", 10);
    for (let k = 0; k < 10; k++) {
      drawStretched(canvases[k]!, report.templates.subarray(k * IMAGE_BYTES, (k + 1) * IMAGE_BYTES), 32);
      canvases[k]!.setAttribute("aria-label", `template of ${labelNames[k]}, epoch ${report.epoch}`);
      canvases[k]!.dataset.epoch = String(report.epoch);
      captions[k]!.textContent = labelNames[k]!;
    }
  }
  if (report.filters) {
    const count = report.filters.length / 75;
    const { canvases, captions } = gallery("filters", count);
    for (let f = 0; f < count; f++) {
      drawStretched(canvases[f]!, report.filters.subarray(f * 75, (f + 1) * 75), 5);
      canvases[f]!.setAttribute("aria-label", `filter ${f + 1}, epoch ${report.epoch}`);
      canvases[f]!.dataset.epoch = String(report.epoch);
      captions[f]!.textContent = `filter ${f + 1}`;
    }
  }
  const { images, truth, guess } = report.samples;
  const { canvases, captions } = gallery("samples", truth.length);
  truth.forEach((t, i) => {
    drawPlanes(canvases[i]!, images.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES), 32);
    canvases[i]!.setAttribute("aria-label", `test image ${i + 1}: ${labelNames[t]}`);
    const g = guess[i]!;
    captions[i]!.textContent = g === t ? `${labelNames[g]} ✓` : `${labelNames[g]} ✗\n(is ${labelNames[t]})`;
  });
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  switch (message.kind) {
    case "kernels":
      $("kernels").textContent = message.text;
      break;
    case "data":
      $("source").textContent = message.text;
      labelNames = message.labelNames;
      setTraining(false);
      break;
    case "steps": {
      losses.push(...message.losses);
      total = message.total;
      stepsPerEpoch = Math.max(1, Math.round(total / epochsAsked));
      const loss = $("loss");
      loss.textContent = losses.at(-1)!.toFixed(4);
      loss.dataset.steps = String(losses.length);
      loss.dataset.first ??= losses[0]!.toFixed(4); // the first loss, for comparison
      $("progress").textContent = `epoch ${message.epoch}: step ${message.step} of ${message.total}`;
      drawChartSoon();
      break;
    }
    case "epoch":
      showEpoch(message);
      break;
    case "done": {
      const accuracy = Number.isNaN(message.accuracy)
        ? "no epoch finished"
        : `test accuracy ${(100 * message.accuracy).toFixed(1)}% on ${message.validated} images`;
      $("progress").textContent = message.stopped
        ? `stopped after ${message.step} of ${message.total} steps: ${accuracy}`
        : `done: ${message.step} steps, ${accuracy}`;
      drawChartSoon();
      setTraining(false);
      break;
    }
    case "error":
      $("progress").textContent = `error: ${message.message}`;
      setTraining(false);
      break;
  }
};
worker.onerror = (event) => {
  $("progress").textContent = `the training worker failed: ${event.message}`;
  setTraining(false);
};

send({ kind: "threads" });

$("files").addEventListener("change", () => {
  $("source").textContent = "data: reading the files…";
  $<HTMLButtonElement>("run").disabled = true;
  send({ kind: "data", files: [...($<HTMLInputElement>("files").files ?? [])] });
});

function showModel(): void {
  const model = $<HTMLSelectElement>("model").value as ModelKind;
  $("templates-section").hidden = model !== "linear";
  $("filters-section").hidden = model !== "convnet";
  $("model-note").textContent = DEFAULTS[model].note;
}
$("model").addEventListener("change", () => {
  const defaults = DEFAULTS[$<HTMLSelectElement>("model").value as ModelKind];
  $<HTMLInputElement>("epochs").value = String(defaults.epochs);
  $<HTMLInputElement>("lr").value = String(defaults.lr);
  $<HTMLInputElement>("reg").value = String(defaults.reg);
  showModel();
});
showModel();

$("run").addEventListener("click", () => {
  if (training) return;
  const model = $<HTMLSelectElement>("model").value as ModelKind;
  const read = (id: string, fallback: number) => {
    const v = Number($<HTMLInputElement>(id).value);
    return Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  const epochs = Math.min(100, Math.max(1, Math.round(read("epochs", DEFAULTS[model].epochs))));
  const lr = read("lr", DEFAULTS[model].lr),
    reg = read("reg", DEFAULTS[model].reg);
  losses = [];
  epochsAsked = epochs;
  delete $("loss").dataset.first;
  $("loss").textContent = "–";
  $("epoch").textContent = "0";
  $("accuracy").textContent = "–";
  $("progress").textContent = "starting…";
  setTraining(true);
  send({ kind: "train", model, epochs, lr, reg });
});
$("stop").addEventListener("click", () => send({ kind: "stop" }));
// The chart's bitmap follows its displayed width (a phone turned sideways, a resized window).
new ResizeObserver(() => drawChartSoon()).observe($("chart"));
