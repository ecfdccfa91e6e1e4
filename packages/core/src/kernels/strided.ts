/**
 * Shared walking of strided (broadcast) operands over an output shape: collapse the dimensions
 * that are contiguous for every operand, then visit the output one innermost row at a time.
 */

/** A loop nest after collapsing: `shape` and each operand's `strides`, innermost last. */
export interface CollapsedLoop {
  shape: number[];
  strides: number[][];
}

/**
 * Drops dimensions of size 1 and merges neighbours d, d+1 when, for every operand,
 * strides[d] = strides[d+1]·shape[d+1] (so one flat run covers both).
 */
export function collapseLoop(shape: readonly number[], operandStrides: readonly (readonly number[])[]): CollapsedLoop {
  const outShape: number[] = [];
  const outStrides: number[][] = operandStrides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && operandStrides.every((s, o) => outStrides[o]![last] === s[d]! * size)) {
      outShape[last] = outShape[last]! * size;
      operandStrides.forEach((s, o) => {
        outStrides[o]![last] = s[d]!;
      });
    } else {
      outShape.push(size);
      operandStrides.forEach((s, o) => {
        outStrides[o]!.push(s[d]!);
      });
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    outStrides.forEach((s) => {
      s.push(0);
    });
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `row(outOffset, offsets, length)` once per innermost row of the collapsed loop, where
 * `offsets[o]` is operand o's offset at the row's start. One call per row, never per element.
 */
export function forEachRow(
  loop: CollapsedLoop,
  row: (outOffset: number, offsets: Int32Array | number[], length: number) => void,
): void {
  const rank = loop.shape.length;
  const length = loop.shape[rank - 1]!;
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= loop.shape[d]!;
  if (length === 0 || rows === 0) return;
  const operands = loop.strides.length;
  const offsets = new Array<number>(operands).fill(0);
  const counter = new Array<number>(rank).fill(0);
  for (let r = 0, outOffset = 0; r < rows; r++, outOffset += length) {
    row(outOffset, offsets, length);
    for (let d = rank - 2; d >= 0; d--) {
      const strides = loop.strides;
      if (++counter[d]! < loop.shape[d]!) {
        for (let o = 0; o < operands; o++) offsets[o]! += strides[o]![d]!;
        break;
      }
      counter[d] = 0;
      for (let o = 0; o < operands; o++) offsets[o]! -= strides[o]![d]! * (loop.shape[d]! - 1);
    }
  }
}
