// float32 matmul at the lecture's shapes, beside a naive triple loop. Prints GFLOP/s (2·m·k·n flops a product).
import b from "benny";
import { Rng, matmul, randn } from "@slope/core";

const rng = new Rng("bench-matmul");
const cases = [
  { name: "X·W      256×3073 · 3073×10", m: 256, k: 3073, n: 10, transposeA: false },
  { name: "Xᵀ·dS    3073×256 · 256×10 (Xᵀ read in place)", m: 3073, k: 256, n: 10, transposeA: true },
  { name: "512×512 · 512×512", m: 512, k: 512, n: 512, transposeA: false },
];

/** C = A·B by the textbook i-j-p loop over row-major arrays (A read transposed when asked). */
function naiveMatmul(a, b, m, k, n, transposeA) {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transposeA ? a[p * m + i] : a[i * k + p]) * b[p * n + j];
      c[i * n + j] = s;
    }
  return c;
}

const rows = [];
for (const c of cases) {
  const a = randn(c.transposeA ? [c.k, c.m] : [c.m, c.k], { rng });
  const w = randn([c.k, c.n], { rng });
  const flops = 2 * c.m * c.k * c.n;
  await b.suite(
    c.name,
    b.add("slope matmul", () => {
      matmul(a, w, { transposeA: c.transposeA });
    }),
    b.add("naive triple loop", () => {
      naiveMatmul(a.data, w.data, c.m, c.k, c.n, c.transposeA);
    }),
    b.cycle(),
    b.complete((summary) => {
      for (const r of summary.results)
        rows.push({ shape: c.name, implementation: r.name, "GFLOP/s": +((r.ops * flops) / 1e9).toFixed(2) });
    }),
  );
}
console.log(`\nfloat32 matmul, one thread, Node ${process.version}`);
console.table(rows);
