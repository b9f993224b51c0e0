/**
 * A small dense solver for the linear candidate's normal equations: symmetric positive definite systems with many
 * right-hand sides, by one Cholesky factorisation shared by all of them.
 */

/**
 * Solves A X = B for a symmetric positive definite `A` (p x p, row-major, only its lower triangle is read) and `B`
 * (p x k, row-major): one factorisation, then a forward and a back substitution per column. Returns X (p x k,
 * row-major), or null when A is not numerically positive definite. A and B are not changed.
 */
export function choleskySolve(A: Float64Array, B: Float64Array, p: number, k: number): Float64Array | null {
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * p + j]!;
      for (let q = 0; q < j; q++) s -= L[i * p + q]! * L[j * p + q]!;
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return null;
        L[i * p + i] = Math.sqrt(s);
      } else L[i * p + j] = s / L[j * p + j]!;
    }
  }
  const X = Float64Array.from(B);
  // Forward: L Z = B, all columns at once (row by row, so the inner loop runs over contiguous columns).
  for (let i = 0; i < p; i++) {
    const row = i * k;
    for (let q = 0; q < i; q++) {
      const l = L[i * p + q]!;
      if (l === 0) continue;
      const src = q * k;
      for (let c = 0; c < k; c++) X[row + c] = X[row + c]! - l * X[src + c]!;
    }
    const d = L[i * p + i]!;
    for (let c = 0; c < k; c++) X[row + c] = X[row + c]! / d;
  }
  // Back: L^T X = Z.
  for (let i = p - 1; i >= 0; i--) {
    const row = i * k;
    for (let q = i + 1; q < p; q++) {
      const l = L[q * p + i]!;
      if (l === 0) continue;
      const src = q * k;
      for (let c = 0; c < k; c++) X[row + c] = X[row + c]! - l * X[src + c]!;
    }
    const d = L[i * p + i]!;
    for (let c = 0; c < k; c++) X[row + c] = X[row + c]! / d;
  }
  return X;
}
