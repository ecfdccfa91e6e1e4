// float32 matrix-product kernels with WebAssembly SIMD (v128), compiled by AssemblyScript into
// src/kernels/wasm/module.ts. Pointers are byte offsets into this module's memory, which the
// JavaScript side fills; nothing here allocates. Each kernel keeps its partial sums in registers:
// ten f32x4 accumulators and the operands fit the sixteen vector registers of x86-64 and arm64.

// @ts-nocheck: AssemblyScript, not TypeScript

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * C[m×n] = A[m×k] · B[n×k]ᵀ: every entry a dot product of a row of A with a row of B, both
 * contiguous. Two rows of A against five rows of B at a time (ten accumulators), four lanes of k
 * per step. Serves A·Bᵀ directly and A·B once B is transposed.
 */
export function dotRows(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const k4 = k & ~3;
  const row = (<usize>k) << 2;
  for (let i = 0; i < m; i += 2) {
    const pair = i + 1 < m;
    const a0 = a + <usize>i * row;
    const a1 = pair ? a0 + row : a0;
    for (let j = 0; j < n; j += 5) {
      const count = min(5, n - j);
      const b0 = b + <usize>j * row;
      const b1 = count > 1 ? b0 + row : b0;
      const b2 = count > 2 ? b0 + 2 * row : b0;
      const b3 = count > 3 ? b0 + 3 * row : b0;
      const b4 = count > 4 ? b0 + 4 * row : b0;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0), s04 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0), s14 = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) {
        const o = (<usize>p) << 2;
        const x0 = v128.load(a0 + o);
        const x1 = v128.load(a1 + o);
        let y = v128.load(b0 + o);
        s00 = f32x4.add(s00, f32x4.mul(x0, y)); s10 = f32x4.add(s10, f32x4.mul(x1, y));
        y = v128.load(b1 + o);
        s01 = f32x4.add(s01, f32x4.mul(x0, y)); s11 = f32x4.add(s11, f32x4.mul(x1, y));
        y = v128.load(b2 + o);
        s02 = f32x4.add(s02, f32x4.mul(x0, y)); s12 = f32x4.add(s12, f32x4.mul(x1, y));
        y = v128.load(b3 + o);
        s03 = f32x4.add(s03, f32x4.mul(x0, y)); s13 = f32x4.add(s13, f32x4.mul(x1, y));
        y = v128.load(b4 + o);
        s04 = f32x4.add(s04, f32x4.mul(x0, y)); s14 = f32x4.add(s14, f32x4.mul(x1, y));
      }
      let t00 = hsum(s00), t01 = hsum(s01), t02 = hsum(s02), t03 = hsum(s03), t04 = hsum(s04);
      let t10 = hsum(s10), t11 = hsum(s11), t12 = hsum(s12), t13 = hsum(s13), t14 = hsum(s14);
      for (let p = k4; p < k; p++) {
        const o = (<usize>p) << 2;
        const x0 = load<f32>(a0 + o), x1 = load<f32>(a1 + o);
        const y0 = load<f32>(b0 + o), y1 = load<f32>(b1 + o), y2 = load<f32>(b2 + o), y3 = load<f32>(b3 + o), y4 = load<f32>(b4 + o);
        t00 += x0 * y0; t01 += x0 * y1; t02 += x0 * y2; t03 += x0 * y3; t04 += x0 * y4;
        t10 += x1 * y0; t11 += x1 * y1; t12 += x1 * y2; t13 += x1 * y3; t14 += x1 * y4;
      }
      const c0 = c + ((<usize>(i * n + j)) << 2);
      store<f32>(c0, t00);
      if (count > 1) store<f32>(c0, t01, 4);
      if (count > 2) store<f32>(c0, t02, 8);
      if (count > 3) store<f32>(c0, t03, 12);
      if (count > 4) store<f32>(c0, t04, 16);
      if (pair) {
        const c1 = c0 + ((<usize>n) << 2);
        store<f32>(c1, t10);
        if (count > 1) store<f32>(c1, t11, 4);
        if (count > 2) store<f32>(c1, t12, 8);
        if (count > 3) store<f32>(c1, t13, 12);
        if (count > 4) store<f32>(c1, t14, 16);
      }
    }
  }
}

