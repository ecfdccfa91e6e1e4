// The optimizer playground: @slope/optim's optimizers racing over @slope/optim's 2-D surfaces, drawn to scale,
// with the loss of each against the step below (log scale only when every loss is positive).
import { tensor } from "@slope/core";
import { type Optimizer, type Parameter, type Surface, runTrajectory, surfaces } from "@slope/optim";
import { drawLineChart } from "./line-chart.js";
import { KINDS, type Kind } from "./optimizers/kinds.js";
import { LESSONS, defaultLearningRate } from "./optimizers/lessons.js";
import {
  type LegendEntry,
  MARGIN,
  type View,
  drawAxes,
  drawLegend,
  drawMarker,
  drawMinimum,
  drawStart,
  fromPixel,
  plotHeight,
  renderContours,
  toPixel,
  viewFor,
} from "./optimizers/plot.js";
import "./optimizers.css";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>("surface");
const chart = $<HTMLCanvasElement>("chart");
const status = $("status");

/** Speeds of the run, in steps per animation frame (fractions step every few frames). */
const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16];

/**
 * A run diverged when its loss or position is no longer finite, or its loss climbed a million times above
 * where it started (falling without bound, as off the saddle, is descent, not divergence).
 */
const DIVERGED = 1e6;

interface Runner {
  kind: Kind;
  point: Parameter;
  optimizer: Optimizer;
  path: [number, number][];
  losses: number[];
  /** The step at which it diverged, or null. */
  diverged: number | null;
}

let surface: Surface = surfaces["quadratic-bowl"]!;
let start: [number, number] = [...surface.start];
let startOrigin = "the surface's default";
let runners: Runner[] = [];
let errors: string[] = [];
let stepsDone = 0;
let view: View = viewFor(surface, 600, 400);
let contours: HTMLCanvasElement | null = null;
/** The points the optimizers will visit from this start: where the legend must not go. */
let expected: [number, number][] = [];
const pixelRatio = () => Math.max(1, Math.min(3, window.devicePixelRatio || 1));
const format = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v));

// ---- the table of optimizers ----

function buildTable(): void {
  const body = $("optimizers");
  body.innerHTML = "";
  for (const kind of KINDS) {
    const row = document.createElement("tr");
    row.dataset.row = kind.name;
    const extras = kind.extras
      .map(
        (e) => `<label>${e.label} <input type="number" step="any" value="${e.value}"
      data-option="${kind.name}:${e.key}" aria-label="${kind.name} ${e.label} (${e.key})" /></label>`,
      )
      .join("");
    const bias =
      kind.name === "Adam"
        ? `<label><input id="biasCorrection" type="checkbox" checked data-option-flag="biasCorrection" />
         bias correction</label>`
        : "";
    row.innerHTML = `<td><input type="checkbox" checked aria-label="use ${kind.name}" data-kind="${kind.name}" /></td>
      <th scope="row" style="color:${kind.colour}">${kind.name}</th>
      <td class="settings"><label>lr <input type="number" step="any" min="0"
        value="${defaultLearningRate(surface, kind.name)}"
        aria-label="${kind.name} learning rate" data-lr="${kind.name}" /></label>${extras}${bias}
        <div class="now" data-now="${kind.name}" data-testid="now-${kind.name}"></div></td>`;
    body.append(row);
  }
}

const input = (selector: string) => document.querySelector<HTMLInputElement>(selector);

/** The optimizer for `kind` as its row sets it, over `params` (throws @slope/optim's ValueError on a bad setting). */
function makeOptimizer(kind: Kind, params: Parameter[]): Optimizer {
  const lr = Number(input(`[data-lr="${kind.name}"]`)!.value || NaN);
  const extras: Record<string, number> = {};
  for (const e of kind.extras) extras[e.key] = Number(input(`[data-option="${kind.name}:${e.key}"]`)!.value || NaN);
  return kind.make(params, lr, extras, input("#biasCorrection")?.checked ?? true);
}

// ---- the race ----

