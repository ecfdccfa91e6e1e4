// The course's interactive linear-classifier demo, computed with Slope: the scores, the four data
// losses and their gradients come from @slope/autograd, the update from @slope/optim's SGD, the data
// from @slope/data. This file wires the page; the parts live in ./linear-classifier/.
import "./linear-classifier.css";
import { DATA_LOSSES, type LossKind, dataLossOf } from "./linear-classifier/losses/index.js";
import { CLASSES, Demo, type Point } from "./linear-classifier/model.js";
import { SPAN, drawPlane, viewOf } from "./linear-classifier/plane.js";
import { formatNumber } from "./linear-classifier/format.js";
import { buildParameterTable, updateParameterTable, updatePointsTable } from "./linear-classifier/tables.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>("plane");
const context = canvas.getContext("2d")!;
const demo = new Demo();
// The tests read the state from here and recompute every number with @slope/autograd.
(window as unknown as { __demo: unknown }).__demo = { snapshot: () => demo.snapshot() };

let running = false;
let cursor: { x0: number; x1: number } | null = null;
let highlighted: Point | null = null;

// The canvas draws at the size it is shown (times the screen's pixel ratio), so it stays sharp and fits.
function sizeCanvas(): void {
  const cssSize = Math.round(canvas.getBoundingClientRect().width) || 440;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(cssSize * ratio)) {
    canvas.width = canvas.height = Math.round(cssSize * ratio);
  }
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
}

function render(): void {
  sizeCanvas();
  const evaluation = demo.evaluate();
  const view = viewOf(canvas.width / (window.devicePixelRatio || 1));
  drawPlane(context, demo, view, document.activeElement === canvas ? (cursor ?? { x0: 0, x1: 0 }) : null, highlighted);
  updateParameterTable($("params").querySelector("tbody")!, demo, evaluation);
  updatePointsTable($("points").querySelector("tbody")!, $("points-mean"), demo, evaluation, (i) => {
    highlighted = i === null ? null : (demo.points[i] ?? null);
    drawPlane(context, demo, view, null, highlighted);
  });
  const show = (id: string, v: number) => {
    $(id).textContent = formatNumber(v, 6);
    $(id).dataset.value = String(v);
  };
  show("data-loss", evaluation.dataLoss);
  show("reg-loss", evaluation.regularisationLoss);
  show("total", evaluation.total);
  $("count").textContent = String(demo.points.length);
  $("formula-point").innerHTML = dataLossOf(demo.kind).formula;
  const diverged = demo.diverged() || !Number.isFinite(evaluation.total);
  const flag = $("diverged");
  flag.hidden = !diverged;
  flag.textContent = diverged
    ? `Diverged after ${demo.steps} steps: the step size ${demo.lr} is too large for λ = ${demo.reg}` +
      " (each step overshoots more). Lower it, then randomize or reset."
    : "";
  document.body.classList.toggle("lc-is-diverged", diverged);
  if (diverged && running) setRunning(false);
}

function setRunning(on: boolean): void {
  running = on;
  $("run").textContent = on ? "stop" : "run";
  $("status").textContent = on ? "running" : `paused after ${demo.steps} steps`;
  if (on) requestAnimationFrame(frame);
}

// Running: one step per animation frame, so the page stays responsive.
function frame(): void {
  if (!running) return;
  if (demo.points.length > 0 || demo.reg > 0) demo.step();
  render();
  requestAnimationFrame(frame);
}

$("run").addEventListener("click", () => setRunning(!running));
$("step").addEventListener("click", () => {
  demo.step();
  render();
  $("status").textContent = `paused after ${demo.steps} steps`;
});
$("randomize").addEventListener("click", () => {
  demo.randomize();
  render();
});
$("reset").addEventListener("click", () => {
  demo.reset();
  render();
});

const kinds = $<HTMLSelectElement>("loss-kind");
for (const loss of DATA_LOSSES) kinds.append(new Option(loss.name, loss.kind));
kinds.addEventListener("change", () => {
  demo.kind = kinds.value as LossKind;
  render();
});

/**
 * A slider and the number box beside it, kept in step; `toValue`/`toSlider` map the slider's position.
 * A typed value that `valid` refuses is not applied: the box is marked invalid and the note says why.
 */
