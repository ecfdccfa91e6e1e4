// The two tables: the parameters (W, one row per class, and b) with each gradient under its value,
// and the points with their scores and loss Lᵢ. Every cell keeps its full-precision number in
// data-value (the browser tests read it), and shows it rounded.
import { formatNumber } from "./format.js";
import { CLASSES, type Demo, type Evaluation } from "./model.js";
import { SYMBOLS } from "./plane.js";

const cellWith = (tag: "td" | "th", text: string, value?: number, className?: string): HTMLElement => {
  const cell = document.createElement(tag);
  cell.textContent = text;
  if (value !== undefined) cell.dataset.value = String(value);
  if (className) cell.className = className;
  return cell;
};

/** Builds the parameter table once: an input per W[k, l] and b[k], with a gradient line under it. */
export function buildParameterTable(body: HTMLElement, demo: Demo, changed: () => void): void {
  body.innerHTML = "";
  for (let k = 0; k < CLASSES; k++) {
    const row = document.createElement("tr");
    row.append(cellWith("th", `${SYMBOLS[k]} ${k}`, undefined, `c${k}`));
    row.firstElementChild!.setAttribute("scope", "row");
    const names = [`W[${k},0]`, `W[${k},1]`, `b[${k}]`];
    names.forEach((name, column) => {
      const cell = document.createElement("td");
      const input = document.createElement("input");
      input.type = "number";
      input.step = "0.1";
      input.dataset.param = name;
      input.setAttribute("aria-label", name);
      input.addEventListener("change", () => {
        const v = Number(input.value);
        if (input.value.trim() === "" || !Number.isFinite(v)) return;
        const W = demo.W.value.toArray() as number[][];
        const b = demo.b.value.toArray() as number[];
        if (column < 2) W[k]![column] = v;
        else b[k] = v;
        demo.setParameters(W, b);
        changed();
      });
      const grad = document.createElement("span");
      grad.className = "lc-grad";
      grad.dataset.grad = name;
      cell.append(input, grad);
      row.append(cell);
    });
    body.append(row);
  }
}

/** Writes the current values and gradients into the parameter table (not into an input being edited). */
export function updateParameterTable(body: HTMLElement, demo: Demo, evaluation: Evaluation): void {
  for (let k = 0; k < CLASSES; k++) {
    for (let column = 0; column < 3; column++) {
      const name = column < 2 ? `W[${k},${column}]` : `b[${k}]`;
      const value = column < 2 ? demo.W.value.get(k, column) : demo.b.value.get(k);
      const gradient = column < 2 ? evaluation.dW[k]![column]! : evaluation.db[k]!;
      const input = body.querySelector<HTMLInputElement>(`input[data-param="${name}"]`)!;
      input.dataset.value = String(value);
      // Large values in exponent form (a number box reads "1.1e7"), so they never run out of the box.
      const text = Math.abs(value) >= 1e4 ? value.toExponential(1).replace("e+", "e") : String(+value.toFixed(4));
      if (document.activeElement !== input) input.value = Number.isFinite(value) ? text : "";
      const grad = body.querySelector<HTMLElement>(`[data-grad="${name}"]`)!;
      grad.dataset.value = String(gradient);
      grad.textContent = `∇ ${formatNumber(gradient)}`;
      grad.title = `∂L/∂${name}`;
    }
  }
}

/** Rebuilds the points table: x₀, x₁, y, s₀ s₁ s₂ (the own class's score in bold), Lᵢ; and the mean. */
export function updatePointsTable(
  body: HTMLElement,
  mean: HTMLElement,
  demo: Demo,
  evaluation: Evaluation,
  onHover: (i: number | null) => void,
): void {
  const rows: HTMLElement[] = demo.points.map((p, i) => {
    const row = document.createElement("tr");
    row.dataset.index = String(i);
    row.append(cellWith("td", formatNumber(p.x0, 2), p.x0), cellWith("td", formatNumber(p.x1, 2), p.x1));
    row.append(cellWith("td", `${SYMBOLS[p.y]} ${p.y}`, p.y, `c${p.y}`));
    evaluation.scores[i]!.forEach((s, j) => {
      row.append(cellWith("td", formatNumber(s, 2), s, j === p.y ? "lc-own" : ""));
    });
    const loss = evaluation.pointLosses[i]!;
    row.append(cellWith("td", formatNumber(loss), loss, loss > 0 ? "lc-positive" : "lc-zero"));
    row.addEventListener("pointerenter", () => onHover(i));
    row.addEventListener("pointerleave", () => onHover(null));
    return row;
  });
  body.replaceChildren(...rows);
  const average = evaluation.pointLossMean;
  mean.textContent = demo.points.length === 0 ? "–" : formatNumber(average);
  mean.dataset.value = String(average);
}
