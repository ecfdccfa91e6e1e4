import { SlopeError } from "@slope/core";

/**
 * A state dict that does not fit the module it is loaded into: missing or unexpected keys, a shape
 * mismatch or a value that is not a Tensor. The message lists every problem, each with its key and
 * both shapes; the module is left unchanged.
 */
export class StateDictError extends SlopeError {}
