import cliProgress from "cli-progress";

/** A progress bar: advance it, then stop it. */
export interface Progress {
  tick(amount?: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

const silent: Progress = { tick() {}, stop() {} };

/**
 * A progress bar with rate and ETA (cli-progress) on a terminal; nothing at all when stdout is
 * not a terminal (CI logs, pipes) or when quiet.
 */
export function startProgress(total: number, label: string, quiet = false): Progress {
  if (quiet || !process.stdout.isTTY || total <= 0) return silent;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(24)} {bar} {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted} {note}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(total, 0, { rate: "0", note: "" });
  let value = 0;
  return {
    tick(amount = 1, payload = {}) {
      value += amount;
      const seconds = Math.max((Date.now() - started) / 1000, 1e-3);
      bar.update(value, { rate: (value / seconds).toFixed(1), note: "", ...payload });
    },
    stop() {
      bar.stop();
    },
  };
}
