import { ValueError } from "@slope/core";

// The argument checks every schedule shares: each names the schedule, the option, what it must be and what came.

/** Every value is a finite number; those listed in `positive` are also > 0. */
export function checkFinite(where: string, values: Record<string, number>, positive: string[] = []): void {
  for (const [name, v] of Object.entries(values)) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ValueError(`${where}: ${name} must be a finite number, got ${String(v)}`);
    }
    if (positive.includes(name) && !(v > 0)) throw new ValueError(`${where}: ${name} must be > 0, got ${v}`);
  }
}

/** `value` is an integer ≥ `min` (a count of steps, a patience, a period). */
export function checkInteger(where: string, name: string, value: number, min: number): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new ValueError(`${where}: ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

/** `value` is one of `choices`. */
export function checkChoice<C extends string>(where: string, name: string, value: C, choices: readonly C[]): void {
  if (!choices.includes(value)) {
    const list = choices.map((c) => `"${c}"`).join(", ");
    throw new ValueError(`${where}: ${name} must be one of ${list}, got ${JSON.stringify(value)}`);
  }
}
