import { join } from "node:path";
import type { ExperimentContext } from "../context.js";
import { writeFileAtomic, writeJsonAtomic } from "./files.js";

/** What every results.json holds, beside each experiment's own figures. */
export type ResultsBase = {
  experiment: string;
  data: "cifar10" | "synthetic";
  dataDescription: string;
  seed: number;
  config: Record<string, unknown>;
  /** Files written beside results.json. */
  files: string[];
  seconds: number;
  /** Wall-clock figures: the whole experiment, and the experiment's own (per epoch, per method, …). */
  timings: Record<string, unknown>;
};

/**
 * Writes the experiment's pictures (SVG text, PNG bytes) and then results.json, each atomically,
 * and prints a one-table summary. Returns the full results object.
 */
export async function finish<T extends Record<string, unknown>>(
  context: ExperimentContext,
  started: number,
  config: Record<string, unknown>,
  results: T,
  pictures: Record<string, Promise<string> | string | Uint8Array> = {},
  summary?: Record<string, unknown>[],
): Promise<ResultsBase & T> {
  const files: string[] = [];
  for (const [name, content] of Object.entries(pictures)) {
    writeFileAtomic(join(context.out, name), await content);
    files.push(name);
  }
  const seconds = (performance.now() - started) / 1000;
  const own = (results as Record<string, unknown>).timings as Record<string, unknown> | undefined;
  const full = {
    experiment: context.experiment,
    data: context.data.kind,
    dataDescription: context.data.description,
    seed: context.seed,
    config,
    files,
    seconds,
    ...results,
    timings: { totalSeconds: seconds, ...own },
  } as ResultsBase & T;
  writeJsonAtomic(join(context.out, "results.json"), full);
  if (summary && summary.length > 0) context.log(table(summary));
  context.log(`wrote ${["results.json", ...files].map((f) => join(context.out, f)).join(", ")}`);
  return full;
}

/** A plain-text table of rows (the same columns each), for terminals and CI logs alike. */
export function table(rows: Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => {
    if (typeof v !== "number") return String(v ?? "");
    if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
    return Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3 ? v.toExponential(2) : String(+v.toPrecision(4));
  };
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join("  ");
  return [
    line(columns),
    line(widths.map((w) => "─".repeat(w))),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join("\n");
}

/** Percent with one decimal. */
export const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
