/**
 * `npm run bench:dashboard`: how long each dashboard page takes to be fully rendered in Debian's Chromium
 * against a running `tally serve` on the 90-day demo (from navigation to the load event, warm: each page is
 * opened once first), p50/p95/max per page over BENCH_REPEAT loads, signed in as an admin and as a team lead.
 * Env: BENCH_DB (a built demo store; default: build one in a temp dir), BENCH_REPEAT (default 10), BENCH_SETTLE
 * (default: measure after the start-up pass and its seed; 0: from the moment the server is healthy),
 * CHROMIUM_PATH (default /usr/bin/chromium).
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { runCli, startServeCli } from '../test/cli.js';

const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 10);
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`no Chromium at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
  process.exit(2);
}

const pct = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function timeLoad(page: Page, url: string): Promise<number> {
  const started = performance.now();
  await page.goto(url, { waitUntil: 'load' });
  return performance.now() - started;
}

const dir = mkdtempSync(join(tmpdir(), 'tally-bench-dash-'));
try {
  const db = join(dir, 't.duckdb');
  if (process.env['BENCH_DB']) copyFileSync(process.env['BENCH_DB'], db);
  else await runCli(['demo', '--db', db, '--skip-analyses', '--json'], { timeoutMs: 600_000 });
  const srv = await startServeCli(db);
  // The server's start-up work (the first alert pass over the whole history, then the answers it computes
  // ahead) runs on the worker that also serves pages: loads during it wait for it. Measured apart from the
  // steady state unless BENCH_SETTLE=0; later passes come every alerts.intervalSeconds (default 300 s).
  if (process.env['BENCH_SETTLE'] !== '0') {
    const started = performance.now();
    while (!/answers computed ahead/.test(srv.stderr()) && performance.now() - started < 120_000)
      await new Promise((ok) => setTimeout(ok, 100));
    console.log(`start-up work done ${Math.round(performance.now() - started)} ms after healthy`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const token = async (...args: string[]) =>
      (await runCli(['users', 'create', '--db', db, ...args, '--json'])).json<{ token: string }>().token;
    const users = {
      admin: await token('--name', 'bench', '--role', 'admin'),
      'team-lead': await token('--name', 'lead', '--role', 'team-lead', '--team', 'search'),
    };
    const pages = ['/', '/explore', '/teams', '/budgets', '/anomalies', '/forecast'];
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${REPEAT} loads per page`,
    );
    console.log('| user | page | p50 ms | p95 ms | max ms |\n| --- | --- | --- | --- | --- |');
    for (const [who, tok] of Object.entries(users)) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${srv.url}/login`);
      await page.fill('input[name=token]', tok);
      await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith('/login')),
        page.press('input[name=token]', 'Enter'),
      ]);
      for (const path of pages) {
        await timeLoad(page, `${srv.url}${path}`);
        const times: number[] = [];
        for (let i = 0; i < REPEAT; i++) times.push(await timeLoad(page, `${srv.url}${path}`));
        times.sort((a, b) => a - b);
        const f = (v: number) => v.toFixed(0);
        console.log(
          `| ${who} | ${path} | ${f(pct(times, 50))} | ${f(pct(times, 95))} | ${f(times.at(-1)!)} |`,
        );
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await srv.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
