// float32 matrix-product kernels with WebAssembly SIMD (v128), compiled by AssemblyScript into
// src/kernels/wasm/module.ts. Pointers are byte offsets into this module's memory, which the
// JavaScript side fills; nothing here allocates.
//
// Each kernel's inner loop keeps eight f32x4 accumulators and six operands live: fourteen vector
// registers. V8's optimizing compiler loads every operand of an iteration before the first
// multiply, so a ten-accumulator block (ten plus seven operands) no longer fits x86-64's sixteen
// and spills three accumulators to the stack on every step, halving the speed; eight do not.
// Rows and columns past the matrix's edge are computed on a clamped (repeated) row and not stored.

// @ts-nocheck: AssemblyScript, not TypeScript

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** acc + x·y, lane by lane. */
@inline function madd(acc: v128, x: v128, y: v128): v128 {
  return f32x4.add(acc, f32x4.mul(x, y));
}

/**
 * C[m×n] = A[m×k] · B[n×k]ᵀ: Cᵢⱼ = Σₚ Aᵢₚ Bⱼₚ, a dot product of two contiguous rows. Four rows of A
 * against two rows of B at a time, four lanes of k per step, the last k mod 4 in scalars. Serves
 * A·Bᵀ with a long k, and A·B with few columns once B is transposed (the lecture's X·W).
 */
export function dotRows(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const k4 = k & ~3;
  const row = (<usize>k) << 2;
  const end = (<usize>k4) << 2;
  const rowC = (<usize>n) << 2;
  for (let i = 0; i < m; i += 4) {
    const a0 = a + <usize>i * row;
    const a1 = i + 1 < m ? a0 + row : a0;
    const a2 = i + 2 < m ? a0 + 2 * row : a0;
    const a3 = i + 3 < m ? a0 + 3 * row : a0;
    for (let j = 0; j < n; j += 2) {
      const b0 = b + <usize>j * row;
      const b1 = j + 1 < n ? b0 + row : b0;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      for (let o: usize = 0; o < end; o += 16) {
        const y0 = v128.load(b0 + o), y1 = v128.load(b1 + o);
        let x = v128.load(a0 + o);
        s00 = madd(s00, x, y0); s01 = madd(s01, x, y1);
        x = v128.load(a1 + o);
        s10 = madd(s10, x, y0); s11 = madd(s11, x, y1);
        x = v128.load(a2 + o);
        s20 = madd(s20, x, y0); s21 = madd(s21, x, y1);
        x = v128.load(a3 + o);
        s30 = madd(s30, x, y0); s31 = madd(s31, x, y1);
      }
      let t00 = hsum(s00), t01 = hsum(s01), t10 = hsum(s10), t11 = hsum(s11);
      let t20 = hsum(s20), t21 = hsum(s21), t30 = hsum(s30), t31 = hsum(s31);
      for (let o = end; o < row; o += 4) {
        const y0 = load<f32>(b0 + o), y1 = load<f32>(b1 + o);
        const x0 = load<f32>(a0 + o), x1 = load<f32>(a1 + o), x2 = load<f32>(a2 + o), x3 = load<f32>(a3 + o);
        t00 += x0 * y0; t01 += x0 * y1; t10 += x1 * y0; t11 += x1 * y1;
        t20 += x2 * y0; t21 += x2 * y1; t30 += x3 * y0; t31 += x3 * y1;
      }
      const c0 = c + <usize>i * rowC + ((<usize>j) << 2);
      const pair = j + 1 < n;
      store<f32>(c0, t00);
      if (pair) store<f32>(c0, t01, 4);
      if (i + 1 < m) { store<f32>(c0 + rowC, t10); if (pair) store<f32>(c0 + rowC, t11, 4); }
      if (i + 2 < m) { store<f32>(c0 + 2 * rowC, t20); if (pair) store<f32>(c0 + 2 * rowC, t21, 4); }
      if (i + 3 < m) { store<f32>(c0 + 3 * rowC, t30); if (pair) store<f32>(c0 + 3 * rowC, t31, 4); }
    }
  }
}

/**
 * C[m×n] = A[m×k] · B[k×n]: row i of C is Σₚ Aᵢₚ · (row p of B), so four lanes of C's columns at a
 * time. Two rows of A at a time sweep their two rows of C in blocks of sixteen columns (four
 * vectors), so C is written in order: block by block down the rows instead, rows of C a multiple of
 * 4 KiB apart (n = 3072) fell in one L1 set and ran at 60 % of the speed. B (k × n, k short) stays in
 * L2 meanwhile. The last n mod 16 columns go four at a time, the last n mod 4 in scalars. Serves
 * products with a short k: A·B, and A·Bᵀ once B is transposed (the backward pass's dS·Wᵀ, k = 10
 * classes).
 */
export function rowsTimes(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const rowA = (<usize>k) << 2;
  const rowB = (<usize>n) << 2;
  const n16 = n & ~15;
  for (let i = 0; i < m; i += 2) {
    const a0 = a + <usize>i * rowA;
    const a1 = i + 1 < m ? a0 + rowA : a0;
    for (let j = 0; j < n16; j += 16) {
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      let pb = b + ((<usize>j) << 2);
      for (let o: usize = 0; o < rowA; o += 4) {
        const x0 = v128.load32_splat(a0 + o), x1 = v128.load32_splat(a1 + o);
        let y = v128.load(pb);
        s00 = madd(s00, x0, y); s10 = madd(s10, x1, y);
        y = v128.load(pb, 16);
        s01 = madd(s01, x0, y); s11 = madd(s11, x1, y);
        y = v128.load(pb, 32);
        s02 = madd(s02, x0, y); s12 = madd(s12, x1, y);
        y = v128.load(pb, 48);
        s03 = madd(s03, x0, y); s13 = madd(s13, x1, y);
        pb += rowB;
      }
      const c0 = c + <usize>i * rowB + ((<usize>j) << 2);
      v128.store(c0, s00); v128.store(c0, s01, 16); v128.store(c0, s02, 32); v128.store(c0, s03, 48);
      if (i + 1 < m) {
        const c1 = c0 + rowB;
        v128.store(c1, s10); v128.store(c1, s11, 16); v128.store(c1, s12, 32); v128.store(c1, s13, 48);
      }
    }
  }
  const n4 = n & ~3;
  for (let j = n16; j < n4; j += 4) {
    for (let i = 0; i < m; i++) {
      const a0 = a + <usize>i * rowA;
      let s = f32x4.splat(0);
      let pb = b + ((<usize>j) << 2);
      for (let o: usize = 0; o < rowA; o += 4) {
        s = madd(s, v128.load32_splat(a0 + o), v128.load(pb));
        pb += rowB;
      }
      v128.store(c + <usize>i * rowB + ((<usize>j) << 2), s);
    }
  }
  for (let j = n4; j < n; j++) {
    for (let i = 0; i < m; i++) {
      const a0 = a + <usize>i * rowA;
      let s: f32 = 0;
      let pb = b + ((<usize>j) << 2);
      for (let o: usize = 0; o < rowA; o += 4) {
        s += load<f32>(a0 + o) * load<f32>(pb);
        pb += rowB;
      }
      store<f32>(c + <usize>i * rowB + ((<usize>j) << 2), s);
    }
  }
}

