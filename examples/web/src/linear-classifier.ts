// The course's interactive linear-classifier demo, computed with Slope: the loss and its gradient
// come from @slope/autograd, the update from @slope/optim's SGD, the data from @slope/data.
import { type Var, add, l2, linear, mul, noGrad, param, relu, softmaxCrossEntropy, sub, sum, svmLoss } from "@slope/autograd";
import { Rng, argmax, tensor } from "@slope/core";
import { gaussianBlobs } from "@slope/data";
import { SGD } from "@slope/optim";

const COLOURS = ["#dc2626", "#16a34a", "#2563eb"];
const SPAN = 5; // the plane shows [−5, 5]²
const canvas = document.querySelector<HTMLCanvasElement>("#plane")!;
const context = canvas.getContext("2d")!;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface Point { x: number; y: number; label: number }
let points: Point[] = [];
let W = param(tensor([[1, 2, 3], [2, -4, -1]], { dtype: "float64" }));
let b = param(tensor([0, 0.5, -0.5], { dtype: "float64" }));
let optimizer = new SGD([W, b], { lr: 0.1 });

function resetAll(): void {
  const blobs = gaussianBlobs({ count: 12, classes: 3, std: 0.7, rng: new Rng("linear-classifier") });
  points = Array.from({ length: 12 }, (_, i) => ({ x: 1.4 * blobs.x.data[2 * i]!, y: 1.4 * blobs.x.data[2 * i + 1]!, label: blobs.y[i]! }));
  W = param(tensor([[1, 2, 3], [2, -4, -1]], { dtype: "float64" }));
  b = param(tensor([0, 0.5, -0.5], { dtype: "float64" }));
  optimizer = new SGD([W, b], { lr: Number($<HTMLInputElement>("lr").value) || 0.1 });
}

/** One-vs-all SVM: each class a binary SVM, Σⱼ max(0, 1 − yᵢⱼ·sᵢⱼ) with yᵢⱼ = ±1, averaged over points. */
function oneVsAllLoss(scores: Var, labels: number[]): Var {
  const signs = tensor(labels.flatMap((l) => [0, 1, 2].map((k) => (k === l ? 1 : -1))), { shape: [labels.length, 3], dtype: "float64" });
  return mul(sum(relu(sub(1, mul(scores, signs)))), 1 / labels.length);
}

/** The loss the page shows: data loss (the chosen kind) + reg·ΣW². */
function losses(): { total: Var; data: Var; regularisation: Var } {
  const X = tensor(points.flatMap((p) => [p.x, p.y]), { shape: [points.length, 2], dtype: "float64" });
  const labels = points.map((p) => p.label);
  const scores = linear(X, W, b);
  const kind = $<HTMLSelectElement>("loss").value;
  const data = kind === "svm" ? svmLoss(scores, labels) : kind === "softmax" ? softmaxCrossEntropy(scores, labels) : oneVsAllLoss(scores, labels);
  const regularisation = mul(l2(W), Number($<HTMLInputElement>("reg").value) || 0);
  return { total: add(data, regularisation), data, regularisation };
}

function step(): void {
  if (points.length === 0) return;
  optimizer.lr = Math.max(Number($<HTMLInputElement>("lr").value) || 0, 1e-12);
  optimizer.zeroGrad();
  losses().total.backward();
  optimizer.step();
  render();
}

const toPixel = (v: number) => ((v + SPAN) / (2 * SPAN)) * canvas.width;
const toPlane = (px: number) => (px / canvas.width) * 2 * SPAN - SPAN;

