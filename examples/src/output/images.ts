import { PNG } from "pngjs";

/**
 * Class templates as one PNG: each 3,072-value row (R, G, B planes of 32×32) stretched to the full
 * 0–255 range, as the course does (255·(w − min)/(max − min)), scaled up `zoom` times and laid side by side.
 */
export function templatesPng(
  rows: Float32Array[] | Float64Array[],
  { zoom = 4, gap = 4 }: { zoom?: number; gap?: number } = {},
): Uint8Array {
  const size = 32 * zoom;
  const png = new PNG({ width: rows.length * (size + gap) - gap, height: size, colorType: 2 });
  png.data.fill(255);
  rows.forEach((row, k) => {
    let low = Infinity,
      high = -Infinity;
    for (const v of row) {
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
    const range = high - low || 1;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const p = Math.floor(y / zoom) * 32 + Math.floor(x / zoom);
        const at = (y * png.width + k * (size + gap) + x) * 4;
        for (let c = 0; c < 3; c++) png.data[at + c] = Math.round((255 * (row[c * 1024 + p]! - low)) / range);
        png.data[at + 3] = 255;
      }
    }
  });
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}
