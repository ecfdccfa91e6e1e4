// The optimizer playground: trajectories of @slope/optim's optimizers over @slope/optim's 2-D surfaces.
import { tensor } from "@slope/core";
import { AdaGrad, Adam, Momentum, Nesterov, type Optimizer, type Parameter, RMSProp, SGD, type Surface, surfaces } from "@slope/optim";
import { drawLineChart } from "./line-chart.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>("surface");
const g = canvas.getContext("2d")!;

/** The playground's optimizers: colour, and how to build one from the row's settings. */
const KINDS = [
  { name: "SGD", colour: "#2563eb", extra: null, make: (p: Parameter[], lr: number) => new SGD(p, { lr }) },
  { name: "Momentum", colour: "#ea580c", extra: { label: "μ", value: 0.9 }, make: (p: Parameter[], lr: number, mu: number) => new Momentum(p, { lr, momentum: mu }) },
  { name: "Nesterov", colour: "#dc2626", extra: { label: "μ", value: 0.9 }, make: (p: Parameter[], lr: number, mu: number) => new Nesterov(p, { lr, momentum: mu }) },
  { name: "AdaGrad", colour: "#0d9488", extra: null, make: (p: Parameter[], lr: number) => new AdaGrad(p, { lr }) },
  { name: "RMSProp", colour: "#16a34a", extra: { label: "ρ", value: 0.99 }, make: (p: Parameter[], lr: number, rho: number) => new RMSProp(p, { lr, decayRate: rho }) },
  { name: "Adam", colour: "#ca8a04", extra: { label: "β1", value: 0.9 }, make: (p: Parameter[], lr: number, beta1: number) => new Adam(p, { lr, beta1, biasCorrection: $<HTMLInputElement>("biasCorrection").checked }) },
] as const;

let surface: Surface = surfaces["rosenbrock"]!;
let start: [number, number] = surface.start;
let background: ImageData | null = null;
interface Runner { kind: (typeof KINDS)[number]; point: Parameter; optimizer: Optimizer; path: [number, number][]; losses: number[] }
let runners: Runner[] = [];

const toPixel = (x: number, y: number): [number, number] => [
  ((x - surface.domain.x[0]) / (surface.domain.x[1] - surface.domain.x[0])) * canvas.width,
  (1 - (y - surface.domain.y[0]) / (surface.domain.y[1] - surface.domain.y[0])) * canvas.height,
];

/** The surface as bands of grey, one per level of log(1 + f − min f): the bands' edges are its contour lines. */
function paintSurface(): void {
  const { width, height } = canvas;
  const values = new Float64Array(width * height);
  let low = Infinity;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const x = surface.domain.x[0] + ((i + 0.5) / width) * (surface.domain.x[1] - surface.domain.x[0]);
      const y = surface.domain.y[1] - ((j + 0.5) / height) * (surface.domain.y[1] - surface.domain.y[0]);
      const v = surface.f(x, y);
      values[j * width + i] = v;
      if (v < low) low = v;
    }
  }
  let high = 0;
  for (let k = 0; k < values.length; k++) high = Math.max(high, (values[k] = Math.log1p(values[k]! - low)));
  background = g.createImageData(width, height);
  for (let k = 0; k < values.length; k++) {
    const band = Math.floor((16 * values[k]!) / (high || 1)) / 16;
    const level = 255 - Math.round(200 * (1 - band));
    background.data.set([level, level, level, 255], 4 * k);
  }
}

function draw(): void {
  if (background) g.putImageData(background, 0, 0);
  for (const [mx, my] of surface.minima) {
    const [px, py] = toPixel(mx, my);
    g.fillStyle = "#dc2626";
    g.fillRect(px - 4, py - 1, 8, 2);
    g.fillRect(px - 1, py - 4, 2, 8);
  }
  for (const r of runners) {
    g.strokeStyle = r.kind.colour;
    g.lineWidth = 2;
    g.beginPath();
    r.path.forEach(([x, y], i) => { const [px, py] = toPixel(x, y); if (i === 0) g.moveTo(px, py); else g.lineTo(px, py); });
    g.stroke();
  }
  drawLineChart($<HTMLCanvasElement>("chart"), runners.map((r) => ({ name: r.kind.name, colour: r.kind.colour, values: r.losses })), { title: "loss against step (log scale)" });
  const current = runners.map((r) => r.losses.at(-1)!).filter(Number.isFinite);
  $("loss").textContent = current.length ? Math.min(...current).toPrecision(6) : "–";
}

