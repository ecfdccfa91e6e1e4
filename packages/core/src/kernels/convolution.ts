// The JavaScript kernels of convolution and pooling over NCHW images. A convolution is a product:
// im2col lays each receptive field out as a column, so that the weights [out, in·kh·kw] times the
// columns [in·kh·kw, oh·ow] is the output image, computed by the matmul kernels (WebAssembly SIMD
// where the backend has it). The loops here only move values; none calls a function per element.
import type { FloatArray } from "../dtype.js";
import type { Conv2dGeometry, Conv2dShape, Kernels, Pool2dGeometry, WindowAverage } from "./types.js";

/** The first output index o ≥ 0 whose input position o·stride − pad + offset is ≥ 0 (clamped to [0, outSize]). */
function firstInside(pad: number, offset: number, stride: number, outSize: number): number {
  const o = Math.ceil((pad - offset) / stride);
  return Math.min(Math.max(o, 0), outSize);
}

/** One past the last output index whose input position o·stride − pad + offset is < size (clamped to [0, outSize]). */
function endInside(size: number, pad: number, offset: number, stride: number, outSize: number): number {
  const o = Math.floor((size - 1 + pad - offset) / stride) + 1;
  return Math.min(Math.max(o, 0), outSize);
}

/**
 * cols[(c·kh + i)·kw + j, oy·ow + ox] = x[c, oy·sh − padTop + i·dh, ox·sw − padLeft + j·dw], zero outside the image,
 * for the image of `channels × height × width` values starting at x[xOffset]. Every row of cols is written.
 */
export function im2col(cols: FloatArray, x: FloatArray, xOffset: number, g: Conv2dGeometry): void {
  const {
    channels,
    height,
    width,
    kernelH,
    kernelW,
    strideH,
    strideW,
    padTop,
    padLeft,
    dilationH,
    dilationW,
    outH,
    outW,
  } = g;
  const plane = height * width,
    positions = outH * outW;
  let row = 0;
  for (let c = 0; c < channels; c++) {
    const xPlane = xOffset + c * plane;
    for (let i = 0; i < kernelH; i++) {
      const yFirst = firstInside(padTop, i * dilationH, strideH, outH);
      const yEnd = endInside(height, padTop, i * dilationH, strideH, outH);
      for (let j = 0; j < kernelW; j++, row++) {
        const base = row * positions;
        const xFirst = firstInside(padLeft, j * dilationW, strideW, outW);
        const xEnd = endInside(width, padLeft, j * dilationW, strideW, outW);
        if (yFirst > 0) cols.fill(0, base, base + yFirst * outW);
        if (yEnd < outH) cols.fill(0, base + yEnd * outW, base + positions);
        for (let oy = yFirst; oy < yEnd; oy++) {
          const to = base + oy * outW;
          const from = xPlane + (oy * strideH - padTop + i * dilationH) * width - padLeft + j * dilationW;
          if (xFirst > 0) cols.fill(0, to, to + xFirst);
          if (xEnd < outW) cols.fill(0, to + xEnd, to + outW);
          if (strideW === 1) for (let ox = xFirst; ox < xEnd; ox++) cols[to + ox] = x[from + ox]!;
          else for (let ox = xFirst; ox < xEnd; ox++) cols[to + ox] = x[from + ox * strideW]!;
        }
      }
    }
  }
}

/** The adjoint of im2col: dx[c, y, x] += every cols entry that im2col read from there (image at dx[dxOffset]). */
export function col2im(dx: FloatArray, dxOffset: number, cols: FloatArray, g: Conv2dGeometry): void {
  const {
    channels,
    height,
    width,
    kernelH,
    kernelW,
    strideH,
    strideW,
    padTop,
    padLeft,
    dilationH,
    dilationW,
    outH,
    outW,
  } = g;
  const plane = height * width,
    positions = outH * outW;
  let row = 0;
  for (let c = 0; c < channels; c++) {
    const xPlane = dxOffset + c * plane;
    for (let i = 0; i < kernelH; i++) {
      const yFirst = firstInside(padTop, i * dilationH, strideH, outH);
      const yEnd = endInside(height, padTop, i * dilationH, strideH, outH);
      for (let j = 0; j < kernelW; j++, row++) {
        const base = row * positions;
        const xFirst = firstInside(padLeft, j * dilationW, strideW, outW);
        const xEnd = endInside(width, padLeft, j * dilationW, strideW, outW);
        for (let oy = yFirst; oy < yEnd; oy++) {
          const from = base + oy * outW;
          const to = xPlane + (oy * strideH - padTop + i * dilationH) * width - padLeft + j * dilationW;
          for (let ox = xFirst; ox < xEnd; ox++) dx[to + ox * strideW]! += cols[from + ox]!;
        }
      }
    }
  }
}

