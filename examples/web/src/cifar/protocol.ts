// The messages between the CIFAR page and its training worker (src/cifar/train-worker.ts).

/** Which model the worker trains. */
export type ModelKind = "linear" | "convnet";

/** What the page asks of the worker. */
export type ToWorker =
  | { kind: "threads" }
  | { kind: "data"; files: File[] }
  | { kind: "train"; model: ModelKind; epochs: number; lr: number; reg: number }
  | { kind: "stop" };

/** What the page draws at the end of an epoch. */
export interface EpochReport {
  kind: "epoch";
  epoch: number;
  epochs: number;
  /** Accuracy on the validation images (0–1) and how many there were. */
  accuracy: number;
  validated: number;
  /** The linear classifier's rows of W ([10, 3072], flat planes), or null for the convnet. */
  templates: Float32Array | null;
  /** The convnet's first-layer filters ([8, 3, 5, 5]), or null for the linear classifier. */
  filters: Float32Array | null;
  /** The first few test images (bytes), their true and predicted labels. */
  samples: { images: Uint8Array; truth: number[]; guess: number[] };
}

/** What the worker tells the page. */
export type FromWorker =
  | { kind: "kernels"; text: string }
  | { kind: "data"; text: string; labelNames: string[]; ok: boolean }
  | { kind: "steps"; losses: number[]; step: number; total: number; epoch: number }
  | EpochReport
  | { kind: "done"; stopped: boolean; step: number; total: number; accuracy: number; validated: number }
  | { kind: "error"; message: string };
