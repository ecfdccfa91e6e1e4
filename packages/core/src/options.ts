import { ValueError } from "./errors.js";

/**
 * The options object a function was given, checked: `undefined` is `{}`; anything that is not a plain object (null,
 * a number, an array) or that names an option not in `known` is a ValueError naming `where`, what came and what is
 * accepted. A misspelt option (`{ tranposeA: true }`) must not be silently ignored.
 */
export function checkOptions<T extends object>(options: T | undefined, known: readonly string[], where: string): T {
  if (options === undefined) return {} as T;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    const got = options === null ? "null" : Array.isArray(options) ? "an array" : typeof options;
    throw new ValueError(`${where}: expected an options object (${known.join(", ")}), got ${got}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const expected = known.length === 0 ? "none" : known.join(", ");
      throw new ValueError(`${where}: unknown option "${key}" (expected ${expected})`);
    }
  }
  return options;
}
