/** `tally freshness`: how current the data is: the last ingest per export source and the ledger's last event. */
import { defineCommand } from '../command.js';

export const freshnessCommand = defineCommand({
  async run(ctx) {
    const store = await ctx.openStore({ readOnly: true });
    const ledger = await store.query('SELECT max(start_time) AS last_event, count(*) AS n FROM usage_events');
    const exports = await store.query(
      `SELECT i.format AS format, max(i.ingested_at) AS last_ingest, sum(i.rows_loaded) AS n,
         (SELECT max("ChargePeriodEnd") FROM cost_rows) AS last_charge
       FROM ingests i GROUP BY i.format ORDER BY i.format`,
    );
    const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)).toISOString());
    const sources = [
      {
        source: 'ledger',
        lastIngestAt: null,
        lastEventAt: iso(ledger[0]?.['last_event']),
        rows: Number(ledger[0]?.['n'] ?? 0),
      },
      ...exports.map((r) => ({
        source: `export:${String(r['format'])}`,
        lastIngestAt: iso(r['last_ingest']),
        lastEventAt: iso(r['last_charge']),
        rows: Number(r['n'] ?? 0),
      })),
    ];
    if (ctx.json) ctx.out.json({ sources });
    else ctx.out.table(sources);
  },
});
