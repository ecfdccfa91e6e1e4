// Drawing for the CIFAR page: images and templates as pixels, the first layer's filters, the loss chart.

/** Draws a [3, size, size] planar image (R, G, B planes) into `canvas`, mapping [low, high] to [0, 255]. */
export function drawPlanes(
  canvas: HTMLCanvasElement,
  pixels: ArrayLike<number>,
  size: number,
  low = 0,
  high = 255,
): void {
  if (canvas.width !== size) canvas.width = size;
  if (canvas.height !== size) canvas.height = size;
  const g = canvas.getContext("2d")!;
  const image = g.createImageData(size, size);
  const area = size * size;
  for (let p = 0; p < area; p++) {
    for (let c = 0; c < 3; c++) {
      image.data[4 * p + c] = Math.round((255 * (pixels[c * area + p]! - low)) / (high - low || 1));
    }
    image.data[4 * p + 3] = 255;
  }
  g.putImageData(image, 0, 0);
}

/** Draws the planar image `pixels`, each one stretched to its own range (how templates and filters are shown). */
export function drawStretched(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, size: number): void {
  let low = Infinity,
    high = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    low = Math.min(low, pixels[i]!);
    high = Math.max(high, pixels[i]!);
  }
  drawPlanes(canvas, pixels, size, low, high);
}

/**
 * The mini-batch loss against the step (1 … n), linear axes with the range and step count marked, and a
 * dashed line at each epoch's end. Sized to the canvas's displayed width (it fits a phone).
 */
export function drawLossChart(canvas: HTMLCanvasElement, losses: number[], stepsPerEpoch: number, total: number): void {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(200, Math.round(canvas.clientWidth || 460)),
    height = Math.round(width * 0.42);
  if (canvas.width !== width * ratio) {
    canvas.width = width * ratio;
    canvas.height = height * ratio;
  }
  const g = canvas.getContext("2d")!;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const pad = { left: 44, right: 10, top: 18, bottom: 30 };
  const finite = losses.filter(Number.isFinite);
  const steps = Math.max(total, losses.length, 2);
  g.font = "12px system-ui, sans-serif";
  g.fillStyle = "#374151";
  g.fillText("mini-batch loss", pad.left, 12);
  g.strokeStyle = "#9ca3af";
  g.strokeRect(pad.left, pad.top, width - pad.left - pad.right, height - pad.top - pad.bottom);
  g.fillText("step", (width + pad.left) / 2 - 12, height - 4);
  g.fillText("1", pad.left, height - 17);
  const last = String(steps);
  g.fillText(last, width - pad.right - g.measureText(last).width, height - 17);
  if (finite.length === 0) return;
  let low = Math.min(0, ...finite),
    high = Math.max(...finite);
  if (high - low < 1e-12) high = low + 1;
  const x = (i: number) => pad.left + (i / (steps - 1)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - (v - low) / (high - low)) * (height - pad.top - pad.bottom);
  g.fillText(high.toPrecision(3), 2, y(high) + 4);
  g.fillText(low.toPrecision(3), 2, y(low));
  g.setLineDash([3, 3]);
  g.strokeStyle = "#d1d5db";
  for (let e = stepsPerEpoch; e < steps; e += stepsPerEpoch) {
    g.beginPath();
    g.moveTo(x(e - 1), pad.top);
    g.lineTo(x(e - 1), height - pad.bottom);
    g.stroke();
  }
  g.setLineDash([]);
  g.strokeStyle = "#1d4ed8";
  g.lineWidth = 1.5;
  g.beginPath();
  let started = false;
  losses.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      started = false;
      return;
    }
    if (started) g.lineTo(x(i), y(v));
    else g.moveTo(x(i), y(v));
    started = true;
  });
  g.stroke();
  g.lineWidth = 1;
}