/** Writes lanes of `v` down column j of C (rows i, i+1, … while below m). */
@inline function storeColumn(c: usize, n: i32, m: i32, i: i32, j: i32, v: v128): void {
  const step = (<usize>n) << 2;
  const base = c + <usize>i * step + ((<usize>j) << 2);
  if (i < m) store<f32>(base, f32x4.extract_lane(v, 0));
  if (i + 1 < m) store<f32>(base + step, f32x4.extract_lane(v, 1));
  if (i + 2 < m) store<f32>(base + 2 * step, f32x4.extract_lane(v, 2));
  if (i + 3 < m) store<f32>(base + 3 * step, f32x4.extract_lane(v, 3));
}

/**
 * C[m×n] = A[k×m]ᵀ · B[k×n]: Cᵢⱼ = Σₚ Aₚᵢ Bₚⱼ (the backward pass's Xᵀ·dS), A's rows `lda` floats
 * apart (lda = m, or more when C is computed in slices of its rows). Sixteen entries of i at a time
 * against two columns of B, a rank-1 update per p. The first pair reads the sixteen columns of A
 * and packs them into `scratch` (k × 16 floats; zero past m) for the other pairs: read straight
 * from A, rows a multiple of 4 KiB apart fall in one set of the L1 cache and evict each other
 * before the next pair could use them.
 */
export function transposedTimes(a: usize, lda: i32, b: usize, c: usize, m: i32, k: i32, n: i32, scratch: usize): void {
  const rowA = (<usize>lda) << 2;
  for (let i = 0; i < m; i += 16) {
    let j = 0;
    const corner = a + ((<usize>i) << 2);
    if (m - i >= 16) {
      // A full block: the first pair of columns reads A itself and packs it on the way.
      columnPair(corner, rowA, true, scratch, b, c, m, k, n, i, 0);
      j = 2;
    } else {
      // The last, narrower block: packed first, zeros past m.
      const width = m - i;
      let from = corner, to = scratch;
      for (let p = 0; p < k; p++) {
        for (let r = 0; r < 16; r++) store<f32>(to + ((<usize>r) << 2), r < width ? load<f32>(from + ((<usize>r) << 2)) : 0);
        from += rowA; to += 64;
      }
    }
    for (; j < n; j += 2) columnPair(scratch, 64, false, scratch, b, c, m, k, n, i, j);
  }
}

/**
 * Columns j and j+1 (or j alone at the edge) of C's rows i … i+15: Σₚ (16 floats of A's row p)
 * · B[p, j], rows of A `step` bytes apart from `from`; when `packing`, each is also copied to
 * `scratch` (64 bytes apart) for the next pairs to read from there.
 */
@inline function columnPair(from: usize, step: usize, packing: bool, scratch: usize, b: usize, c: usize, m: i32, k: i32, n: i32, i: i32, j: i32): void {
  const j1 = j + 1 < n ? j + 1 : j;
  const rowB = (<usize>n) << 2;
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
  let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
  let pa = from, ps = scratch;
  let pb0 = b + ((<usize>j) << 2);
  let pb1 = b + ((<usize>j1) << 2);
  for (let p = 0; p < k; p++) {
    const y0 = v128.load32_splat(pb0), y1 = v128.load32_splat(pb1);
    let x = v128.load(pa);
    if (packing) v128.store(ps, x);
    s00 = madd(s00, x, y0); s01 = madd(s01, x, y1);
    x = v128.load(pa, 16);
    if (packing) v128.store(ps, x, 16);
    s10 = madd(s10, x, y0); s11 = madd(s11, x, y1);
    x = v128.load(pa, 32);
    if (packing) v128.store(ps, x, 32);
    s20 = madd(s20, x, y0); s21 = madd(s21, x, y1);
    x = v128.load(pa, 48);
    if (packing) v128.store(ps, x, 48);
    s30 = madd(s30, x, y0); s31 = madd(s31, x, y1);
    pa += step; ps += 64; pb0 += rowB; pb1 += rowB;
  }
  storeColumn(c, n, m, i, j, s00); storeColumn(c, n, m, i + 4, j, s10);
  storeColumn(c, n, m, i + 8, j, s20); storeColumn(c, n, m, i + 12, j, s30);
  if (j1 !== j) {
    storeColumn(c, n, m, i, j1, s01); storeColumn(c, n, m, i + 4, j1, s11);
    storeColumn(c, n, m, i + 8, j1, s21); storeColumn(c, n, m, i + 12, j1, s31);
  }
}

// Elementwise arithmetic over float32 arrays, four lanes at a time. Single-precision IEEE add,
// sub, mul and div round exactly as JavaScript's double arithmetic rounded back to float32 does,
// so these give the JavaScript kernels' bits.

const ADD = 0, SUB = 1, MUL = 2, DIV = 3;