function buildTable(): void {
  const body = $("optimizers");
  body.innerHTML = "";
  for (const kind of KINDS) {
    const row = document.createElement("tr");
    const lr = surface.learningRates[kind.name];
    row.innerHTML = `<td><input type="checkbox" checked aria-label="use ${kind.name}" data-kind="${kind.name}" /></td>
      <td style="color:${kind.colour};text-align:left">${kind.name}</td>
      <td><input type="number" step="any" min="0" value="${lr}" aria-label="${kind.name} learning rate" data-lr="${kind.name}" /></td>
      <td>${kind.extra ? `<label>${kind.extra.label} <input type="number" step="0.01" min="0" max="0.999" value="${kind.extra.value}" aria-label="${kind.name} ${kind.extra.label}" data-extra="${kind.name}" /></label>` : ""}</td>`;
    body.append(row);
  }
}

function reset(): void {
  runners = [];
  for (const kind of KINDS) {
    if (!document.querySelector<HTMLInputElement>(`[data-kind="${kind.name}"]`)!.checked) continue;
    const lr = Number(document.querySelector<HTMLInputElement>(`[data-lr="${kind.name}"]`)!.value);
    const extra = Number(document.querySelector<HTMLInputElement>(`[data-extra="${kind.name}"]`)?.value ?? 0);
    const point: Parameter = { value: tensor([...start], { dtype: "float64" }), grad: null };
    try {
      runners.push({ kind, point, optimizer: kind.make([point], lr, extra), path: [[...start]], losses: [surface.f(...start)] });
    } catch (error) {
      $("status").textContent = `${kind.name}: ${(error as Error).message}`;
    }
  }
  draw();
}

function step(): void {
  for (const r of runners) {
    const [x, y] = [r.point.value.data[0]!, r.point.value.data[1]!];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    r.point.grad = tensor(surface.gradient(x, y), { dtype: "float64" });
    r.optimizer.step();
    const next: [number, number] = [r.point.value.data[0]!, r.point.value.data[1]!];
    r.path.push(next);
    r.losses.push(surface.f(...next));
  }
}

let running = false;
let stepsDone = 0;
function frame(): void {
  if (!running) return;
  for (let k = 0; k < 2; k++) step();
  stepsDone += 2;
  draw();
  if (stepsDone >= surface.steps * 2) { toggle(); return; }
  requestAnimationFrame(frame);
}
function toggle(): void {
  running = !running;
  $("run").textContent = running ? "pause" : "run";
  if (running) requestAnimationFrame(frame);
}

const select = $<HTMLSelectElement>("surfaceName");
for (const s of Object.values(surfaces)) select.add(new Option(s.title, s.name, s.name === surface.name, s.name === surface.name));
select.addEventListener("change", () => {
  surface = surfaces[select.value]!;
  start = surface.start;
  stepsDone = 0;
  buildTable();
  paintSurface();
  reset();
});
$("run").addEventListener("click", () => {
  if (!running && stepsDone >= surface.steps * 2) { stepsDone = 0; reset(); } // a finished race starts again
  toggle();
});
$("reset").addEventListener("click", () => { stepsDone = 0; reset(); });
$("optimizers").addEventListener("change", () => { stepsDone = 0; reset(); });
$("biasCorrection").addEventListener("change", () => { stepsDone = 0; reset(); });
canvas.addEventListener("click", (event) => {
  const box = canvas.getBoundingClientRect();
  const fx = (event.clientX - box.left) / box.width, fy = (event.clientY - box.top) / box.height;
  start = [surface.domain.x[0] + fx * (surface.domain.x[1] - surface.domain.x[0]), surface.domain.y[1] - fy * (surface.domain.y[1] - surface.domain.y[0])];
  $("status").textContent = `start: (${start[0].toFixed(2)}, ${start[1].toFixed(2)})`;
  stepsDone = 0;
  reset();
});

buildTable();
paintSurface();
reset();
