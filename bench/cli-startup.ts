/**
 * CLI start-up: wall time of `node bin/tally.js --version`, `--help` and one command's `--help`, against a bare
 * `node -e ""`. Runs the compiled CLI (what `npx tally` runs). Run: npm run bench:cli [-- --runs N --bin PATH]
 * (`--bin` measures another checkout's bin/tally.js, e.g. before a change). Figures go in docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string' }, bin: { type: 'string' } } });
const runs = Number(values.runs ?? 11);
const bin = values.bin ?? join(import.meta.dirname, '..', 'bin', 'tally.js');

/** Wall milliseconds of one child process, from spawn to exit. */
function once(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${String(r.stderr)}`);
  return ms;
}

const cases: [string, string[]][] = [
  ['node -e "" (floor)', ['-e', '']],
  ['tally --version', [bin, '--version']],
  ['tally --help', [bin, '--help']],
  ['tally costs --help (loads one command)', [bin, 'costs', '--help']],
];
console.log(`${bin}, ${runs} runs each (one warm-up), wall ms`);
for (const [label, args] of cases) {
  once(args);
  const ms = Array.from({ length: runs }, () => once(args)).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  console.log(
    `${label.padEnd(40)} median ${median.toFixed(0)}  min ${ms[0]!.toFixed(0)}  max ${ms[ms.length - 1]!.toFixed(0)}`,
  );
}
