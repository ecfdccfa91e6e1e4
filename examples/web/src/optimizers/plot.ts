// Drawing a surface to scale: one unit is as long on x as on y, so a narrow valley looks narrow. The surface's
// window is widened along one axis to fill the plot; contours, axes with ticks, the minima, the start, each
// optimizer's path and current position, and a legend on the plot.
import type { Surface } from "@slope/optim";
import { niceTicks, tickLabel } from "../line-chart.js";
import type { Marker } from "./kinds.js";

/** The plot's margins (CSS pixels) for the axes' tick labels. */
export const MARGIN = { left: 40, right: 8, top: 8, bottom: 30 };

/** The plotted window in surface units and the plot box in CSS pixels; `scale` is pixels per unit on both axes. */
export interface View {
  x: [number, number];
  y: [number, number];
  width: number;
  height: number;
  scale: number;
}

/**
 * The plot's height for a given width: the surface's aspect ratio, held between ½ (0.7 on a phone) and 0.8 of
 * the width
 * (and at most 420 px) so the page keeps its shape; the window then widens to match.
 */
export function plotHeight(surface: Surface, width: number): number {
  const { x, y } = surface.domain;
  const plotW = width - MARGIN.left - MARGIN.right;
  const natural = (plotW * (y[1] - y[0])) / (x[1] - x[0]);
  // A phone's plot is narrow: a taller window leaves room for the legend.
  const plotH = Math.min(Math.max(natural, (plotW < 500 ? 0.7 : 0.5) * plotW), 0.8 * plotW, 420);
  return Math.round(plotH + MARGIN.top + MARGIN.bottom);
}

/** The window that shows the whole domain at one scale for both axes, centred on the domain. */
export function viewFor(surface: Surface, width: number, height: number): View {
  const plotW = width - MARGIN.left - MARGIN.right,
    plotH = height - MARGIN.top - MARGIN.bottom;
  const { x, y } = surface.domain;
  const scale = Math.min(plotW / (x[1] - x[0]), plotH / (y[1] - y[0]));
  const cx = (x[0] + x[1]) / 2,
    cy = (y[0] + y[1]) / 2;
  const hx = plotW / scale / 2,
    hy = plotH / scale / 2;
  return { x: [cx - hx, cx + hx], y: [cy - hy, cy + hy], width: plotW, height: plotH, scale };
}

/** Surface coordinates to CSS pixels of the canvas. */
export function toPixel(view: View, x: number, y: number): [number, number] {
  return [MARGIN.left + (x - view.x[0]) * view.scale, MARGIN.top + (view.y[1] - y) * view.scale];
}

/** CSS pixels of the canvas to surface coordinates. */
export function fromPixel(view: View, px: number, py: number): [number, number] {
  return [view.x[0] + (px - MARGIN.left) / view.scale, view.y[1] - (py - MARGIN.top) / view.scale];
}

/**
 * The surface as 20 bands of log(1 + f − min f), lighter is higher, with a darker line where the band
 * changes (the contour lines), rendered once per surface and size into an offscreen canvas.
 */
