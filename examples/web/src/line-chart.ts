/** A small canvas line chart (log or linear y) for live loss curves: redrawn whole on each update. */
export interface ChartSeries { name: string; colour: string; values: number[] }

export function drawLineChart(canvas: HTMLCanvasElement, series: ChartSeries[], { logY = true, title = "" } = {}): void {
  const g = canvas.getContext("2d")!;
  const { width, height } = canvas;
  const pad = { left: 48, right: 10, top: 18, bottom: 22 };
  g.clearRect(0, 0, width, height);
  g.fillStyle = "#374151";
  g.font = "12px system-ui, sans-serif";
  g.fillText(title, pad.left, 12);
  const transform = (v: number) => (logY ? Math.log10(Math.max(v, 1e-300)) : v);
  const finite = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && (!logY || v > 0)).map(transform);
  const steps = Math.max(2, ...series.map((s) => s.values.length));
  if (finite.length === 0) return;
  let low = Math.min(...finite), high = Math.max(...finite);
  if (high - low < 1e-12) { low -= 0.5; high += 0.5; }
  const x = (i: number) => pad.left + (i / (steps - 1)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - (transform(v) - low) / (high - low)) * (height - pad.top - pad.bottom);
  g.strokeStyle = "#9ca3af";
  g.strokeRect(pad.left, pad.top, width - pad.left - pad.right, height - pad.top - pad.bottom);
  g.fillStyle = "#6b7280";
  for (const v of [low, high]) g.fillText(logY ? (10 ** v).toPrecision(3) : v.toPrecision(3), 2, y(logY ? 10 ** v : v) + 4);
  g.fillText(`${steps - 1} steps`, width - pad.right - 60, height - 6);
  series.forEach((s, k) => {
    g.strokeStyle = s.colour;
    g.lineWidth = 1.5;
    g.beginPath();
    let started = false;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v) || (logY && v <= 0)) { started = false; return; }
      if (started) g.lineTo(x(i), y(v)); else { g.moveTo(x(i), y(v)); started = true; }
    });
    g.stroke();
    g.fillStyle = s.colour;
    g.fillText(s.name, pad.left + 6 + (k % 3) * 110, pad.top + 14 + Math.floor(k / 3) * 14);
  });
}