@inline function lanes(op: i32, x: v128, y: v128): v128 {
  if (op == ADD) return f32x4.add(x, y);
  if (op == SUB) return f32x4.sub(x, y);
  if (op == MUL) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

@inline function scalar(op: i32, x: f32, y: f32): f32 {
  if (op == ADD) return x + y;
  if (op == SUB) return x - y;
  if (op == MUL) return x * y;
  return x / y;
}

/** c[i] = a[i] ∘ b[i], where an operand with step 0 is one value repeated (a scalar). */
@inline function elementwise(op: i32, a: usize, aStep: i32, b: usize, bStep: i32, c: usize, n: i32): void {
  const end = (<usize>n) << 2;
  const end4 = (<usize>(n & ~3)) << 2;
  if (aStep == 0) {
    const x = load<f32>(a), xs = f32x4.splat(x);
    for (let o: usize = 0; o < end4; o += 16) v128.store(c + o, lanes(op, xs, v128.load(b + o)));
    for (let o = end4; o < end; o += 4) store<f32>(c + o, scalar(op, x, load<f32>(b + o)));
  } else if (bStep == 0) {
    const y = load<f32>(b), ys = f32x4.splat(y);
    for (let o: usize = 0; o < end4; o += 16) v128.store(c + o, lanes(op, v128.load(a + o), ys));
    for (let o = end4; o < end; o += 4) store<f32>(c + o, scalar(op, load<f32>(a + o), y));
  } else {
    for (let o: usize = 0; o < end4; o += 16) v128.store(c + o, lanes(op, v128.load(a + o), v128.load(b + o)));
    for (let o = end4; o < end; o += 4) store<f32>(c + o, scalar(op, load<f32>(a + o), load<f32>(b + o)));
  }
}

/**
 * c[i] = a[i] ∘ b[i] for i < n, ∘ = add, sub, mul, div (op 0–3); aStep or bStep 0 repeats that
 * operand's one value. c may be a or b (in place).
 */
export function binary(op: i32, a: usize, aStep: i32, b: usize, bStep: i32, c: usize, n: i32): void {
  if (op == ADD) elementwise(ADD, a, aStep, b, bStep, c, n);
  else if (op == SUB) elementwise(SUB, a, aStep, b, bStep, c, n);
  else if (op == MUL) elementwise(MUL, a, aStep, b, bStep, c, n);
  else elementwise(DIV, a, aStep, b, bStep, c, n);
}

/**
 * dst[c×r] = src[r×c]ᵀ: lays out a matrix's transpose (a product's operand, in the module's
 * memory) in 4 × 4 blocks, four rows loaded and four columns stored as vectors; edges in scalars.
 */
export function transpose(src: usize, dst: usize, rows: i32, cols: i32): void {
  const rowSrc = (<usize>cols) << 2;
  const rowDst = (<usize>rows) << 2;
  const rows4 = rows & ~3, cols4 = cols & ~3;
  // Four rows of dst (columns of src) at a time, written front to back; src is read down its rows.
  for (let c = 0; c < cols4; c += 4) {
    const to = dst + <usize>c * rowDst;
    for (let r = 0; r < rows4; r += 4) {
      const at = src + <usize>r * rowSrc + ((<usize>c) << 2);
      const x0 = v128.load(at), x1 = v128.load(at + rowSrc), x2 = v128.load(at + 2 * rowSrc), x3 = v128.load(at + 3 * rowSrc);
      // [x0₀ x1₀ x0₁ x1₁], [x2₀ x3₀ x2₁ x3₁], [x0₂ x1₂ x0₃ x1₃], [x2₂ x3₂ x2₃ x3₃]
      const t0 = f32x4.shuffle(x0, x1, 0, 4, 1, 5), t1 = f32x4.shuffle(x2, x3, 0, 4, 1, 5);
      const t2 = f32x4.shuffle(x0, x1, 2, 6, 3, 7), t3 = f32x4.shuffle(x2, x3, 2, 6, 3, 7);
      const o = to + ((<usize>r) << 2);
      v128.store(o, f32x4.shuffle(t0, t1, 0, 1, 4, 5));
      v128.store(o + rowDst, f32x4.shuffle(t0, t1, 2, 3, 6, 7));
      v128.store(o + 2 * rowDst, f32x4.shuffle(t2, t3, 0, 1, 4, 5));
      v128.store(o + 3 * rowDst, f32x4.shuffle(t2, t3, 2, 3, 6, 7));
    }
  }
  // The edges: the last rows mod 4 of every column, and the last columns mod 4 whole.
  for (let c = 0; c < cols4; c++) {
    for (let r = rows4; r < rows; r++) store<f32>(dst + <usize>c * rowDst + ((<usize>r) << 2), load<f32>(src + <usize>r * rowSrc + ((<usize>c) << 2)));
  }
  for (let c = cols4; c < cols; c++) {
    for (let r = 0; r < rows; r++) store<f32>(dst + <usize>c * rowDst + ((<usize>r) << 2), load<f32>(src + <usize>r * rowSrc + ((<usize>c) << 2)));
  }
}

const NEG = 0, ABS = 1, SQRT = 2, SQUARE = 3, RELU = 4, STEP = 5;

/** One op of one operand on four lanes, as the JavaScript kernels define it (NaN stays NaN in relu, step gives 0). */
@inline function unaryLanes(op: i32, v: v128): v128 {
  if (op == NEG) return f32x4.neg(v);
  if (op == ABS) return f32x4.abs(v);
  if (op == SQRT) return f32x4.sqrt(v);
  if (op == SQUARE) return f32x4.mul(v, v);
  const positive = f32x4.gt(v, f32x4.splat(0));
  if (op == RELU) return v128.and(v, v128.or(positive, f32x4.ne(v, v))); // v where v > 0 or NaN, else +0
  return v128.and(positive, f32x4.splat(1)); // step: 1 where v > 0, else 0
}

@inline function unaryScalar(op: i32, v: f32): f32 {
  if (op == NEG) return -v;
  if (op == ABS) return abs<f32>(v);
  if (op == SQRT) return sqrt<f32>(v);
  if (op == SQUARE) return v * v;
  if (op == RELU) return v > 0 || v != v ? v : 0;
  return v > 0 ? 1 : 0;
}

@inline function unaryLoop(op: i32, x: usize, c: usize, n: i32): void {
  const end = (<usize>n) << 2;
  const end4 = (<usize>(n & ~3)) << 2;
  for (let o: usize = 0; o < end4; o += 16) v128.store(c + o, unaryLanes(op, v128.load(x + o)));
  for (let o = end4; o < end; o += 4) store<f32>(c + o, unaryScalar(op, load<f32>(x + o)));
}

/** c[i] = f(x[i]) for i < n, f = neg, abs, sqrt, square, relu, step (op 0–5). c may be x. */
export function unary(op: i32, x: usize, c: usize, n: i32): void {
  if (op == NEG) unaryLoop(NEG, x, c, n);
  else if (op == ABS) unaryLoop(ABS, x, c, n);
  else if (op == SQRT) unaryLoop(SQRT, x, c, n);
  else if (op == SQUARE) unaryLoop(SQUARE, x, c, n);
  else if (op == RELU) unaryLoop(RELU, x, c, n);
  else unaryLoop(STEP, x, c, n);
}

// Updates in double precision: each lane is widened to f64, computed as JavaScript computes a
// Float32Array's elements, and rounded back to f32 once, so the bits are the JavaScript kernels'.

/** Lanes 2 and 3 of an f32x4, widened to an f64x2 (f64x2.promote_low_f32x4 widens lanes 0 and 1). */
@inline function high(v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 0, 1));
}

/** Two f64x2 rounded to f32 and joined into one f32x4: low's lanes, then high's. */
@inline function narrow(low: v128, high: v128): v128 {
  return f32x4.shuffle(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5);
}

/** y[i] = y[i] + α·x[i] for i < n (an SGD step is α = −lr), in f64 and rounded once to f32. */
export function axpy(y: usize, alpha: f64, x: usize, n: i32): void {
  const a = f64x2.splat(alpha);
  const end = (<usize>n) << 2;
  const end4 = (<usize>(n & ~3)) << 2;
  for (let o: usize = 0; o < end4; o += 16) {
    const xv = v128.load(x + o), yv = v128.load(y + o);
    const low = f64x2.add(f64x2.promote_low_f32x4(yv), f64x2.mul(a, f64x2.promote_low_f32x4(xv)));
    const hi = f64x2.add(high(yv), f64x2.mul(a, high(xv)));
    v128.store(y + o, narrow(low, hi));
  }
  for (let o = end4; o < end; o += 4) store<f32>(y + o, <f32>(<f64>load<f32>(y + o) + alpha * <f64>load<f32>(x + o)));
}

/** Σ x[i]² over i < n, each square and the sum in f64 (two lanes of partial sums, then added). */
export function sumOfSquares(x: usize, n: i32): f64 {
  const end = (<usize>n) << 2;
  const end4 = (<usize>(n & ~3)) << 2;
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  for (let o: usize = 0; o < end4; o += 16) {
    const v = v128.load(x + o);
    const low = f64x2.promote_low_f32x4(v), hi = high(v);
    s0 = f64x2.add(s0, f64x2.mul(low, low));
    s1 = f64x2.add(s1, f64x2.mul(hi, hi));
  }
  let total = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  for (let o = end4; o < end; o += 4) { const v = <f64>load<f32>(x + o); total += v * v; }
  return total;
}