export function renderContours(surface: Surface, view: View, pixelRatio: number): HTMLCanvasElement {
  const width = Math.max(1, Math.round(view.width * pixelRatio));
  const height = Math.max(1, Math.round(view.height * pixelRatio));
  const values = new Float64Array(width * height);
  let low = Infinity;
  for (let j = 0; j < height; j++) {
    const y = view.y[1] - ((j + 0.5) / height) * (view.y[1] - view.y[0]);
    for (let i = 0; i < width; i++) {
      const v = surface.f(view.x[0] + ((i + 0.5) / width) * (view.x[1] - view.x[0]), y);
      values[j * width + i] = v;
      if (v < low) low = v;
    }
  }
  let high = 0;
  for (let k = 0; k < values.length; k++) {
    values[k] = Math.log1p(Math.max(0, values[k]! - low));
    high = Math.max(high, values[k]!);
  }
  const bands = new Uint8Array(values.length);
  for (let k = 0; k < values.length; k++) bands[k] = Math.min(19, Math.floor((20 * values[k]!) / (high || 1)));
  const offscreen = document.createElement("canvas");
  offscreen.width = width;
  offscreen.height = height;
  const g = offscreen.getContext("2d")!;
  const image = g.createImageData(width, height);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const k = j * width + i,
        band = bands[k]!;
      const edge = (i + 1 < width && bands[k + 1] !== band) || (j + 1 < height && bands[k + width] !== band);
      // Low ground a pale blue, high ground near white: the paths' colours stay readable on both.
      const t = band / 19;
      const shade = edge
        ? [148, 163, 184]
        : [Math.round(191 + 62 * t), Math.round(212 + 41 * t), Math.round(236 + 17 * t)];
      image.data.set([shade[0]!, shade[1]!, shade[2]!, 255], 4 * k);
    }
  }
  g.putImageData(image, 0, 0);
  return offscreen;
}

/** Draws a marker of the given shape centred at (px, py). */
export function drawMarker(g: CanvasRenderingContext2D, shape: Marker, px: number, py: number, size: number): void {
  const r = size / 2;
  g.beginPath();
  if (shape === "circle") g.arc(px, py, r, 0, 2 * Math.PI);
  else if (shape === "square") g.rect(px - r * 0.85, py - r * 0.85, r * 1.7, r * 1.7);
  else if (shape === "triangle" || shape === "down") {
    const s = shape === "triangle" ? 1 : -1;
    g.moveTo(px, py - s * r * 1.1);
    g.lineTo(px + r, py + s * r * 0.8);
    g.lineTo(px - r, py + s * r * 0.8);
    g.closePath();
  } else if (shape === "diamond") {
    g.moveTo(px, py - r * 1.2);
    g.lineTo(px + r, py);
    g.lineTo(px, py + r * 1.2);
    g.lineTo(px - r, py);
    g.closePath();
  } else {
    for (let k = 0; k < 10; k++) {
      const angle = -Math.PI / 2 + (k * Math.PI) / 5,
        radius = k % 2 === 0 ? r * 1.25 : r * 0.55;
      const qx = px + radius * Math.cos(angle),
        qy = py + radius * Math.sin(angle);
      if (k === 0) g.moveTo(qx, qy);
      else g.lineTo(qx, qy);
    }
    g.closePath();
  }
  g.fill();
  g.stroke();
}

/** The start: a hollow ring with a dot. */
export function drawStart(g: CanvasRenderingContext2D, px: number, py: number): void {
  g.lineWidth = 2;
  g.strokeStyle = "#111827";
  g.fillStyle = "white";
  g.beginPath();
  g.arc(px, py, 7, 0, 2 * Math.PI);
  g.fill();
  g.stroke();
  g.fillStyle = "#111827";
  g.beginPath();
  g.arc(px, py, 2, 0, 2 * Math.PI);
  g.fill();
}

/** A minimum: a black × on a white halo. */
export function drawMinimum(g: CanvasRenderingContext2D, px: number, py: number): void {
  for (const [colour, width] of [
    ["white", 5],
    ["#111827", 2],
  ] as const) {
    g.strokeStyle = colour;
    g.lineWidth = width;
    g.beginPath();
    g.moveTo(px - 5, py - 5);
    g.lineTo(px + 5, py + 5);
    g.moveTo(px + 5, py - 5);
    g.lineTo(px - 5, py + 5);
    g.stroke();
  }
}

