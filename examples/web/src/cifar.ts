// Training a softmax classifier on CIFAR-10 (or a synthetic stand-in) in the page, with Slope.
// The work runs in slices between animation frames, so the page never freezes.
import { Rng, type Tensor, argmax, kernels, matmul, randn, reuseBuffers, slice } from "@slope/core";
import { enableThreads } from "@slope/core/browser";
import { CIFAR10_LABEL_NAMES, DataLoader, IMAGE_BYTES, ImageFeatures, type LabeledImages, concatImages, meanImage, parseCifar10, sliceImages, syntheticCifar, toFeatures } from "@slope/data";
import { SGD } from "@slope/optim";
import { add, l2, linear, mul, param, softmaxCrossEntropy } from "@slope/autograd";
import { drawLineChart } from "./line-chart.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// Two threads (a Web Worker sharing the kernels' memory) where the page is cross-origin isolated,
// as `pnpm web` serves it; one thread, and a word why, anywhere else.
enableThreads({ threads: 2 }).then(
  () => { $("kernels").textContent = `kernels: ${kernels().name}`; },
  (error: Error) => { $("kernels").textContent = `kernels: ${kernels().name} (${error.message})`; },
);

let train: LabeledImages;
let test: LabeledImages;

function useSynthetic(): void {
  const all = syntheticCifar({ count: 2000, rng: new Rng("web-cifar") });
  train = sliceImages(all, 0, 1600);
  test = sliceImages(all, 1600, 2000);
}
useSynthetic();

$("files").addEventListener("change", async () => {
  const files = [...($<HTMLInputElement>("files").files ?? [])];
  if (files.length === 0) { useSynthetic(); $("source").textContent = "data: the synthetic CIFAR-shaped set"; return; }
  try {
    const parsed = await Promise.all(files.map(async (f) => ({ name: f.name, set: parseCifar10(new Uint8Array(await f.arrayBuffer()), { file: f.name }) })));
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
    $("source").textContent = `data: ${files.map((f) => f.name).join(", ")} — ${train.count} training and ${test.count} test images`;
  } catch (error) {
    $("source").textContent = `could not read the files: ${(error as Error).message}`;
  }
});

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

function drawImage(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, low = 0, high = 255): void {
  canvas.width = 32;
  canvas.height = 32;
  const g = canvas.getContext("2d")!;
  const image = g.createImageData(32, 32);
  for (let p = 0; p < 1024; p++) {
    for (let c = 0; c < 3; c++) image.data[4 * p + c] = Math.round((255 * (pixels[c * 1024 + p]! - low)) / (high - low || 1));
    image.data[4 * p + 3] = 255;
  }
  g.putImageData(image, 0, 0);
}

function cell(canvas: HTMLCanvasElement, caption: string): HTMLElement {
  const box = document.createElement("div");
  box.className = "cell";
  const text = document.createElement("span");
  text.textContent = caption;
  box.append(canvas, text);
  return box;
}

function showResults(W: Tensor, xTest: Tensor): void {
  const templates = $("templates");
  templates.innerHTML = "";
  for (let k = 0; k < 10; k++) {
    const row = new Float64Array(3072);
    for (let i = 0; i < 3072; i++) row[i] = W.data[i * 10 + k]!;
    let low = Infinity, high = -Infinity;
    for (const v of row) { low = Math.min(low, v); high = Math.max(high, v); }
    const canvas = document.createElement("canvas");
    canvas.setAttribute("aria-label", `template of ${CIFAR10_LABEL_NAMES[k]}`);
    drawImage(canvas, row, low, high);
    templates.append(cell(canvas, CIFAR10_LABEL_NAMES[k]!));
  }
  const samples = $("samples");
  samples.innerHTML = "";
  const shown = Math.min(12, test.count);
  const predicted = argmax(matmul(slice(xTest, [0, 0], [shown, -1]), W), 1).data;
  for (let i = 0; i < shown; i++) {
    const canvas = document.createElement("canvas");
    drawImage(canvas, test.images.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES));
    const truth = test.labels[i]!, guess = predicted[i]!;
    canvas.setAttribute("aria-label", `test image ${i}: ${CIFAR10_LABEL_NAMES[truth]}`);
    samples.append(cell(canvas, `${CIFAR10_LABEL_NAMES[guess]} ${guess === truth ? "✓" : `✗ (${CIFAR10_LABEL_NAMES[truth]})`}`));
  }
}

let training = false;
$("run").addEventListener("click", async () => {
  if (training) return;
  training = true;
  $<HTMLButtonElement>("run").disabled = true;
  const epochs = Math.max(1, Math.round(Number($<HTMLInputElement>("epochs").value) || 6));
  const lr = Number($<HTMLInputElement>("lr").value) || 1e-6;
  const reg = Number($<HTMLInputElement>("reg").value) || 0;
  const mean = meanImage(train.images, train.count);
  // The training images stay bytes; each batch's floats are made as the loader draws it (all of
  // CIFAR-10's training set as floats would be 614 MB in this tab, and a pause to make them).
  const xTrain = new ImageFeatures(train.images, train.count, { mean, bias: true });
  const xTest = toFeatures(test.images, test.count, { mean, bias: true });
  const rng = new Rng("web-train");
  const W = param(randn([3073, 10], { rng, std: 1e-4 }));
  const sgd = new SGD([W], { lr });
  const loader = new DataLoader(xTrain, train.labels, { batchSize: 128, shuffle: true, rng });
  const losses: number[] = [];
  const total = epochs * loader.length;
  // Each step's tensors reuse the previous step's buffers: only the loss leaves it, as a number.
  const trainStep = reuseBuffers((): number => {
    const batch = loader.next();
    sgd.zeroGrad();
    const loss = add(softmaxCrossEntropy(linear(batch.x, W), batch.y), mul(l2(W), reg));
    loss.backward();
    sgd.step();
    return loss.item();
  });
  while (losses.length < total) {
    const sliceEnd = performance.now() + 12; // about one frame's worth of work, then yield
    while (losses.length < total && performance.now() < sliceEnd) losses.push(trainStep());
    $("loss").textContent = losses.at(-1)!.toFixed(4);
    $("loss").dataset["first"] ??= $("loss").textContent!; // the first loss shown, for comparison
    $("progress").textContent = `step ${losses.length} of ${total}`;
    drawLineChart($<HTMLCanvasElement>("chart"), [{ name: "mini-batch loss", colour: "#2563eb", values: losses }], { title: "training loss" });
    await nextFrame();
  }
  const predicted = argmax(matmul(xTest, W.value), 1).data;
  let correct = 0;
  for (let i = 0; i < test.count; i++) if (predicted[i] === test.labels[i]) correct++;
  $("progress").textContent = `done: test accuracy ${((100 * correct) / test.count).toFixed(1)}% on ${test.count} images`;
  showResults(W.value, xTest);
  training = false;
  $<HTMLButtonElement>("run").disabled = false;
});
