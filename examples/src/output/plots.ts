import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/**
 * Plots through Vega-Lite, rendered to SVG in Node by Vega's headless view (no browser, no
 * canvas): a grammar of graphics with log scales, legends and layering, rather than hand-drawn SVG.
 */

/** A named series of (x, y) points. */
export interface Series {
  name: string;
  points: [number, number][];
}

/** Options of a line chart. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logY?: boolean;
  logX?: boolean;
  width?: number;
  height?: number;
}

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Drops points a log scale cannot show and non-finite ones (a diverging run). */
function plottable(points: [number, number][], logX: boolean, logY: boolean): [number, number][] {
  return points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logX || x > 0) && (!logY || y > 0));
}

/** Lines of several series on one chart, as an SVG document. */
export function lineChart({
  title,
  xLabel,
  yLabel,
  series,
  logY = false,
  logX = false,
  width = 560,
  height = 320,
}: LineChartOptions): Promise<string> {
  const values = series.flatMap((s) => plottable(s.points, logX, logY).map(([x, y]) => ({ series: s.name, x, y })));
  return render({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width,
    height,
    data: { values },
    mark: { type: "line", strokeWidth: 1.5, clip: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: xLabel, scale: logX ? { type: "log" } : { zero: false } },
      y: { field: "y", type: "quantitative", title: yLabel, scale: logY ? { type: "log" } : { zero: false } },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        sort: series.map((s) => s.name),
        legend: { labelLimit: 400 },
      },
    },
  });
}

/** Options of a contour chart: a function sampled on a grid, with optimizer paths drawn over it. */
export interface ContourChartOptions {
  title: string;
  f: (x: number, y: number) => number;
  domain: { x: [number, number]; y: [number, number] };
  paths: Series[];
  minima?: [number, number][];
  resolution?: number;
  width?: number;
  height?: number;
}

/**
 * A loss surface as filled contours — sixteen bands of log(1 + f − min f), darker lower — with
 * each optimizer's trajectory drawn over it and the minima marked.
 */
export function contourChart({
  title,
  f,
  domain,
  paths,
  minima = [],
  resolution = 60,
  width = 460,
  height = 360,
}: ContourChartOptions): Promise<string> {
  const [x0, x1] = domain.x,
    [y0, y1] = domain.y;
  const dx = (x1 - x0) / resolution,
    dy = (y1 - y0) / resolution;
  const grid: { x: number; x2: number; y: number; y2: number; f: number }[] = [];
  let lowest = Infinity;
  for (let i = 0; i < resolution; i++) {
    for (let j = 0; j < resolution; j++) {
      const value = f(x0 + (i + 0.5) * dx, y0 + (j + 0.5) * dy);
      lowest = Math.min(lowest, value);
      grid.push({ x: x0 + i * dx, x2: x0 + (i + 1) * dx, y: y0 + j * dy, y2: y0 + (j + 1) * dy, f: value });
    }
  }
  // Sixteen bands of log(1 + f − min f): the edges between bands are the contour lines.
  const levels = grid.map((c) => Math.log1p(c.f - lowest));
  const highest = Math.max(...levels) || 1;
  const cells = grid.map((c, i) => ({ ...c, level: Math.floor((16 * levels[i]!) / highest) }));
  const inside = (x: number, y: number) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
  const pathValues = paths.flatMap((p) =>
    p.points.map(([x, y], step) => ({ series: p.name, x, y, step })).filter((v) => inside(v.x, v.y)),
  );
  const scales = {
    x: { domain: [x0, x1], nice: false, zero: false },
    y: { domain: [y0, y1], nice: false, zero: false },
  };
  return render({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width,
    height,
    layer: [
      {
        data: { values: cells },
        mark: { type: "rect", strokeWidth: 0 },
        encoding: {
          x: { field: "x", type: "quantitative", scale: scales.x, title: "x" },
          x2: { field: "x2" },
          y: { field: "y", type: "quantitative", scale: scales.y, title: "y" },
          y2: { field: "y2" },
          color: { field: "level", type: "quantitative", scale: { scheme: "greys", reverse: true }, legend: null },
        },
      },
      {
        data: { values: pathValues },
        mark: { type: "line", point: { size: 12 }, strokeWidth: 1.5, clip: true },
        encoding: {
          x: { field: "x", type: "quantitative", scale: scales.x },
          y: { field: "y", type: "quantitative", scale: scales.y },
          order: { field: "step", type: "quantitative" },
          color: {
            field: "series",
            type: "nominal",
            title: null,
            sort: paths.map((p) => p.name),
            legend: { labelLimit: 400 },
          },
        },
      },
      {
        data: { values: minima.map(([x, y]) => ({ x, y })) },
        mark: { type: "point", shape: "cross", size: 120, color: "red", filled: true },
        encoding: {
          x: { field: "x", type: "quantitative", scale: scales.x },
          y: { field: "y", type: "quantitative", scale: scales.y },
        },
      },
    ],
  } as TopLevelSpec);
}
