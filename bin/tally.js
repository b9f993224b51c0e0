#!/usr/bin/env node
// The published entry point runs the compiled CLI (built by `npm run build`, which `npm ci` runs via `prepare`).
import('../dist/cli/main.js').then(
  (m) => m.runProcess(process.argv.slice(2)),
  (err) => {
    console.error(err);
    process.exitCode = 70;
  },
);
