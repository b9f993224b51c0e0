/** Small robust statistics over plain number arrays (floats are fine here: these are model values, not money). */

/** Median of the values (NaN for an empty array). */
export function median(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  // The anomaly scan takes medians of many thousands of small windows: select the middle in a reused buffer
  // (no copy, no comparator call per pair) instead of sorting a copy. The sort this replaces keeps input order
  // among equal values, which only shows for 0 and -0 (resolved below the same way) and NaN (sorted as before).
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v !== v) return medianBySort(values); // NaN
    scratch[i] = v;
  }
  return middle(n, (v, i) => zeroInOrder(values, v, i));
}

/** The median of scratch[0..n): `exact` turns the value at a sorted index into the one a stable sort puts there. */
function middle(n: number, exact: (v: number, i: number) => number): number {
  const mid = n >> 1;
  select(scratch, mid, n);
  const hi = exact(scratch[mid]!, mid);
  if (n % 2) return hi;
  // After selection everything before `mid` is at most scratch[mid]: the lower middle is their maximum.
  let lo = scratch[0]!;
  for (let i = 1; i < mid; i++) if (scratch[i]! > lo) lo = scratch[i]!;
  return (exact(lo, mid - 1) + hi) / 2;
}

let scratch = new Float64Array(64);

function medianBySort(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Puts the k-th smallest of a[0..n) at a[k], smaller or equal before it, larger or equal after (Hoare). */
function select(a: Float64Array, k: number, n: number): void {
  let left = 0;
  let right = n - 1;
  while (right > left) {
    const pivot = a[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

/**
 * The value a stable ascending sort puts at index `i`, given that it equals `v`: for a zero, which of 0 and -0
 * it is (zeros keep their input order, after every negative value).
 */
function zeroInOrder(values: readonly number[], v: number, i: number): number {
  if (v !== 0) return v;
  let k = i;
  for (const x of values) if (x < 0) k--;
  for (const x of values) if (x === 0 && k-- === 0) return x;
  return v;
}

/**
 * The value `[...values].sort((a, b) => a - b)[k]` holds (undefined outside 0..n-1), by selection in the reused
 * buffer instead of a sorted copy: the forecast's backtests take it of thousands of residual sets per run.
 */
export function orderStatistic(values: readonly number[], k: number): number | undefined {
  const n = values.length;
  if (!(k >= 0 && k < n)) return undefined;
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v !== v) return [...values].sort((a, b) => a - b)[k]; // NaN: the comparator sort's own order
    scratch[i] = v;
  }
  select(scratch, k, n);
  return zeroInOrder(values, scratch[k]!, k);
}

/**
 * `values` in the order `[...values].sort((a, b) => a - b)` gives, by the typed array's native sort when that is
 * the same order (no NaN, no -0: a comparator sort keeps those in input order among "equal" values).
 */
export function sortedAscending(values: readonly number[]): ArrayLike<number> {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v || (v === 0 && 1 / v < 0)) return [...values].sort((a, b) => a - b);
    out[i] = v;
  }
  return out.sort();
}

/**
 * The value `Float64Array.from(values).sort()[k]` holds (undefined outside 0..n-1; the native sort puts -0 before
 * 0 and NaN last), by selection in the reused buffer instead of a sorted copy: the anomaly scan takes quantiles of
 * thousands of points of history every few points.
 */
export function typedSortedAt(values: ArrayLike<number>, k: number): number | undefined {
  const n = values.length;
  if (!(k >= 0 && k < n)) return undefined;
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v !== v) return Float64Array.from(values).sort()[k];
    scratch[i] = v;
  }
  select(scratch, k, n);
  const v = scratch[k]!;
  if (v !== 0) return v;
  // A zero: -0 when k falls among the negatives and negative zeros, which the native sort puts first.
  let below = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x < 0 || (x === 0 && 1 / x < 0)) below++;
  }
  return k < below ? -0 : 0;
}

/** Median absolute deviation scaled by 1.4826 so it estimates the standard deviation of normal noise. */
export function robustScale(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const m = median(values);
  if (m !== m) return 1.4826 * median(values.map((v) => Math.abs(v - m)));
  // Absolute deviations (in the buffer, without a copy) are never -0; NaN only where a value is NaN.
  for (let i = 0; i < n; i++) {
    const d = Math.abs(values[i]! - m);
    if (d !== d) return 1.4826 * median(values.map((v) => Math.abs(v - m)));
    scratch[i] = d;
  }
  return 1.4826 * middle(n, (v) => v);
}

/** Empirical quantile (linear interpolation, q in [0,1]). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Arithmetic mean (NaN for an empty array). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Sample autocorrelation at `lag`. */
export function autocorrelation(values: readonly number[], lag: number): number {
  const n = values.length;
  if (lag <= 0 || lag >= n) return 0;
  const m = mean(values);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - m;
    den += d * d;
    if (i + lag < n) num += d * (values[i + lag]! - m);
  }
  return den === 0 ? 0 : num / den;
}
