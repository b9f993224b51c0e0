import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectSeason } from './_season.js';

/** A seeded uniform generator and a Gaussian from it, so the cases are the same on every run. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 1) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const MINUTE = 60_000;

test('a cycle that is no calendar period is found at its own length, not a step off, even under heavy noise', () => {
  let found = 0;
  let cases = 0;
  for (const p of [12, 24, 50]) {
    for (const noise of [1, 3]) {
      for (let seed = 1; seed <= 6; seed++) {
        const g = gaussian(seed * 101 + p);
        const y = Array.from(
          { length: 576 },
          (_, i) => 10 * Math.sin((2 * Math.PI * i) / p) + noise * g() + 0.01 * i,
        );
        const s = detectSeason(y, MINUTE);
        cases++;
        if (s % p === 0) found++;
      }
    }
  }
  // Before ADR 0049 the peak of the differenced series was a step off (23 or 25 for 24) or lost under noise.
  assert.equal(found, cases);
});

test('a random walk, white noise and a series switching between two levels have no season', () => {
  for (let seed = 1; seed <= 10; seed++) {
    const g = gaussian(seed);
    let v = 0;
    const walk = Array.from({ length: 1400 }, () => (v += g()));
    assert.equal(detectSeason(walk, MINUTE), 1, `walk ${seed}`);
    const white = Array.from({ length: 1400 }, () => g());
    assert.equal(detectSeason(white, MINUTE), 1, `white ${seed}`);
    let high = false;
    const switching = Array.from({ length: 1400 }, () => {
      if (g() > 2.2) high = !high;
      return (high ? 80 : 20) + 2 * g();
    });
    assert.equal(detectSeason(switching, MINUTE), 1, `switching ${seed}`);
  }
});

test('calendar periods still come first: a day of hourly data', () => {
  const g = gaussian(7);
  const y = Array.from({ length: 24 * 21 }, (_, i) => 10 * Math.sin((2 * Math.PI * i) / 24) + g());
  assert.equal(detectSeason(y, 3_600_000), 24);
});