function drawPlane(): void {
  const cell = 8;
  const n = canvas.width / cell;
  // Class regions: argmax of the scores at the centre of each cell, computed as one batch.
  const centres: number[] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) centres.push(toPlane((i + 0.5) * cell), -toPlane((j + 0.5) * cell));
  const winners = argmax(noGrad(() => linear(tensor(centres, { shape: [n * n, 2], dtype: "float64" }), W, b)).value, 1).data;
  context.clearRect(0, 0, canvas.width, canvas.height);
  for (let k = 0; k < n * n; k++) {
    context.fillStyle = COLOURS[winners[k]!]! + "22";
    context.fillRect((k % n) * cell, Math.floor(k / n) * cell, cell, cell);
  }
  // Each class's zero line w₀x + w₁y + b = 0.
  for (let k = 0; k < 3; k++) {
    const w0 = W.value.get(0, k), w1 = W.value.get(1, k), bias = b.value.get(k);
    context.strokeStyle = COLOURS[k]!;
    context.lineWidth = 2;
    context.beginPath();
    if (Math.abs(w1) > Math.abs(w0)) {
      context.moveTo(0, toPixel(-(-(w0 * -SPAN) - bias) / w1));
      context.lineTo(canvas.width, toPixel(-(-(w0 * SPAN) - bias) / w1));
    } else if (w0 !== 0) {
      context.moveTo(toPixel((-(w1 * SPAN) - bias) / w0), 0);
      context.lineTo(toPixel((-(w1 * -SPAN) - bias) / w0), canvas.height);
    }
    context.stroke();
  }
  for (const p of points) {
    context.beginPath();
    context.arc(toPixel(p.x), toPixel(-p.y), 6, 0, 2 * Math.PI);
    context.fillStyle = COLOURS[p.label]!;
    context.fill();
    context.strokeStyle = "black";
    context.lineWidth = 1;
    context.stroke();
  }
}

function renderTable(): void {
  const body = $("weights");
  if (document.activeElement && body.contains(document.activeElement)) return; // do not fight the user's typing
  body.innerHTML = "";
  for (let k = 0; k < 3; k++) {
    const row = document.createElement("tr");
    row.innerHTML = `<th style="color:${COLOURS[k]}">${k}</th>`;
    const cells: [() => number, (v: number) => void, string][] = [
      [() => W.value.get(0, k), (v) => (W.value.data[k] = v), `W[0, ${k}]`],
      [() => W.value.get(1, k), (v) => (W.value.data[3 + k] = v), `W[1, ${k}]`],
      [() => b.value.get(k), (v) => (b.value.data[k] = v), `b[${k}]`],
    ];
    for (const [read, write, name] of cells) {
      const input = document.createElement("input");
      input.type = "number";
      input.step = "0.1";
      input.value = read().toFixed(3);
      input.setAttribute("aria-label", name);
      input.addEventListener("change", () => { const v = Number(input.value); if (Number.isFinite(v)) { write(v); render(); } });
      const cell = document.createElement("td");
      cell.append(input);
      row.append(cell);
    }
    body.append(row);
  }
}

function render(): void {
  drawPlane();
  renderTable();
  if (points.length > 0) {
    const { total, data, regularisation } = noGrad(losses);
    $("total").textContent = total.item().toFixed(6);
    $("data").textContent = data.item().toFixed(6);
    $("regLoss").textContent = regularisation.item().toFixed(6);
  }
}

// Running: one step per animation frame, so the page stays responsive.
let running = false;
function frame(): void {
  if (!running) return;
  step();
  requestAnimationFrame(frame);
}
$("run").addEventListener("click", () => {
  running = !running;
  $("run").textContent = running ? "pause" : "run";
  $("status").textContent = running ? "running" : "paused";
  if (running) requestAnimationFrame(frame);
});
$("step").addEventListener("click", step);
$("reset").addEventListener("click", () => { resetAll(); render(); });
for (const id of ["loss", "reg"]) $(id).addEventListener("change", render);

// Adding and dragging points.
let dragging: Point | null = null;
const planePoint = (event: PointerEvent) => {
  const box = canvas.getBoundingClientRect();
  return { x: toPlane(((event.clientX - box.left) / box.width) * canvas.width), y: -toPlane(((event.clientY - box.top) / box.height) * canvas.height) };
};
canvas.addEventListener("pointerdown", (event) => {
  const at = planePoint(event);
  dragging = points.find((p) => Math.hypot(p.x - at.x, p.y - at.y) < 0.25) ?? null;
  if (!dragging) {
    points.push({ ...at, label: Number($<HTMLSelectElement>("class").value) });
    render();
  }
});
canvas.addEventListener("pointermove", (event) => {
  if (!dragging) return;
  Object.assign(dragging, planePoint(event));
  render();
});
window.addEventListener("pointerup", () => (dragging = null));

resetAll();
render();
