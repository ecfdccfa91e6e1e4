// Drawing the plane: class regions (the arg-max of the scores, computed by Slope in one batch), each
// class's zero line sₖ = 0 with an arrow along its W row (the direction in which sₖ grows), x/y
// axes with ticks, and the points — each class a colour and a shape, so neither alone carries it.
import { argmax, tensor } from "@slope/core";
import { CLASSES, type Demo, type Point } from "./model.js";

export const COLOURS = ["#c81e1e", "#15803d", "#1d4ed8"];
/** Region tints: the class colours, light enough for black text and points on top. */
const TINTS = ["#f9bdbd", "#b3e9c4", "#c0d1fb"];
export const SHAPES = ["circle", "square", "triangle"] as const;
export const SYMBOLS = ["●", "■", "▲"];
/** The plane shows [−SPAN, SPAN]². */
export const SPAN = 5;

export interface View {
  size: number;
  toPixel(v: number): number;
  toPlane(px: number): number;
}

export function viewOf(size: number): View {
  return {
    size,
    toPixel: (v) => ((v + SPAN) / (2 * SPAN)) * size,
    toPlane: (px) => (px / size) * 2 * SPAN - SPAN,
  };
}

/** Draws a point's marker (circle, square or triangle of radius r) centred at (px, py). */
export function marker(context: CanvasRenderingContext2D, label: number, px: number, py: number, r: number): void {
  context.beginPath();
  if (SHAPES[label] === "circle") context.arc(px, py, r, 0, 2 * Math.PI);
  else if (SHAPES[label] === "square") context.rect(px - r * 0.9, py - r * 0.9, 1.8 * r, 1.8 * r);
  else {
    context.moveTo(px, py - 1.2 * r);
    context.lineTo(px + 1.1 * r, py + 0.8 * r);
    context.lineTo(px - 1.1 * r, py + 0.8 * r);
    context.closePath();
  }
  context.fillStyle = COLOURS[label]!;
  context.fill();
  context.lineWidth = 1.5;
  context.strokeStyle = "#fff";
  context.stroke();
}

function regions(context: CanvasRenderingContext2D, demo: Demo, view: View): void {
  const cell = Math.max(2, Math.round(view.size / 110));
  const n = Math.ceil(view.size / cell);
  const centres = new Float64Array(2 * n * n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      centres[2 * (j * n + i)] = view.toPlane((i + 0.5) * cell);
      centres[2 * (j * n + i) + 1] = -view.toPlane((j + 0.5) * cell);
    }
  }
  const winners = argmax(demo.scoresAt(tensor(centres, { shape: [n * n, 2], dtype: "float64" })), 1).data;
  for (let k = 0; k < n * n; k++) {
    context.fillStyle = TINTS[winners[k]!]!;
    context.fillRect((k % n) * cell, Math.floor(k / n) * cell, cell, cell);
  }
}

function axes(context: CanvasRenderingContext2D, view: View): void {
  const o = view.toPixel(0);
  context.strokeStyle = "#374151";
  context.fillStyle = "#1f2937";
  context.lineWidth = 1;
  context.beginPath();
  context.moveTo(0, o);
  context.lineTo(view.size, o);
  context.moveTo(o, 0);
  context.lineTo(o, view.size);
  context.stroke();
  context.font = `${Math.max(10, Math.round(view.size / 40))}px system-ui, sans-serif`;
  context.textAlign = "center";
  context.textBaseline = "top";
  for (let t = -SPAN + 1; t < SPAN; t++) {
    if (t === 0) continue;
    const p = view.toPixel(t);
    context.beginPath();
    context.moveTo(p, o - 4);
    context.lineTo(p, o + 4);
    context.moveTo(o - 4, view.toPixel(-t));
    context.lineTo(o + 4, view.toPixel(-t));
    context.stroke();
    context.textAlign = "center";
    context.textBaseline = "top";
    context.fillText(String(t), p, o + 6);
    context.textAlign = "right";
    context.textBaseline = "middle";
    context.fillText(String(t), o - 6, view.toPixel(-t));
  }
  context.textAlign = "right";
  context.textBaseline = "bottom";
  context.fillText("x₀", view.size - 4, o - 4);
  context.textAlign = "left";
  context.textBaseline = "top";
  context.fillText("x₁", o + 6, 4);
}