function reset(): void {
  stop();
  stepsDone = 0;
  runners = [];
  errors = [];
  expected = [];
  for (const kind of KINDS) {
    const row = document.querySelector<HTMLElement>(`[data-row="${kind.name}"]`)!;
    row.querySelectorAll("input[type=number]").forEach((el) => {
      el.removeAttribute("aria-invalid");
    });
    if (!input(`[data-kind="${kind.name}"]`)!.checked) continue;
    const point: Parameter = { value: tensor([...start], { dtype: "float64" }), grad: null };
    try {
      const optimizer = makeOptimizer(kind, [point]);
      runners.push({ kind, point, optimizer, path: [[...start]], losses: [surface.f(...start)], diverged: null });
      // Where it will go, for placing the legend out of the way (a separate run; the race steps its own).
      const ahead = runTrajectory(surface, (p) => makeOptimizer(kind, p), { steps: surface.steps, start });
      for (const q of ahead) if (Number.isFinite(q.x) && Number.isFinite(q.y)) expected.push([q.x, q.y]);
    } catch (error) {
      // @slope/optim's messages already name the optimizer ("Adam: lr must be …").
      const message = (error as Error).message;
      errors.push(message.startsWith(`${kind.name}:`) ? message : `${kind.name}: ${message}`);
      row.querySelectorAll("input[type=number]").forEach((el) => {
        el.setAttribute("aria-invalid", "true");
      });
    }
  }
  draw();
}

/** One step of every optimizer still in the race: gradient at its point, then its own step(). */
function advance(): void {
  stepsDone++;
  const initial = Math.max(1, Math.abs(surface.f(...start)));
  for (const r of runners) {
    if (r.diverged !== null) continue;
    const [x, y] = [r.point.value.data[0]!, r.point.value.data[1]!];
    r.point.grad = tensor(surface.gradient(x, y), { dtype: "float64" });
    r.optimizer.step();
    const next: [number, number] = [r.point.value.data[0]!, r.point.value.data[1]!];
    const loss = surface.f(...next);
    r.path.push(next);
    r.losses.push(loss);
    if (!Number.isFinite(loss) || !Number.isFinite(next[0]) || !Number.isFinite(next[1]) || loss > DIVERGED * initial) {
      r.diverged = stepsDone;
    }
  }
}

// ---- drawing ----

function draw(): void {
  const g = canvas.getContext("2d")!;
  const ratio = canvas.width / (view.width + MARGIN.left + MARGIN.right);
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, canvas.width, canvas.height);
  if (contours) g.drawImage(contours, MARGIN.left, MARGIN.top, view.width, view.height);
  drawAxes(g, view);
  g.save();
  g.beginPath();
  g.rect(MARGIN.left, MARGIN.top, view.width, view.height);
  g.clip();
  for (const [mx, my] of surface.minima) drawMinimum(g, ...toPixel(view, mx, my));
  for (const r of runners) {
    g.strokeStyle = r.kind.colour;
    g.lineWidth = 2;
    g.beginPath();
    r.path.forEach(([x, y], i) => {
      if (!Number.isFinite(x) || !Number.isFinite(y)) return;
      const [px, py] = toPixel(view, x, y);
      if (i === 0) g.moveTo(px, py);
      else g.lineTo(px, py);
    });
    g.stroke();
  }
  drawStart(g, ...toPixel(view, ...start));
  for (const r of runners) {
    const last = r.path.findLast(([x, y]) => Number.isFinite(x) && Number.isFinite(y))!;
    g.fillStyle = r.kind.colour;
    g.strokeStyle = "white";
    g.lineWidth = 1.5;
    drawMarker(g, r.kind.marker, ...toPixel(view, ...last), 11);
  }
  // Divergence flagged on the plot itself, bottom left, in the optimizer's colour.
  g.font = "bold 12px system-ui, sans-serif";
  g.textAlign = "left";
  runners
    .filter((r) => r.diverged !== null)
    .forEach((r, k, all) => {
      const text = `${r.kind.name} diverged at step ${r.diverged}`;
      const y = MARGIN.top + view.height - 8 - (all.length - 1 - k) * 16;
      g.fillStyle = "rgba(255, 255, 255, 0.9)";
      g.fillRect(MARGIN.left + 4, y - 12, g.measureText(text).width + 8, 16);
      g.fillStyle = "#b91c1c";
      g.fillText(text, MARGIN.left + 8, y);
    });
  g.restore();
  const entries: LegendEntry[] = runners.map((r) => ({
    name: r.kind.name,
    colour: r.kind.colour,
    marker: r.kind.marker,
  }));
  entries.push({ name: "start", colour: "#111827", marker: "start" });
  if (surface.minima.length) {
    entries.push({ name: surface.minima.length > 1 ? "minima" : "minimum", colour: "", marker: "minimum" });
  }
  drawLegend(
    g,
    view,
    entries,
    [...expected, start, ...surface.minima].map(([x, y]) => toPixel(view, x, y)),
  );

  const chartRatio = pixelRatio();
  drawLineChart(
    chart,
    runners.map((r) => ({ name: r.kind.name, colour: r.kind.colour, values: r.losses })),
    {
      scale: "auto",
      pixelRatio: chartRatio,
      xLabel: "step",
      legend: false,
      xMax: surface.steps,
      title: "loss against step",
    },
  );
  chart.setAttribute("aria-label", `loss against step for each optimizer, on a ${chart.dataset.scale} scale`);
  const ctx = chart.getContext("2d")!;
  ctx.fillStyle = "#4b5563";
  ctx.font = "12px system-ui, sans-serif";
  ctx.textAlign = "right";
  ctx.fillText(
    chart.dataset.scale === "log" ? "log scale: every loss > 0" : "linear scale: a loss ≤ 0",
    chart.width / chartRatio - 12,
    13,
  );
  showNumbers();
}