/** Four u32 lanes of `bytes`' 16, starting at lane group `group` (0–3), as two f64x2: [0,1] and [2,3]. */
@inline function quarter(bytes: v128, group: i32): v128 {
  const words = group < 2 ? i16x8.extend_low_i8x16_u(bytes) : i16x8.extend_high_i8x16_u(bytes);
  return (group & 1) == 0 ? i32x4.extend_low_i16x8_u(words) : i32x4.extend_high_i16x8_u(words);
}

/** (x − o)·s for four u32 lanes x and four f32 offsets o, in f64, rounded once to f32. */
@inline function dequantize(x: v128, o: v128, s: v128): v128 {
  const low = f64x2.mul(f64x2.sub(f64x2.convert_low_i32x4_u(x), f64x2.promote_low_f32x4(o)), s);
  const hi = f64x2.mul(f64x2.sub(f64x2.convert_low_i32x4_u(i32x4.shuffle(x, x, 2, 3, 0, 1)), high(o)), s);
  return narrow(low, hi);
}

/**
 * dst[r·dstStride + k] = (src[r·cols + k] − offset[k])·scale for r < rows, k < cols: uint8 rows to
 * float32 (image bytes to features), each value in f64 and rounded once to f32. offset is cols
 * float32s (a mean image). With scale 1 the subtraction runs in f32, four lanes at a time: the difference
 * of two float32s rounded once from f64 is the float32 difference itself (53 ≥ 2·24 + 2 bits: double
 * rounding is innocuous), so the bits are the same.
 */
export function bytesToFloats(src: usize, rows: i32, cols: i32, offset: usize, scale: f64, dst: usize, dstStride: i32): void {
  for (let r = 0; r < rows; r++) {
    bytesRow(src + <usize>r * <usize>cols, cols, offset, scale, dst + ((<usize>r * <usize>dstStride) << 2));
  }
}

/**
 * bytesToFloats over rows picked by index: dst row r = the converted row src[rows[r]] (rows: `count` i32 indices),
 * dstStride floats apart. How a batch is gathered and made into features where the data set lives.
 */
export function gatherBytesToFloats(src: usize, rows: usize, count: i32, cols: i32, offset: usize, scale: f64, dst: usize, dstStride: i32): void {
  for (let r = 0; r < count; r++) {
    const from = src + <usize>load<i32>(rows + ((<usize>r) << 2)) * <usize>cols;
    bytesRow(from, cols, offset, scale, dst + ((<usize>r * <usize>dstStride) << 2));
  }
}

/** One row of bytesToFloats. */
@inline function bytesRow(from: usize, cols: i32, offset: usize, scale: f64, to: usize): void {
  const cols16 = cols & ~15;
  if (scale == 1) {
    for (let k = 0; k < cols16; k += 16) {
      const bytes = v128.load(from + k);
      const o = offset + (<usize>k << 2), d = to + (<usize>k << 2);
      v128.store(d, f32x4.sub(f32x4.convert_i32x4_u(quarter(bytes, 0)), v128.load(o)));
      v128.store(d + 16, f32x4.sub(f32x4.convert_i32x4_u(quarter(bytes, 1)), v128.load(o + 16)));
      v128.store(d + 32, f32x4.sub(f32x4.convert_i32x4_u(quarter(bytes, 2)), v128.load(o + 32)));
      v128.store(d + 48, f32x4.sub(f32x4.convert_i32x4_u(quarter(bytes, 3)), v128.load(o + 48)));
    }
  } else {
    const s = f64x2.splat(scale);
    for (let k = 0; k < cols16; k += 16) {
      const bytes = v128.load(from + k);
      const o = offset + (<usize>k << 2), d = to + (<usize>k << 2);
      v128.store(d, dequantize(quarter(bytes, 0), v128.load(o), s));
      v128.store(d + 16, dequantize(quarter(bytes, 1), v128.load(o + 16), s));
      v128.store(d + 32, dequantize(quarter(bytes, 2), v128.load(o + 32), s));
      v128.store(d + 48, dequantize(quarter(bytes, 3), v128.load(o + 48), s));
    }
  }
  for (let k = cols16; k < cols; k++) {
    store<f32>(to + (<usize>k << 2), <f32>((<f64>load<u8>(from + k) - <f64>load<f32>(offset + (<usize>k << 2))) * scale));
  }
}

// A cache-blocked product for large square-ish shapes (a convolution's), the layout of BLIS and
// GotoBLAS: B in panels of 8 columns and A in panels of 4 rows are packed into contiguous scratch,
// a depth of KC at a time, and a 4×8 block of C is kept in eight f32x4 accumulators while the
// panels stream by: per step of depth, 2 vector loads of B and 4 splats of A feed 8 multiply-adds.
// The packed B panel (KC·8 floats, 8 KB) stays in L1 while the A panels (MC·KC floats, 64 KB) come
// from L2. Edges are packed with zeros and stored lane by lane. Eleven vector registers are live.

const KC = 256, MC = 64, NC = 512;

/** C[i, j] (+)= the 4×8 block of panels ap (4 floats per step) and bp (8 per step), over `depth` steps. */
@inline function block4x8(ap: usize, bp: usize, depth: i32, c: usize, ldc: usize, rows: i32, cols: i32, add: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < depth; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(c00, a, b0); c01 = madd(c01, a, b1);
    a = v128.load32_splat(ap, 4);
    c10 = madd(c10, a, b0); c11 = madd(c11, a, b1);
    a = v128.load32_splat(ap, 8);
    c20 = madd(c20, a, b0); c21 = madd(c21, a, b1);
    a = v128.load32_splat(ap, 12);
    c30 = madd(c30, a, b0); c31 = madd(c31, a, b1);
    ap += 16; bp += 32;
  }
  if (rows == 4 && cols == 8) {
    storeBlockRow(c, add, c00, c01);
    storeBlockRow(c + ldc, add, c10, c11);
    storeBlockRow(c + 2 * ldc, add, c20, c21);
    storeBlockRow(c + 3 * ldc, add, c30, c31);
  } else {
    storeBlockEdge(c, add, c00, c01, cols);
    if (rows > 1) storeBlockEdge(c + ldc, add, c10, c11, cols);
    if (rows > 2) storeBlockEdge(c + 2 * ldc, add, c20, c21, cols);
    if (rows > 3) storeBlockEdge(c + 3 * ldc, add, c30, c31, cols);
  }
}

@inline function storeBlockRow(c: usize, add: bool, low: v128, high: v128): void {
  if (add) { low = f32x4.add(v128.load(c), low); high = f32x4.add(v128.load(c, 16), high); }
  v128.store(c, low);
  v128.store(c, high, 16);
}

