import { ValueError } from "@slope/core";

/**
 * Refuses an options object with a name `where` does not take (a typo such as `{ layuot: "nchw" }`
 * would otherwise be silently ignored and give the default). `undefined` stands for "no options".
 */
export function checkOptions(where: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ValueError(`${where}: expected an options object, got ${options === null ? "null" : typeof options}`);
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new ValueError(`${where}: unknown option ${JSON.stringify(name)} (expected one of ${known.join(", ")})`);
    }
  }
}

/** Refuses a value outside `choices` for option `name` (`undefined` means the default and passes). */
export function checkChoice(where: string, name: string, value: unknown, choices: readonly unknown[]): void {
  if (value !== undefined && !choices.includes(value)) {
    throw new ValueError(
      `${where}: ${name} must be ${choices.map((c) => JSON.stringify(c)).join(" or ")}, ` +
        `got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`,
    );
  }
}