function showNumbers(): void {
  const current = runners
    .filter((r) => r.diverged === null)
    .map((r) => r.losses.at(-1)!)
    .filter(Number.isFinite);
  $("loss").textContent = current.length ? Math.min(...current).toPrecision(6) : "–";
  $("progress").textContent = `step ${stepsDone} of ${surface.steps}`;
  $("progress").dataset.steps = String(stepsDone);
  for (const kind of KINDS) {
    const now = document.querySelector<HTMLElement>(`[data-now="${kind.name}"]`)!;
    const r = runners.find((q) => q.kind === kind);
    if (!r) {
      now.textContent = "";
      delete now.dataset.x;
      delete now.dataset.y;
      continue;
    }
    const [x, y] = r.path.at(-1)!;
    now.dataset.x = String(x);
    now.dataset.y = String(y);
    now.dataset.steps = String(r.path.length - 1);
    now.classList.toggle("diverged", r.diverged !== null);
    now.textContent =
      r.diverged !== null
        ? `diverged at step ${r.diverged}: lower its learning rate`
        : `at (${format(x)}, ${format(y)}), loss ${format(r.losses.at(-1)!)}`;
  }
  const diverged = runners
    .filter((r) => r.diverged !== null)
    .map((r) => `${r.kind.name} diverged at step ${r.diverged}.`);
  const lines = [`start (${format(start[0])}, ${format(start[1])}), ${startOrigin}.`, ...errors, ...diverged];
  if (status.textContent !== lines.join(" ")) status.textContent = lines.join(" ");
  $<HTMLInputElement>("startX").value = String(Number(start[0].toPrecision(6)));
  $<HTMLInputElement>("startY").value = String(Number(start[1].toPrecision(6)));
  const finished = stepsDone >= surface.steps;
  $<HTMLButtonElement>("step").disabled = finished;
}

/** Sizes both canvases to their boxes (at the screen's pixel density) and repaints the contours. */
function fit(): void {
  fittedWidth = canvas.parentElement!.clientWidth;
  const width = Math.max(200, canvas.clientWidth); // inside the border
  const height = plotHeight(surface, width);
  const ratio = pixelRatio();
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  view = viewFor(surface, width, height);
  canvas.dataset.view = JSON.stringify(view); // the window and its scale, for checking the plot is to scale
  contours = renderContours(surface, view, ratio);
  const chartWidth = Math.max(200, chart.clientWidth);
  const chartHeight = Math.round(Math.min(200, Math.max(150, chartWidth * 0.3)));
  chart.style.height = `${chartHeight}px`;
  chart.width = Math.round(chartWidth * ratio);
  chart.height = Math.round(chartHeight * ratio);
}

// ---- running ----