/** The first `cols` (< 8) lanes of a block row. */
@inline function storeBlockEdge(c: usize, add: bool, low: v128, high: v128, cols: i32): void {
  for (let j = 0; j < cols; j++) {
    const v = j < 4 ? laneOf(low, j) : laneOf(high, j - 4);
    const at = c + ((<usize>j) << 2);
    store<f32>(at, add ? load<f32>(at) + v : v);
  }
}

@inline function laneOf(v: v128, lane: i32): f32 {
  if (lane == 0) return f32x4.extract_lane(v, 0);
  if (lane == 1) return f32x4.extract_lane(v, 1);
  if (lane == 2) return f32x4.extract_lane(v, 2);
  return f32x4.extract_lane(v, 3);
}

/**
 * [r0ₚ, r1ₚ, r2ₚ, r3ₚ] for p = 0 … 3 of four vectors: the 4×4 transpose that packs four rows, read four floats at a
 * time, into four steps of a panel.
 */
@inline function storeTransposed4(dst: usize, step: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const lo01 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const hi01 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5));
  v128.store(dst + step, v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7));
  v128.store(dst + 2 * step, v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5));
  v128.store(dst + 3 * step, v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7));
}

/**
 * Packs rows i0 … i0+rows−1 of op(A), depths p0 … p0+depth−1, as panels of 4 rows (zeros past the edge). A full
 * panel is read four floats at a time: along A's rows through 4×4 transposes, or straight down a transposed A.
 */
function packA(a: usize, lda: i32, transA: bool, i0: i32, rows: i32, p0: i32, depth: i32, dst: usize): void {
  const ld = <usize>lda;
  for (let i = 0; i < rows; i += 4) {
    const height = min(4, rows - i);
    let p = 0;
    if (height == 4) {
      const row = <usize>(i0 + i);
      if (transA) {
        let from = a + (((<usize>p0) * ld + row) << 2);
        for (; p < depth; p++, dst += 16, from += ld << 2) v128.store(dst, v128.load(from));
        continue;
      }
      let from = a + ((row * ld + <usize>p0) << 2);
      const step = ld << 2;
      for (; p + 4 <= depth; p += 4, dst += 64, from += 16) {
        storeTransposed4(dst, 16, v128.load(from), v128.load(from + step), v128.load(from + 2 * step), v128.load(from + 3 * step));
      }
    }
    for (; p < depth; p++) {
      for (let r = 0; r < 4; r++) {
        let v: f32 = 0;
        if (r < height) {
          const row = <usize>(i0 + i + r), col = <usize>(p0 + p);
          v = transA ? load<f32>(a + ((col * ld + row) << 2)) : load<f32>(a + ((row * ld + col) << 2));
        }
        store<f32>(dst, v);
        dst += 4;
      }
    }
  }
}

/**
 * Packs columns j0 … j0+cols−1 of op(B), depths p0 … p0+depth−1, as panels of 8 columns (zeros past the edge). A full
 * panel is read four floats at a time: two vectors per row of B, or down a transposed B through 4×4 transposes.
 */
function packB(b: usize, ldb: i32, transB: bool, j0: i32, cols: i32, p0: i32, depth: i32, dst: usize): void {
  const ld = <usize>ldb;
  for (let j = 0; j < cols; j += 8) {
    const width = min(8, cols - j);
    let p = 0;
    if (width == 8) {
      if (!transB) {
        let from = b + (((<usize>p0) * ld + <usize>(j0 + j)) << 2);
        for (; p < depth; p++, dst += 32, from += ld << 2) {
          v128.store(dst, v128.load(from));
          v128.store(dst, v128.load(from, 16), 16);
        }
        continue;
      }
      // Column q of op(B) is row j0 + j + q of B as stored: four of its depths are one vector.
      const step = ld << 2;
      let from = b + (((<usize>(j0 + j)) * ld + <usize>p0) << 2);
      for (; p + 4 <= depth; p += 4, dst += 128, from += 16) {
        storeTransposed4(dst, 32, v128.load(from), v128.load(from + step), v128.load(from + 2 * step), v128.load(from + 3 * step));
        const half = from + 4 * step;
        storeTransposed4(dst + 16, 32, v128.load(half), v128.load(half + step), v128.load(half + 2 * step), v128.load(half + 3 * step));
      }
    }
    for (; p < depth; p++) {
      for (let q = 0; q < 8; q++) {
        let v: f32 = 0;
        if (q < width) {
          const row = <usize>(p0 + p), col = <usize>(j0 + j + q);
          v = transB ? load<f32>(b + ((col * ld + row) << 2)) : load<f32>(b + ((row * ld + col) << 2));
        }
        store<f32>(dst, v);
        dst += 4;
      }
    }
  }
}

/**
 * C[m×n] (+)= op(A)·op(B), op(A) m×k and op(B) k×n, rows of A, B and C lda, ldb and ldc floats apart
 * (A stored [k, m] when transA, B stored [n, k] when transB); C is added to when `add`, else overwritten.
 * packA and packB are scratch of MC·KC and KC·NC floats. Each entry of C sums its depth in blocks of
 * KC in order, so its bits do not depend on how C's rows are split between threads.
 */
export function blockedProduct(a: usize, lda: i32, transA: bool, b: usize, ldb: i32, transB: bool, c: usize, ldc: i32,
  m: i32, k: i32, n: i32, add: bool, packedA: usize, packedB: usize): void {
  const rowC = (<usize>ldc) << 2;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const cols = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const depth = min(KC, k - p0);
      const adding = add || p0 > 0;
      packB(b, ldb, transB, j0, cols, p0, depth, packedB);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const rows = min(MC, m - i0);
        packA(a, lda, transA, i0, rows, p0, depth, packedA);
        for (let j = 0; j < cols; j += 8) {
          const bp = packedB + ((<usize>(j * depth)) << 2);
          for (let i = 0; i < rows; i += 4) {
            const ap = packedA + ((<usize>(i * depth)) << 2);
            const at = c + (<usize>(i0 + i)) * rowC + ((<usize>(j0 + j)) << 2);
            block4x8(ap, bp, depth, at, rowC, min(4, rows - i), min(8, cols - j), adding);
          }
        }
      }
    }
  }
  if (k == 0 && !add) for (let i = 0; i < m; i++) memory.fill(c + (<usize>i) * rowC, 0, (<usize>n) << 2);
}

/** The first output column ox whose input column ox·sw + offset is ≥ 0. */
@inline function insideFirst(offset: i32, sw: i32): i32 {
  return offset >= 0 ? 0 : (-offset + sw - 1) / sw;
}

/** One past the last output column (at most ow) whose input column ox·sw + offset is < width. */
@inline function insideEnd(offset: i32, width: i32, sw: i32, ow: i32): i32 {
  return width - 1 - offset < 0 ? 0 : min((width - 1 - offset) / sw + 1, ow);
}

/**
 * dst[(c·kh + i)·kw + j, oy·ow + ox] = x[c, oy·sh − pt + i·dh, ox·sw − pl + j·dw], zero outside the
 * image: one image's receptive fields as columns (im2col). With stride 1 each output row's inside
 * part is one run of contiguous floats, copied four at a time.
 */