/** The axes: a frame round the plot, ticks at round numbers on both, and the axes' names. */
export function drawAxes(g: CanvasRenderingContext2D, view: View): void {
  g.strokeStyle = "#6b7280";
  g.lineWidth = 1;
  g.strokeRect(MARGIN.left, MARGIN.top, view.width, view.height);
  g.fillStyle = "#374151";
  g.font = "11px system-ui, sans-serif";
  g.textAlign = "center";
  const bottom = MARGIN.top + view.height;
  for (const t of niceTicks(view.x[0], view.x[1], Math.max(3, Math.round(view.width / 70)))) {
    const [px] = toPixel(view, t, 0);
    g.beginPath();
    g.moveTo(px, bottom);
    g.lineTo(px, bottom + 4);
    g.stroke();
    g.fillText(tickLabel(t), px, bottom + 15);
  }
  g.fillText("x", MARGIN.left + view.width / 2, bottom + 27);
  g.textAlign = "right";
  for (const t of niceTicks(view.y[0], view.y[1], Math.max(3, Math.round(view.height / 50)))) {
    const [, py] = toPixel(view, 0, t);
    g.beginPath();
    g.moveTo(MARGIN.left - 4, py);
    g.lineTo(MARGIN.left, py);
    g.stroke();
    g.fillText(tickLabel(t), MARGIN.left - 6, py + 4);
  }
  g.textAlign = "left";
  g.fillText("y", 4, MARGIN.top + 10);
}

/** One legend entry: a marker (an optimizer's, or the start's or a minimum's) and a name. */
export interface LegendEntry {
  name: string;
  colour: string;
  marker: Marker | "start" | "minimum";
}

/**
 * The legend in a corner of the plot: the corner where the fewest of `avoid` (pixels of the paths) fall,
 * on a white box so it reads over the contours.
 */
export function drawLegend(
  g: CanvasRenderingContext2D,
  view: View,
  entries: LegendEntry[],
  avoid: [number, number][],
): void {
  const small = view.width < 500;
  g.font = `${small ? 11 : 12}px system-ui, sans-serif`;
  // As many rows as fit in 45 % of the plot's height, then more columns.
  const rowH = small ? 14 : 16;
  const rows = Math.max(2, Math.min(entries.length, Math.floor((0.45 * view.height - 8) / rowH)));
  const columns = Math.ceil(entries.length / rows);
  const columnW = 30 + Math.max(...entries.map((e) => g.measureText(e.name).width));
  const boxW = columns * columnW,
    boxH = Math.min(rows, entries.length) * rowH + 8;
  const left = MARGIN.left + 6,
    right = MARGIN.left + view.width - boxW - 6;
  const top = MARGIN.top + 6,
    bottom = MARGIN.top + view.height - boxH - 6;
  const corners: [number, number][] = [
    [right, top],
    [left, top],
    [right, bottom],
    [left, bottom],
  ];
  const inside = ([bx, by]: [number, number]) =>
    avoid.filter(([px, py]) => px >= bx - 8 && px <= bx + boxW + 8 && py >= by - 8 && py <= by + boxH + 8).length;
  const [bx, by] = corners.reduce((best, c) => (inside(c) < inside(best) ? c : best));
  g.fillStyle = "rgba(255, 255, 255, 0.9)";
  g.strokeStyle = "#9ca3af";
  g.lineWidth = 1;
  g.fillRect(bx, by, boxW, boxH);
  g.strokeRect(bx, by, boxW, boxH);
  entries.forEach((e, k) => {
    const cy = by + 4 + (k % rows) * rowH + rowH / 2,
      cx = bx + 12 + Math.floor(k / rows) * columnW;
    if (e.marker === "start") drawStart(g, cx, cy);
    else if (e.marker === "minimum") drawMinimum(g, cx, cy);
    else {
      g.strokeStyle = e.colour;
      g.lineWidth = 2;
      g.beginPath();
      g.moveTo(cx - 8, cy);
      g.lineTo(cx + 8, cy);
      g.stroke();
      g.fillStyle = e.colour;
      g.strokeStyle = "white";
      g.lineWidth = 1;
      drawMarker(g, e.marker, cx, cy, 8);
    }
    g.fillStyle = "#111827";
    g.textAlign = "left";
    g.fillText(e.name, cx + 14, cy + 4);
  });
}
