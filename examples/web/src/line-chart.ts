/** A small canvas line chart (log or linear y) for live loss curves: redrawn whole on each update. */
export interface ChartSeries {
  name: string;
  colour: string;
  values: number[];
}

/** How the y axis is drawn: "auto" takes log only when every finite value is > 0, linear otherwise. */
export type ChartScale = "log" | "linear" | "auto";

export interface ChartOptions {
  /** The y axis on a log scale (the original switch; `scale` wins when given). Default true. */
  logY?: boolean;
  scale?: ChartScale;
  title?: string;
  /** Canvas pixels per CSS pixel: the chart is laid out in CSS pixels (canvas.width / pixelRatio wide). */
  pixelRatio?: number;
  xLabel?: string;
  /** The x axis reaches at least this index (a run's planned length), so curves grow to the right. */
  xMax?: number;
  /** Draw the series' names inside the plot (default true). */
  legend?: boolean;
}

/** What was drawn: the scale taken and the lowest finite value (NaN when there was none). */
export interface ChartResult {
  scale: "log" | "linear";
  lowest: number;
}

/**
 * Round tick values covering [low, high], about `count` of them, at steps of 1, 2 or 5 × 10ᵏ
 * (Heckbert's "nice numbers").
 */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low) || !Number.isFinite(low) || !Number.isFinite(high)) return [low];
  const raw = (high - low) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const step = (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10) * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) {
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  }
  return ticks;
}

/** A tick label short enough for an axis: 3 significant digits, exponent form outside [1e-3, 1e5). */
export function tickLabel(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace("e+", "e");
  return String(Number(v.toPrecision(3)));
}

/**
 * Draws the series against their index. With `scale: "auto"` the y axis is logarithmic only when every finite
 * value is positive (a value ≤ 0 has no place on a log axis and would vanish), linear otherwise; the scale
 * taken is returned and kept on the canvas as `data-scale`, the lowest value as `data-lowest`.
 */
export function drawLineChart(
  canvas: HTMLCanvasElement,
  series: ChartSeries[],
  options: ChartOptions = {},
): ChartResult {
  const { logY = true, title = "", pixelRatio = 1, xLabel = "", legend = true, xMax = 0 } = options;
  const g = canvas.getContext("2d")!;
  const width = canvas.width / pixelRatio,
    height = canvas.height / pixelRatio;
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const lowest = all.length ? Math.min(...all) : NaN;
  const requested = options.scale ?? (logY ? "log" : "linear");
  const scale = requested === "auto" ? (all.length > 0 && lowest > 0 ? "log" : "linear") : requested;
  const log = scale === "log";
  canvas.dataset.scale = scale;
  canvas.dataset.lowest = String(lowest);
  const pad = { left: 52, right: 10, top: 20, bottom: xLabel ? 34 : 22 };
  g.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
  g.clearRect(0, 0, width, height);
  g.fillStyle = "#374151";
  g.font = "12px system-ui, sans-serif";
  g.textAlign = "left";
  g.fillText(title, pad.left, 13);
  const transform = (v: number) => (log ? Math.log10(Math.max(v, 1e-300)) : v);
  const shown = all.filter((v) => !log || v > 0).map(transform);
  const steps = Math.max(2, xMax + 1, ...series.map((s) => s.values.length));
  if (shown.length === 0) return { scale, lowest };
  let low = Math.min(...shown),
    high = Math.max(...shown);
  if (high - low < 1e-12) {
    low -= 0.5;
    high += 0.5;
  }
  const plotW = width - pad.left - pad.right,
    plotH = height - pad.top - pad.bottom;
  const x = (i: number) => pad.left + (i / (steps - 1)) * plotW;
  const yOf = (t: number) => pad.top + (1 - (t - low) / (high - low)) * plotH;
  const y = (v: number) => yOf(transform(v));
  g.strokeStyle = "#9ca3af";
  g.lineWidth = 1;
  g.strokeRect(pad.left, pad.top, plotW, plotH);
  // y ticks: decades on a log axis (thinned to about five), round numbers on a linear one.
  const yTicks = log
    ? niceTicks(low, high, 4)
        .filter((t) => Number.isInteger(Math.round(t * 1e9) / 1e9))
        .map((t) => 10 ** t)
    : niceTicks(low, high, 4);
  const ends = log ? [10 ** low, 10 ** high] : [low, high];
  g.fillStyle = "#4b5563";
  g.textAlign = "right";
  for (const v of yTicks.length >= 2 ? yTicks : ends) {
    const py = y(v);
    if (py < pad.top - 1 || py > pad.top + plotH + 1) continue;
    g.fillText(tickLabel(v), pad.left - 4, py + 4);
    g.strokeStyle = "#e5e7eb";
    g.beginPath();
    g.moveTo(pad.left + 1, py);
    g.lineTo(pad.left + plotW - 1, py);
    g.stroke();
  }
  g.textAlign = "center";
  for (const t of niceTicks(0, steps - 1, 5).filter(Number.isInteger)) {
    g.fillText(tickLabel(t), x(t), pad.top + plotH + 14);
  }
  if (xLabel) g.fillText(xLabel, pad.left + plotW / 2, height - 4);
  else {
    g.textAlign = "right";
    g.fillText(`${steps - 1} steps`, width - pad.right, height - 6);
  }
  g.textAlign = "left";
  g.save();
  g.beginPath();
  g.rect(pad.left, pad.top, plotW, plotH);
  g.clip();
  series.forEach((s) => {
    g.strokeStyle = s.colour;
    g.lineWidth = 1.5;
    g.beginPath();
    let started = false;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v) || (log && v <= 0)) {
        started = false;
        return;
      }
      if (started) g.lineTo(x(i), y(v));
      else {
        g.moveTo(x(i), y(v));
        started = true;
      }
    });
    g.stroke();
  });
  g.restore();
  if (legend) {
    const columns = Math.max(1, Math.floor(plotW / 110));
    series.forEach((s, k) => {
      g.fillStyle = s.colour;
      g.fillText(s.name, pad.left + 6 + (k % columns) * 110, pad.top + 14 + Math.floor(k / columns) * 14);
    });
  }
  return { scale, lowest };
}