export function im2col(x: usize, dst: usize, channels: i32, height: i32, width: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dw: i32, oh: i32, ow: i32): void {
  const plane = (<usize>(height * width)) << 2;
  let out = dst;
  let channel = x;
  for (let c = 0; c < channels; c++, channel += plane) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        // Output columns whose input column ox·sw − pl + j·dw lies inside [0, width).
        const offset = j * dw - pl;
        const end = insideEnd(offset, width, sw, ow), first = min(insideFirst(offset, sw), end);
        for (let oy = 0; oy < oh; oy++, out += (<usize>ow) << 2) {
          const y = oy * sh - pt + i * dh;
          if (y < 0 || y >= height) { memory.fill(out, 0, (<usize>ow) << 2); continue; }
          for (let ox = 0; ox < first; ox++) store<f32>(out + ((<usize>ox) << 2), 0);
          for (let ox = end; ox < ow; ox++) store<f32>(out + ((<usize>ox) << 2), 0);
          const from = channel + ((<usize>(y * width + offset)) << 2);
          if (sw == 1) {
            let ox = first;
            for (; ox + 4 <= end; ox += 4) v128.store(out + ((<usize>ox) << 2), v128.load(from + ((<usize>ox) << 2)));
            for (; ox < end; ox++) store<f32>(out + ((<usize>ox) << 2), load<f32>(from + ((<usize>ox) << 2)));
          } else {
            for (let ox = first; ox < end; ox++) store<f32>(out + ((<usize>ox) << 2), load<f32>(from + ((<usize>(ox * sw)) << 2)));
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: dx[c, y, x] += every entry of src (columns as im2col lays them out) read from there. */
export function col2im(src: usize, dx: usize, channels: i32, height: i32, width: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dw: i32, oh: i32, ow: i32): void {
  const plane = (<usize>(height * width)) << 2;
  let from = src;
  let channel = dx;
  for (let c = 0; c < channels; c++, channel += plane) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const offset = j * dw - pl;
        const end = insideEnd(offset, width, sw, ow), first = min(insideFirst(offset, sw), end);
        for (let oy = 0; oy < oh; oy++, from += (<usize>ow) << 2) {
          const y = oy * sh - pt + i * dh;
          if (y < 0 || y >= height) continue;
          const to = channel + ((<usize>(y * width + offset)) << 2);
          if (sw == 1) {
            let ox = first;
            for (; ox + 4 <= end; ox += 4) {
              const at = to + ((<usize>ox) << 2);
              v128.store(at, f32x4.add(v128.load(at), v128.load(from + ((<usize>ox) << 2))));
            }
            for (; ox < end; ox++) { const at = to + ((<usize>ox) << 2); store<f32>(at, load<f32>(at) + load<f32>(from + ((<usize>ox) << 2))); }
          } else {
            for (let ox = first; ox < end; ox++) {
              const at = to + ((<usize>(ox * sw)) << 2);
              store<f32>(at, load<f32>(at) + load<f32>(from + ((<usize>ox) << 2)));
            }
          }
        }
      }
    }
  }
}

/**
 * 2×2 max pooling with stride 2 over `planes` planes of height × width (rows and columns past an even
 * count are left out, as PyTorch's floor mode does): out = each window's maximum, argmax = its flat
 * index into x. Four windows at a time, without branches: a later element of a window wins when it is
 * greater, or when it is NaN and no NaN won before, which is the first maximum, NaN first, of a scan. Planes
 * first … first + count − 1 only (each plane alone: a thread may take a band of them); `planes` is all of them.
 */
export function maxPool2x2(x: usize, out: usize, argmax: usize, planes: i32, height: i32, width: i32, first: i32, count: i32): void {
  const oh = height >> 1, ow = width >> 1;
  const row = (<usize>width) << 2;
  const lanes = i32x4(0, 2, 4, 6), one = i32x4.splat(1), down = i32x4.splat(width);
  let to: usize = (<usize>first * <usize>(oh * ow)) << 2;
  for (let p = first; p < first + count; p++) {
    for (let oy = 0; oy < oh; oy++) {
      const first = (p * height + 2 * oy) * width;
      const top = x + ((<usize>first) << 2);
      let ox = 0;
      for (; ox + 4 <= ow; ox += 4, to += 16) {
        const at = top + ((<usize>ox) << 3);
        const a0 = v128.load(at), a1 = v128.load(at, 16), b0 = v128.load(at + row), b1 = v128.load(at + row, 16);
        let best = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
        let index = i32x4.add(i32x4.splat(first + 2 * ox), lanes);
        let seenNaN = f32x4.ne(best, best);
        let v = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7), vi = i32x4.add(index, one);
        let take = v128.or(f32x4.gt(v, best), v128.andnot(f32x4.ne(v, v), seenNaN));
        best = v128.bitselect(v, best, take); let at2 = v128.bitselect(vi, index, take); seenNaN = v128.or(seenNaN, f32x4.ne(v, v));
        v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6); vi = i32x4.add(index, down);
        take = v128.or(f32x4.gt(v, best), v128.andnot(f32x4.ne(v, v), seenNaN));
        best = v128.bitselect(v, best, take); at2 = v128.bitselect(vi, at2, take); seenNaN = v128.or(seenNaN, f32x4.ne(v, v));
        v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7); vi = i32x4.add(vi, one);
        take = v128.or(f32x4.gt(v, best), v128.andnot(f32x4.ne(v, v), seenNaN));
        best = v128.bitselect(v, best, take); at2 = v128.bitselect(vi, at2, take);
        v128.store(out + to, best);
        v128.store(argmax + to, at2);
      }
      for (; ox < ow; ox++, to += 4) {
        const i = first + 2 * ox;
        let at = i, best = load<f32>(x + ((<usize>i) << 2));
        for (let q = 1; q < 4 && best == best; q++) {
          const c = i + (q & 1) + (q >> 1) * width; // i + 1, then the row below: i + width, i + width + 1
          const v = load<f32>(x + ((<usize>c) << 2));
          if (v > best || v != v) { best = v; at = c; }
        }
        store<f32>(out + to, best);
        store<i32>(argmax + to, at);
      }
    }
  }
}

// Batch normalisation over x viewed as [outer, channels, inner] (batch norm of [N, C, H, W] is
// [N, C, H·W]), each statistic per channel in f64. The sums keep the JavaScript kernels' partial
// sums lane for lane and add them in the same order, and every value is computed in f64 and rounded
// once, so the bits are the JavaScript kernels' (kernels/normalization.ts).