@inline function storeColumn(c: usize, n: i32, i: i32, j: i32, v: v128): void {
  const base = c + ((<usize>(i * n + j)) << 2);
  const step = (<usize>n) << 2;
  store<f32>(base, f32x4.extract_lane(v, 0));
  store<f32>(base + step, f32x4.extract_lane(v, 1));
  store<f32>(base + 2 * step, f32x4.extract_lane(v, 2));
  store<f32>(base + 3 * step, f32x4.extract_lane(v, 3));
}

/**
 * C[m×n] = A[k×m]ᵀ · B[k×n]: Cᵢⱼ = Σₚ Aₚᵢ Bₚⱼ (the backward pass's Xᵀ·dS), A's rows `lda` floats apart
 * (lda = m, or more when C is computed in slices of its rows). Four entries of i at a
 * time from the contiguous rows of A, against up to ten columns of B (ten accumulators: the
 * lecture's ten classes in one pass), a rank-1 update per p. B must be followed by 10 readable
 * floats (its last row is read in full).
 */
export function transposedTimes(a: usize, lda: i32, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const m4 = m & ~3;
  const rowA = (<usize>lda) << 2;
  const rowB = (<usize>n) << 2;
  for (let j = 0; j < n; j += 10) {
    const count = min(10, n - j);
    for (let i = 0; i < m4; i += 4) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0), s4 = f32x4.splat(0);
      let s5 = f32x4.splat(0), s6 = f32x4.splat(0), s7 = f32x4.splat(0), s8 = f32x4.splat(0), s9 = f32x4.splat(0);
      let pa = a + ((<usize>i) << 2);
      let pb = b + ((<usize>j) << 2);
      for (let p = 0; p < k; p++) {
        const x = v128.load(pa);
        s0 = f32x4.add(s0, f32x4.mul(x, f32x4.splat(load<f32>(pb))));
        s1 = f32x4.add(s1, f32x4.mul(x, f32x4.splat(load<f32>(pb, 4))));
        s2 = f32x4.add(s2, f32x4.mul(x, f32x4.splat(load<f32>(pb, 8))));
        s3 = f32x4.add(s3, f32x4.mul(x, f32x4.splat(load<f32>(pb, 12))));
        s4 = f32x4.add(s4, f32x4.mul(x, f32x4.splat(load<f32>(pb, 16))));
        s5 = f32x4.add(s5, f32x4.mul(x, f32x4.splat(load<f32>(pb, 20))));
        s6 = f32x4.add(s6, f32x4.mul(x, f32x4.splat(load<f32>(pb, 24))));
        s7 = f32x4.add(s7, f32x4.mul(x, f32x4.splat(load<f32>(pb, 28))));
        s8 = f32x4.add(s8, f32x4.mul(x, f32x4.splat(load<f32>(pb, 32))));
        s9 = f32x4.add(s9, f32x4.mul(x, f32x4.splat(load<f32>(pb, 36))));
        pa += rowA;
        pb += rowB;
      }
      storeColumn(c, n, i, j, s0);
      if (count > 1) storeColumn(c, n, i, j + 1, s1);
      if (count > 2) storeColumn(c, n, i, j + 2, s2);
      if (count > 3) storeColumn(c, n, i, j + 3, s3);
      if (count > 4) storeColumn(c, n, i, j + 4, s4);
      if (count > 5) storeColumn(c, n, i, j + 5, s5);
      if (count > 6) storeColumn(c, n, i, j + 6, s6);
      if (count > 7) storeColumn(c, n, i, j + 7, s7);
      if (count > 8) storeColumn(c, n, i, j + 8, s8);
      if (count > 9) storeColumn(c, n, i, j + 9, s9);
    }
  }
  // The last m mod 4 rows of C, one scalar sum each.
  for (let i = m4; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) s += load<f32>(a + ((<usize>(p * lda + i)) << 2)) * load<f32>(b + ((<usize>(p * n + j)) << 2));
      store<f32>(c + ((<usize>(i * n + j)) << 2), s);
    }
  }
}