function arrow(context: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  const angle = Math.atan2(y1 - y0, x1 - x0);
  context.beginPath();
  context.moveTo(x0, y0);
  context.lineTo(x1, y1);
  context.stroke();
  context.beginPath();
  context.moveTo(x1, y1);
  context.lineTo(x1 - 10 * Math.cos(angle - 0.4), y1 - 10 * Math.sin(angle - 0.4));
  context.lineTo(x1 - 10 * Math.cos(angle + 0.4), y1 - 10 * Math.sin(angle + 0.4));
  context.closePath();
  context.fill();
}

/** Each class's line w_k·x + b_k = 0 and the arrow of its W row, from the line's point nearest the origin. */
function classLines(context: CanvasRenderingContext2D, demo: Demo, view: View): void {
  const { toPixel } = view;
  for (let k = 0; k < CLASSES; k++) {
    const w0 = demo.W.value.get(k, 0),
      w1 = demo.W.value.get(k, 1),
      bias = demo.b.value.get(k);
    const norm2 = w0 * w0 + w1 * w1;
    if (!(norm2 > 0) || !Number.isFinite(norm2) || !Number.isFinite(bias)) continue;
    context.strokeStyle = COLOURS[k]!;
    context.fillStyle = COLOURS[k]!;
    context.lineWidth = 2.5;
    context.beginPath();
    if (Math.abs(w1) > Math.abs(w0)) {
      context.moveTo(0, toPixel(-(-w0 * -SPAN - bias) / w1));
      context.lineTo(view.size, toPixel(-(-w0 * SPAN - bias) / w1));
    } else {
      context.moveTo(toPixel((-w1 * SPAN - bias) / w0), 0);
      context.lineTo(toPixel((-w1 * -SPAN - bias) / w0), view.size);
    }
    context.stroke();
    // The foot of the perpendicular from the origin, −b·w/|w|²; from the origin if it is off the plane.
    let fx = (-bias * w0) / norm2,
      fy = (-bias * w1) / norm2;
    if (Math.abs(fx) > SPAN - 0.5 || Math.abs(fy) > SPAN - 0.5) {
      fx = 0;
      fy = 0;
    }
    const length = Math.min(3, Math.max(0.8, Math.sqrt(norm2))) / Math.sqrt(norm2);
    arrow(context, toPixel(fx), toPixel(-fy), toPixel(fx + w0 * length), toPixel(-(fy + w1 * length)));
  }
}

/** Redraws the whole plane; `cursor` is the keyboard cursor (drawn when the plane has focus). */
export function drawPlane(
  context: CanvasRenderingContext2D,
  demo: Demo,
  view: View,
  cursor: { x0: number; x1: number } | null,
  highlighted: Point | null,
): void {
  context.clearRect(0, 0, view.size, view.size);
  if (!demo.diverged()) regions(context, demo, view);
  axes(context, view);
  if (!demo.diverged()) classLines(context, demo, view);
  else {
    const text = "diverged: no regions to draw";
    context.font = `600 ${Math.max(13, Math.round(view.size / 28))}px system-ui, sans-serif`;
    const width = context.measureText(text).width;
    context.fillStyle = "#fef2f2";
    context.fillRect((view.size - width) / 2 - 8, view.size * 0.12 - 16, width + 16, 32);
    context.fillStyle = "#991b1b";
    context.textAlign = "center";
    context.textBaseline = "middle";
    context.fillText(text, view.size / 2, view.size * 0.12);
  }
  const r = Math.max(5, view.size / 70);
  for (const p of demo.points) {
    marker(context, p.y, view.toPixel(p.x0), view.toPixel(-p.x1), p === highlighted ? r * 1.5 : r);
    context.lineWidth = 1;
    context.strokeStyle = "#111827";
    context.stroke();
  }
  if (cursor) {
    const px = view.toPixel(cursor.x0),
      py = view.toPixel(-cursor.x1);
    context.strokeStyle = "#111827";
    context.lineWidth = 2;
    context.beginPath();
    context.arc(px, py, r + 5, 0, 2 * Math.PI);
    context.moveTo(px - r - 10, py);
    context.lineTo(px - r - 2, py);
    context.moveTo(px + r + 2, py);
    context.lineTo(px + r + 10, py);
    context.moveTo(px, py - r - 10);
    context.lineTo(px, py - r - 2);
    context.moveTo(px, py + r + 2);
    context.lineTo(px, py + r + 10);
    context.stroke();
  }
}