/** Σ of one run of n floats at x (minus `shift`, squared, when `square`): four partial sums, (s0 + s1) + (s2 + s3). */
@inline function runSum(x: usize, n: i32, shift: f64, square: bool): f64 {
  const m = f64x2.splat(shift);
  let low = f64x2.splat(0), hi = f64x2.splat(0);
  const end4 = (<usize>(n & ~3)) << 2, end = (<usize>n) << 2;
  for (let o: usize = 0; o < end4; o += 16) {
    const v = v128.load(x + o);
    let a = f64x2.promote_low_f32x4(v), b = high(v);
    if (square) { a = f64x2.sub(a, m); b = f64x2.sub(b, m); a = f64x2.mul(a, a); b = f64x2.mul(b, b); }
    low = f64x2.add(low, a); hi = f64x2.add(hi, b);
  }
  let s0 = f64x2.extract_lane(low, 0);
  for (let o = end4; o < end; o += 4) {
    let v = <f64>load<f32>(x + o);
    if (square) { v -= shift; v *= v; }
    s0 += v;
  }
  return (s0 + f64x2.extract_lane(low, 1)) + (f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1));
}

/**
 * mean[c] and the biased variance[c] (f64 arrays of `channels`) for channels first … first + count − 1, two sweeps:
 * the mean, then Σ(x − μ)². Each channel is computed alone: a thread may take a band of them. (So are the channels
 * of batchNormApply and batchNormGradients below, which take the same band arguments.)
 */
export function channelMoments(x: usize, outer: i32, channels: i32, inner: i32, mean: usize, variance: usize, first: i32, count: i32): void {
  const last = first + count;
  const n = <f64>outer * <f64>inner;
  for (let pass = 0; pass < 2; pass++) {
    const at = pass == 0 ? mean : variance;
    memory.fill(at + ((<usize>first) << 3), 0, (<usize>count) << 3);
    for (let o = 0; o < outer; o++) {
      for (let c = first; c < last; c++) {
        const run = x + ((<usize>((o * channels + c) * inner)) << 2);
        const slot = at + ((<usize>c) << 3);
        const shift = pass == 0 ? 0 : load<f64>(mean + ((<usize>c) << 3));
        store<f64>(slot, load<f64>(slot) + runSum(run, inner, shift, pass == 1));
      }
    }
    for (let c = first; c < last; c++) { const slot = at + ((<usize>c) << 3); store<f64>(slot, load<f64>(slot) / n); }
  }
}

/** weight[c] of a float32 array at `at`, or `absent` when `at` is 0 (no affine parameter), in f64. */
@inline function perChannel(at: usize, c: i32, absent: f64): f64 {
  return at == 0 ? absent : <f64>load<f32>(at + ((<usize>c) << 2));
}

/**
 * x̂ = (x − mean[c])·invStd[c] (stored at `normalized` unless it is 0), out = x̂·weight[c] + bias[c]; mean and invStd
 * are f64, weight and bias float32 (1 and 0 where the pointer is 0).
 */
export function batchNormApply(x: usize, out: usize, normalized: usize, outer: i32, channels: i32, inner: i32, mean: usize, invStd: usize, weight: usize, bias: usize, first: i32, count: i32): void {
  const last = first + count;
  const end4 = (<usize>(inner & ~3)) << 2, end = (<usize>inner) << 2;
  for (let o = 0; o < outer; o++) {
    for (let c = first; c < last; c++) {
      const base = (<usize>((o * channels + c) * inner)) << 2;
      const cm = load<f64>(mean + ((<usize>c) << 3)), cs = load<f64>(invStd + ((<usize>c) << 3));
      const cw = perChannel(weight, c, 1), cb = perChannel(bias, c, 0);
      const m = f64x2.splat(cm), s = f64x2.splat(cs), w = f64x2.splat(cw), b = f64x2.splat(cb);
      for (let k: usize = 0; k < end4; k += 16) {
        const v = v128.load(x + base + k);
        const hl = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), m), s), hh = f64x2.mul(f64x2.sub(high(v), m), s);
        if (normalized != 0) v128.store(normalized + base + k, narrow(hl, hh));
        v128.store(out + base + k, narrow(f64x2.add(f64x2.mul(hl, w), b), f64x2.add(f64x2.mul(hh, w), b)));
      }
      for (let k = end4; k < end; k += 4) {
        const h = (<f64>load<f32>(x + base + k) - cm) * cs;
        if (normalized != 0) store<f32>(normalized + base + k, <f32>h);
        store<f32>(out + base + k, <f32>(h * cw + cb));
      }
    }
  }
}

/**
 * The backward pass of batchNormApply from g and x̂: unless `sums` is 0, sums[c] = Σg, sums[channels + c] = Σg·x̂
 * (f64 scratch, two partial sums each, as the JavaScript kernel; needed in training, and for the weight's and bias's
 * gradients), written as float32 to dBias[c] and dWeight[c] unless those are 0; then, unless dx is 0,
 * dx = (scale/n)·(n·g − Σg − x̂·Σg·x̂) when `training`, else g·scale, with scale = γ[c]·invStd[c] (γ float32, 1 where
 * `weight` is 0; invStd f64).
 */
export function batchNormGradients(g: usize, normalized: usize, dx: usize, outer: i32, channels: i32, inner: i32, weight: usize, invStd: usize, training: bool, sums: usize, dWeight: usize, dBias: usize, first: i32, count: i32): void {
  const last = first + count;
  const end2 = (<usize>(inner & ~1)) << 2, end = (<usize>inner) << 2;
  if (sums != 0) {
    memory.fill(sums + ((<usize>first) << 3), 0, (<usize>count) << 3);
    memory.fill(sums + ((<usize>(channels + first)) << 3), 0, (<usize>count) << 3);
    for (let o = 0; o < outer; o++) {
      for (let c = first; c < last; c++) {
        const base = (<usize>((o * channels + c) * inner)) << 2;
        let sg = f64x2.splat(0), sgh = f64x2.splat(0);
        let k: usize = 0;
        for (; k + 16 <= end2; k += 16) {
          const gv = v128.load(g + base + k), hv = v128.load(normalized + base + k);
          const g0 = f64x2.promote_low_f32x4(gv), g1 = high(gv);
          sg = f64x2.add(f64x2.add(sg, g0), g1);
          sgh = f64x2.add(f64x2.add(sgh, f64x2.mul(g0, f64x2.promote_low_f32x4(hv))), f64x2.mul(g1, high(hv)));
        }
        let sg0 = f64x2.extract_lane(sg, 0), sg1 = f64x2.extract_lane(sg, 1);
        let sgh0 = f64x2.extract_lane(sgh, 0), sgh1 = f64x2.extract_lane(sgh, 1);
        for (; k < end2; k += 8) {
          const g0 = <f64>load<f32>(g + base + k), g1 = <f64>load<f32>(g + base + k + 4);
          sg0 += g0; sg1 += g1;
          sgh0 += g0 * <f64>load<f32>(normalized + base + k); sgh1 += g1 * <f64>load<f32>(normalized + base + k + 4);
        }
        if (k < end) { const g0 = <f64>load<f32>(g + base + k); sg0 += g0; sgh0 += g0 * <f64>load<f32>(normalized + base + k); }
        const a = sums + ((<usize>c) << 3), b = sums + ((<usize>(channels + c)) << 3);
        store<f64>(a, load<f64>(a) + (sg0 + sg1));
        store<f64>(b, load<f64>(b) + (sgh0 + sgh1));
      }
    }
    for (let c = first; c < last; c++) {
      if (dBias != 0) store<f32>(dBias + ((<usize>c) << 2), <f32>load<f64>(sums + ((<usize>c) << 3)));
      if (dWeight != 0) store<f32>(dWeight + ((<usize>c) << 2), <f32>load<f64>(sums + ((<usize>(channels + c)) << 3)));
    }
  }
  if (dx == 0) return;
  const n = <f64>outer * <f64>inner, nv = f64x2.splat(n);
  const end4 = (<usize>(inner & ~3)) << 2;
  for (let o = 0; o < outer; o++) {
    for (let c = first; c < last; c++) {
      const base = (<usize>((o * channels + c) * inner)) << 2;
      const cs = perChannel(weight, c, 1) * load<f64>(invStd + ((<usize>c) << 3));
      if (!training) {
        const s = f64x2.splat(cs);
        for (let k: usize = 0; k < end4; k += 16) {
          const gv = v128.load(g + base + k);
          v128.store(dx + base + k, narrow(f64x2.mul(f64x2.promote_low_f32x4(gv), s), f64x2.mul(high(gv), s)));
        }
        for (let k = end4; k < end; k += 4) store<f32>(dx + base + k, <f32>(<f64>load<f32>(g + base + k) * cs));
        continue;
      }
      const kk = cs / n, sgv = load<f64>(sums + ((<usize>c) << 3)), sghv = load<f64>(sums + ((<usize>(channels + c)) << 3));
      const kv = f64x2.splat(kk), sgs = f64x2.splat(sgv), sghs = f64x2.splat(sghv);
      for (let k: usize = 0; k < end4; k += 16) {
        const gv = v128.load(g + base + k), hv = v128.load(normalized + base + k);
        const l = f64x2.mul(kv, f64x2.sub(f64x2.sub(f64x2.mul(nv, f64x2.promote_low_f32x4(gv)), sgs), f64x2.mul(f64x2.promote_low_f32x4(hv), sghs)));
        const h = f64x2.mul(kv, f64x2.sub(f64x2.sub(f64x2.mul(nv, high(gv)), sgs), f64x2.mul(high(hv), sghs)));
        v128.store(dx + base + k, narrow(l, h));
      }
      for (let k = end4; k < end; k += 4) {
        store<f32>(dx + base + k, <f32>(kk * (n * <f64>load<f32>(g + base + k) - sgv - <f64>load<f32>(normalized + base + k) * sghv)));
      }
    }
  }
}