/**
 * out[p, oy, ox] = max over the window of x[p, ·, ·] (padding never wins; NaN does, as in PyTorch), and
 * argmax[p·oh·ow + oy·ow + ox] = the flat index into x of that maximum, for `planes` planes (N·C).
 */
export function maxPool2d(out: FloatArray, argmax: Int32Array, x: FloatArray, planes: number, g: Pool2dGeometry): void {
  const { height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, dilationH, dilationW, outH, outW } = g;
  const inside =
    padTop === 0 &&
    padLeft === 0 &&
    dilationH === 1 &&
    dilationW === 1 &&
    (outH - 1) * strideH + kernelH <= height &&
    (outW - 1) * strideW + kernelW <= width;
  if (inside) {
    maxPoolInside(out, argmax, x, planes, g);
    return;
  }
  const plane = height * width;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * plane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * strideW - padLeft;
        let best = -Infinity,
          at = -1;
        for (let i = 0; i < kernelH; i++) {
          const y = y0 + i * dilationH;
          if (y < 0 || y >= height) continue;
          const rowStart = base + y * width;
          for (let j = 0; j < kernelW; j++) {
            const xx = x0 + j * dilationW;
            if (xx < 0 || xx >= width) continue;
            const v = x[rowStart + xx]!;
            if (v > best || at < 0 || Number.isNaN(v)) {
              best = v;
              at = rowStart + xx;
              if (Number.isNaN(v)) {
                i = kernelH;
                break;
              }
            }
          }
        }
        out[o] = best;
        argmax[o] = at;
      }
    }
  }
}

/**
 * maxPool2d when every window lies inside its plane (no padding, no dilation; the common 2×2 stride 2):
 * the same maxima and indices without a bounds test per element, much faster (bench/README.md, "Measured in code
 * comments").
 */
function maxPoolInside(out: FloatArray, argmax: Int32Array, x: FloatArray, planes: number, g: Pool2dGeometry): void {
  const { height, width, kernelH, kernelW, strideH, strideW, outH, outW } = g;
  const plane = height * width;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < outH; oy++) {
      const top = p * plane + oy * strideH * width;
      for (let ox = 0; ox < outW; ox++, o++) {
        const corner = top + ox * strideW;
        let at = corner,
          best = x[corner]!;
        for (let i = 0; i < kernelH && !Number.isNaN(best); i++) {
          const row = corner + i * width;
          for (let j = i === 0 ? 1 : 0; j < kernelW; j++) {
            const v = x[row + j]!;
            if (v > best || Number.isNaN(v)) {
              best = v;
              at = row + j;
              if (Number.isNaN(v)) break;
            }
          }
        }
        out[o] = best;
        argmax[o] = at;
      }
    }
  }
}

/**
 * out[indices[i]] += x[i]: the adjoint of taking x's values at flat indices (max pooling's backward), once every index
 * is in [0, out.length); returns −1, or the position of the first index outside it (and then changes nothing).
 */
export function scatterAddAt(out: FloatArray, x: FloatArray, indices: Int32Array): number {
  for (let i = 0; i < indices.length; i++) {
    const at = indices[i]!;
    if (at < 0 || at >= out.length) return i;
  }
  for (let i = 0; i < indices.length; i++) out[indices[i]!]! += x[i]!;
  return -1;
}

/** out[i] = x[indices[i]]: values at flat indices. */
export function gatherAt(out: FloatArray, x: FloatArray, indices: Int32Array): void {
  for (let i = 0; i < indices.length; i++) out[i] = x[indices[i]!]!;
}

/**
 * Separable window averages (average pooling, adaptive or not): out[p, oy, ox] = Σ x[p, y, x] over
 * rows [rows[2oy], rows[2oy+1]) and columns [cols[2ox], cols[2ox+1]), divided by rowCounts[oy]·colCounts[ox].
 */
export function windowAverage(out: FloatArray, x: FloatArray, planes: number, w: WindowAverage): void {
  const { height, width, rows, cols, rowCounts, colCounts } = w;
  const outH = rowCounts.length,
    outW = colCounts.length,
    plane = height * width;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * plane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = rows[2 * oy]!,
        y1 = rows[2 * oy + 1]!;
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = cols[2 * ox]!,
          x1 = cols[2 * ox + 1]!;
        let total = 0;
        for (let y = y0; y < y1; y++) {
          const row = base + y * width;
          for (let xx = x0; xx < x1; xx++) total += x[row + xx]!;
        }
        out[o] = total / (rowCounts[oy]! * colCounts[ox]!);
      }
    }
  }
}