function linkSlider(
  name: "lr" | "reg",
  toValue: (position: number) => number,
  toSlider: (value: number) => number,
  valid: (v: number) => boolean,
  rule: string,
  note: string,
): void {
  const slider = $<HTMLInputElement>(`${name}-slider`);
  const box = $<HTMLInputElement>(name);
  const said = $(`${name}-note`);
  const apply = (v: number) => {
    demo[name] = v;
    box.removeAttribute("aria-invalid");
    said.textContent = note;
    said.classList.remove("lc-refused");
    render();
  };
  slider.addEventListener("input", () => {
    const v = +toValue(Number(slider.value)).toPrecision(3);
    box.value = String(v);
    apply(v);
  });
  box.addEventListener("change", () => {
    const v = Number(box.value);
    if (box.value.trim() === "" || !Number.isFinite(v) || !valid(v)) {
      box.setAttribute("aria-invalid", "true");
      said.textContent = `${box.value || "(empty)"} refused: ${rule}; still ${demo[name]}`;
      said.classList.add("lc-refused");
      return;
    }
    slider.value = String(toSlider(v));
    apply(v);
  });
}
linkSlider(
  "lr",
  (p) => 10 ** p,
  (v) => Math.log10(v),
  (v) => v > 0,
  "the step size must be positive",
  "the slider is logarithmic: 0.001 to 10",
);
linkSlider(
  "reg",
  (p) => p,
  (v) => v,
  (v) => v >= 0,
  "the regularisation strength λ must be 0 or more",
  "λ ≥ 0",
);

// The class of new points: the radio buttons, or the keys 1 2 3 on the plane.
const chosenClass = () => Number(document.querySelector<HTMLInputElement>('input[name="class"]:checked')!.value);
const chooseClass = (k: number) => {
  document.querySelector<HTMLInputElement>(`input[name="class"][value="${k}"]`)!.checked = true;
};

const said = (text: string) => {
  $("plane-said").textContent = text;
};
function addPoint(x0: number, x1: number, y: number): void {
  const p = { x0: Math.round(x0 * 100) / 100, x1: Math.round(x1 * 100) / 100, y };
  demo.points.push(p);
  said(`added a class ${y} point at (${p.x0}, ${p.x1}); ${demo.points.length} points`);
  render();
}
function removePoint(p: Point): void {
  demo.points.splice(demo.points.indexOf(p), 1);
  said(`removed the class ${p.y} point at (${p.x0}, ${p.x1}); ${demo.points.length} points`);
  render();
}

$("add-point").addEventListener("submit", (event) => {
  event.preventDefault();
  const x0 = Number($<HTMLInputElement>("add-x0").value),
    x1 = Number($<HTMLInputElement>("add-x1").value);
  if (!Number.isFinite(x0) || !Number.isFinite(x1)) return;
  addPoint(Math.max(-SPAN, Math.min(SPAN, x0)), Math.max(-SPAN, Math.min(SPAN, x1)), chosenClass());
});

// Pointer: click adds, drag moves, shift-click removes.
let dragging: Point | null = null;
const planePoint = (event: PointerEvent) => {
  const box = canvas.getBoundingClientRect();
  const view = viewOf(box.width);
  return { x0: view.toPlane(event.clientX - box.left), x1: -view.toPlane(event.clientY - box.top) };
};
const nearest = (at: { x0: number; x1: number }, within: number) =>
  demo.points.find((p) => Math.hypot(p.x0 - at.x0, p.x1 - at.x1) < within) ?? null;
canvas.addEventListener("pointerdown", (event) => {
  const at = planePoint(event);
  const hit = nearest(at, 0.3);
  if (hit && event.shiftKey) removePoint(hit);
  else if (hit) dragging = hit;
  else addPoint(at.x0, at.x1, chosenClass());
});
canvas.addEventListener("pointermove", (event) => {
  if (!dragging) return;
  const at = planePoint(event);
  dragging.x0 = Math.round(at.x0 * 100) / 100;
  dragging.x1 = Math.round(at.x1 * 100) / 100;
  render();
});
window.addEventListener("pointerup", () => (dragging = null));

// Keyboard: a cursor on the plane.
canvas.addEventListener("keydown", (event) => {
  const at = cursor ?? { x0: 0, x1: 0 };
  const by = event.shiftKey ? 1 : 0.25;
  const clamp = (v: number) => Math.max(-SPAN, Math.min(SPAN, Math.round(v * 100) / 100));
  const moves: Record<string, [number, number]> = {
    ArrowLeft: [-by, 0],
    ArrowRight: [by, 0],
    ArrowUp: [0, by],
    ArrowDown: [0, -by],
  };
  const move = moves[event.key];
  if (move) {
    cursor = { x0: clamp(at.x0 + move[0]), x1: clamp(at.x1 + move[1]) };
    said(`cursor at (${cursor.x0}, ${cursor.x1})`);
    render();
  } else if (event.key === "Enter" || event.key === " ") {
    addPoint(at.x0, at.x1, chosenClass());
  } else if (event.key === "Delete" || event.key === "Backspace") {
    const hit = nearest(at, 0.5);
    if (hit) removePoint(hit);
    else said("no point under the cursor");
  } else if (/^[0-9]$/.test(event.key) && Number(event.key) < CLASSES) {
    chooseClass(Number(event.key));
    said(`new points are class ${event.key}`);
  } else return;
  event.preventDefault();
});
canvas.addEventListener("focus", render);
canvas.addEventListener("blur", render);
new ResizeObserver(() => render()).observe(canvas);

buildParameterTable($("params").querySelector("tbody")!, demo, render);
render();
