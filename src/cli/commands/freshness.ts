/** `tally freshness`: how current the data is: the last ingest per export source and the ledger's last event. */
import { defineCommand } from '../command.js';

export const freshnessCommand = defineCommand({
  async run(ctx) {
    const store = await ctx.openStore({ readOnly: true });
    const ledger = await store.usageExtent();
    const exports = await store.ingestFreshness();
    const iso = (d: Date | null) => (d === null ? null : d.toISOString());
    const sources = [
      { source: 'ledger', lastIngestAt: null, lastEventAt: iso(ledger.last), rows: ledger.events },
      ...exports.map((r) => ({
        source: `export:${r.format}`,
        lastIngestAt: iso(r.lastIngestAt),
        lastEventAt: iso(r.lastChargeAt),
        rows: r.rows,
      })),
    ];
    if (ctx.json) ctx.out.json({ sources });
    else ctx.out.table(sources);
  },
});
