import * as core from "@slope/core";
import * as internal from "@slope/core/internal";
import { type Var, type VarLike, toVar } from "../var.js";
import { slice } from "./slice.js";

/**
 * x cut along `axis` into pieces (torch.split): a number is the size of each piece (the last may be
 * smaller), a list gives every piece's size and must add up to the axis. Each piece is a slice, so
 * ∂L/∂x is the pieces' gradients put back in place (zeros where a piece is unused).
 */
export function split(a: VarLike, sizesOrSections: number | readonly number[], axis = 0): Var[] {
  const x = toVar(a);
  if (typeof sizesOrSections !== "number") internal.checkList(sizesOrSections, "split", "sizes");
  const d = core.normalizeAxis(axis, x.shape.length, "split");
  const length = x.shape[d]!;
  let sizes: number[];
  if (typeof sizesOrSections === "number") {
    const section = sizesOrSections;
    if (!Number.isInteger(section) || section <= 0) {
      throw new core.ValueError(`split: the section size must be a positive integer, got ${section}`);
    }
    sizes = [];
    for (let start = 0; start < length; start += section) sizes.push(Math.min(section, length - start));
    if (length === 0) sizes.push(0);
  } else {
    sizes = [...sizesOrSections];
    if (sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new core.ValueError(`split: sizes must be integers ≥ 0, got [${sizes.join(", ")}]`);
    }
    const total = sizes.reduce((s, n) => s + n, 0);
    if (total !== length) {
      const where = `axis ${d} of ${core.formatShape(x.shape)}`;
      throw new core.ValueError(`split: sizes [${sizes.join(", ")}] add up to ${total}, but ${where} has ${length}`);
    }
  }
  let offset = 0;
  return sizes.map((size) => {
    const begin = x.shape.map((_, i) => (i === d ? offset : 0));
    const extent = x.shape.map((n, i) => (i === d ? size : n));
    offset += size;
    return slice(x, begin, extent);
  });
}