// Convolutions image by image, for a thread to take a band of the batch: each image's receptive fields and product
// are computed as conv2d's would be on one thread, so the bits do not depend on who ran it. The geometry comes as
// 16 i32s at `shape`: channels, height, width, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow, groups, outChannels, and the
// floats of one thread's share of the fields' scratch (read by the threads' runner to give each thread its own).

@inline function shapeAt(shape: usize, i: i32): i32 {
  return load<i32>(shape + ((<usize>i) << 2));
}

/**
 * out[n] = w · im2col(x[n]) for images first … first + count − 1 (NCHW, out [N, O, oh·ow]), group by group through
 * blockedProduct; `cols` holds one image's fields (K·oh·ow floats, K = C/G·kh·kw), packedA/packedB its panels.
 */
export function conv2dImages(x: usize, w: usize, out: usize, cols: usize, packedA: usize, packedB: usize, shape: usize, first: i32, count: i32): void {
  const c = shapeAt(shape, 0), h = shapeAt(shape, 1), wd = shapeAt(shape, 2), kh = shapeAt(shape, 3), kw = shapeAt(shape, 4);
  const oh = shapeAt(shape, 11), ow = shapeAt(shape, 12), groups = shapeAt(shape, 13), o = shapeAt(shape, 14);
  const positions = oh * ow, image = c * h * wd, k = (c / groups) * kh * kw, og = o / groups;
  for (let n = first; n < first + count; n++) {
    im2col(x + ((<usize>n * <usize>image) << 2), cols, c, h, wd, kh, kw, shapeAt(shape, 5), shapeAt(shape, 6), shapeAt(shape, 7), shapeAt(shape, 8), shapeAt(shape, 9), shapeAt(shape, 10), oh, ow);
    for (let g = 0; g < groups; g++) {
      blockedProduct(w + ((<usize>(g * og * k)) << 2), k, false, cols + ((<usize>(g * k * positions)) << 2), positions, false,
        out + ((<usize>n * <usize>(o * positions) + <usize>(g * og * positions)) << 2), positions, og, k, positions, false, packedA, packedB);
    }
  }
}

/** dx[n] = col2im(wᵀ · g[n]) for images first … first + count − 1, dx zeroed first; the adjoint of conv2dImages. */
export function conv2dBackwardInputImages(gr: usize, w: usize, dx: usize, cols: usize, packedA: usize, packedB: usize, shape: usize, first: i32, count: i32): void {
  const c = shapeAt(shape, 0), h = shapeAt(shape, 1), wd = shapeAt(shape, 2), kh = shapeAt(shape, 3), kw = shapeAt(shape, 4);
  const oh = shapeAt(shape, 11), ow = shapeAt(shape, 12), groups = shapeAt(shape, 13), o = shapeAt(shape, 14);
  const positions = oh * ow, image = c * h * wd, k = (c / groups) * kh * kw, og = o / groups;
  for (let n = first; n < first + count; n++) {
    const dxAt = dx + ((<usize>n * <usize>image) << 2);
    memory.fill(dxAt, 0, (<usize>image) << 2);
    for (let g = 0; g < groups; g++) {
      blockedProduct(w + ((<usize>(g * og * k)) << 2), k, true, gr + ((<usize>n * <usize>(o * positions) + <usize>(g * og * positions)) << 2), positions, false,
        cols + ((<usize>(g * k * positions)) << 2), positions, k, og, positions, false, packedA, packedB);
    }
    col2im(cols, dxAt, c, h, wd, kh, kw, shapeAt(shape, 5), shapeAt(shape, 6), shapeAt(shape, 7), shapeAt(shape, 8), shapeAt(shape, 9), shapeAt(shape, 10), oh, ow);
  }
}

/**
 * out[indices[i]] += x[i] for i < n, in order (so repeated indices add in the order given, as the JavaScript kernel),
 * after checking every index is in [0, size): returns −1, or the position of the first index outside it (and then
 * adds nothing).
 */
export function scatterAdd(out: usize, x: usize, indices: usize, n: i32, size: i32): i32 {
  for (let i = 0; i < n; i++) {
    const at = load<i32>(indices + ((<usize>i) << 2));
    if (<u32>at >= <u32>size) return i;
  }
  for (let i = 0; i < n; i++) {
    const at = out + ((<usize>load<i32>(indices + ((<usize>i) << 2))) << 2);
    store<f32>(at, load<f32>(at) + load<f32>(x + ((<usize>i) << 2)));
  }
  return -1;
}

/** bytes zero bytes from `at` (memory.fill): how a reused buffer is cleared where it lives. */
export function zeroBytes(at: usize, bytes: usize): void {
  memory.fill(at, 0, bytes);
}