let running = false;
let owed = 0;
function frame(): void {
  if (!running) return;
  owed += SPEEDS[Number($<HTMLInputElement>("speed").value)]!;
  // Exactly the surface's stated number of steps, however many a frame takes.
  while (owed >= 1 && stepsDone < surface.steps) {
    advance();
    owed--;
  }
  draw();
  if (stepsDone >= surface.steps || runners.every((r) => r.diverged !== null)) {
    stop();
    return;
  }
  requestAnimationFrame(frame);
}
function stop(): void {
  running = false;
  $("run").textContent = stepsDone >= surface.steps ? "run again" : "run";
}

$("run").addEventListener("click", () => {
  if (running) {
    stop();
    return;
  }
  if (stepsDone >= surface.steps) reset(); // a finished race starts again
  running = true;
  owed = 0;
  $("run").textContent = "pause";
  requestAnimationFrame(frame);
});
$("step").addEventListener("click", () => {
  stop();
  if (stepsDone < surface.steps) advance();
  draw();
});
$("reset").addEventListener("click", reset);
$("speed").addEventListener("input", showSpeed);
function showSpeed(): void {
  const s = SPEEDS[Number($<HTMLInputElement>("speed").value)]!;
  $("speedValue").textContent = s < 1 ? `1 step every ${1 / s} frames` : `${s} step${s === 1 ? "" : "s"}/frame`;
}

// ---- choosing the surface and the start ----

function setStart(point: [number, number], origin: string): void {
  start = point;
  startOrigin = origin;
  reset();
}

function showSurface(): void {
  const lesson = LESSONS[surface.name];
  $("caption").textContent = `${lesson?.caption ?? surface.title} (${surface.steps} steps.)`;
  canvas.setAttribute(
    "aria-label",
    `${surface.title}, drawn to scale with the optimizers' paths; ` +
      "click, or use the arrow keys, to move the start point",
  );
}

const select = $<HTMLSelectElement>("surfaceName");
for (const s of Object.values(surfaces)) {
  select.add(new Option(s.title, s.name, s.name === surface.name, s.name === surface.name));
}
select.addEventListener("change", () => {
  surface = surfaces[select.value]!;
  buildTable();
  showSurface();
  fit();
  setStart([...surface.start], "the surface's default");
});
$("optimizers").addEventListener("change", reset);
canvas.addEventListener("click", (event) => {
  const box = canvas.getBoundingClientRect();
  const scale = box.width / (view.width + MARGIN.left + MARGIN.right);
  const [x, y] = fromPixel(view, (event.clientX - box.left) / scale, (event.clientY - box.top) / scale);
  setStart([Number(x.toPrecision(3)), Number(y.toPrecision(3))], "chosen on the plot");
});
canvas.addEventListener("keydown", (event) => {
  // Arrow keys move the start by a fortieth of the window (a tenth with Shift).
  const moves: Record<string, [number, number]> = {
    ArrowLeft: [-1, 0],
    ArrowRight: [1, 0],
    ArrowUp: [0, 1],
    ArrowDown: [0, -1],
  };
  const move = moves[event.key];
  if (!move) return;
  event.preventDefault();
  const unit = ((view.x[1] - view.x[0]) / 40) * (event.shiftKey ? 4 : 1);
  setStart(
    [Number((start[0] + move[0] * unit).toPrecision(4)), Number((start[1] + move[1] * unit).toPrecision(4))],
    "moved with the keyboard",
  );
});
for (const id of ["startX", "startY"]) {
  $(id).addEventListener("change", () => {
    const x = Number($<HTMLInputElement>("startX").value),
      y = Number($<HTMLInputElement>("startY").value);
    if (Number.isFinite(x) && Number.isFinite(y)) setStart([x, y], "typed in");
    else showNumbers();
  });
}

let resizeQueued = false;
let fittedWidth = 0;
new ResizeObserver(() => {
  // Only a change of width refits: the canvas's own new height must not start another round.
  if (resizeQueued || canvas.parentElement!.clientWidth === fittedWidth) return;
  resizeQueued = true;
  requestAnimationFrame(() => {
    resizeQueued = false;
    fit();
    draw();
  });
}).observe(canvas.parentElement!);

buildTable();
showSurface();
showSpeed();
fit();
reset();