/** The adjoint of windowAverage: dx[p, y, x] += g[p, oy, ox] / (rowCounts[oy]·colCounts[ox]) over each window holding (y, x). */
export function windowAverageBackward(dx: FloatArray, g: FloatArray, planes: number, w: WindowAverage): void {
  const { height, width, rows, cols, rowCounts, colCounts } = w;
  const outH = rowCounts.length,
    outW = colCounts.length,
    plane = height * width;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * plane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = rows[2 * oy]!,
        y1 = rows[2 * oy + 1]!;
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = cols[2 * ox]!,
          x1 = cols[2 * ox + 1]!;
        const share = g[o]! / (rowCounts[oy]! * colCounts[ox]!);
        for (let y = y0; y < y1; y++) {
          const row = base + y * width;
          for (let xx = x0; xx < x1; xx++) dx[row + xx]! += share;
        }
      }
    }
  }
}

/** What a convolution by columns uses: any backend's im2col, col2im, product and axpy. */
type ColumnKernels = Pick<Kernels, "im2col" | "col2im" | "matmul" | "axpy">;

/** Float arrays like `like` (float32 or float64) of `size` elements. */
function arrayLike(like: FloatArray, size: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(size) : new Float32Array(size);
}

/**
 * conv2d one image at a time: out[n, group] = w[group] [O/G, C/G·kh·kw] · im2col(x[n])[group rows],
 * each product through `k.matmul` (WebAssembly SIMD where the backend has it).
 */
export function conv2dByColumns(k: ColumnKernels, out: FloatArray, x: FloatArray, w: FloatArray, s: Conv2dShape): void {
  const positions = s.outH * s.outW,
    rows = (s.channels / s.groups) * s.kernelH * s.kernelW,
    outPerGroup = s.outChannels / s.groups;
  const cols = arrayLike(out, s.groups * rows * positions);
  for (let n = 0; n < s.batch; n++) {
    k.im2col(cols, x, n * s.channels * s.height * s.width, s);
    for (let g = 0; g < s.groups; g++) {
      k.matmul(
        out,
        (n * s.outChannels + g * outPerGroup) * positions,
        w,
        g * outPerGroup * rows,
        cols,
        g * rows * positions,
        outPerGroup,
        rows,
        positions,
        false,
        false,
      );
    }
  }
}

/** dx[n] = col2im(w[group]ᵀ · g[n, group]) one image at a time. */
export function conv2dBackwardInputByColumns(
  k: ColumnKernels,
  dx: FloatArray,
  g: FloatArray,
  w: FloatArray,
  s: Conv2dShape,
): void {
  const positions = s.outH * s.outW,
    rows = (s.channels / s.groups) * s.kernelH * s.kernelW,
    outPerGroup = s.outChannels / s.groups;
  const image = s.channels * s.height * s.width;
  const cols = arrayLike(dx, s.groups * rows * positions);
  dx.fill(0, 0, s.batch * image);
  for (let n = 0; n < s.batch; n++) {
    for (let group = 0; group < s.groups; group++) {
      k.matmul(
        cols,
        group * rows * positions,
        w,
        group * outPerGroup * rows,
        g,
        (n * s.outChannels + group * outPerGroup) * positions,
        rows,
        outPerGroup,
        positions,
        true,
        false,
      );
    }
    k.col2im(dx, n * image, cols, s);
  }
}

/** dw[group] = Σ_n g[n, group] · im2col(x[n])[group rows]ᵀ, one image at a time. */
export function conv2dBackwardWeightByColumns(
  k: ColumnKernels,
  dw: FloatArray,
  x: FloatArray,
  g: FloatArray,
  s: Conv2dShape,
): void {
  const positions = s.outH * s.outW,
    rows = (s.channels / s.groups) * s.kernelH * s.kernelW,
    outPerGroup = s.outChannels / s.groups;
  const cols = arrayLike(dw, s.groups * rows * positions);
  const perImage = s.batch > 1 ? arrayLike(dw, dw.length) : dw;
  if (s.batch === 0) dw.fill(0);
  for (let n = 0; n < s.batch; n++) {
    k.im2col(cols, x, n * s.channels * s.height * s.width, s);
    const into = n === 0 ? dw : perImage;
    for (let group = 0; group < s.groups; group++) {
      k.matmul(
        into,
        group * outPerGroup * rows,
        g,
        (n * s.outChannels + group * outPerGroup) * positions,
        cols,
        group * rows * positions,
        outPerGroup,
        positions,
        rows,
        false,
        true,
      );
    }
    if (n > 0) k.axpy(dw, 1, perImage);
  }
}

/** The convolution and pooling kernels, spread into every backend's Kernels. */
export const convolutionKernels = {
  im2col,
  col2im,
  maxPool2d,
  scatterAddAt,
  gatherAt,
  windowAverage,
  windowAverageBackward,
};
