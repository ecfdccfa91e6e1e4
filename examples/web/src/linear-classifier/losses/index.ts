// The four data losses of the course's demo, in the menu's order.
import type { DataLoss } from "./data-loss.js";
import { oneVsAll } from "./one-vs-all.js";
import { softmax } from "./softmax.js";
import { structuredSvm } from "./structured-svm.js";
import { westonWatkins } from "./weston-watkins.js";

export { DELTA, type DataLoss, type LossKind } from "./data-loss.js";

export const DATA_LOSSES: readonly DataLoss[] = [westonWatkins, oneVsAll, structuredSvm, softmax];

/** The loss of a kind; an unknown kind falls back to Weston–Watkins. */
export const dataLossOf = (kind: string): DataLoss => DATA_LOSSES.find((l) => l.kind === kind) ?? westonWatkins;
