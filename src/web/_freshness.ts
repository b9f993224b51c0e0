/** The data-freshness table: when each source last delivered, and a flag when it looks stale. */
import { asObject, type FreshnessDoc } from './_docs.js';
import { count, when } from './_format.js';
import { html, type Html } from './_html.js';
import { dataTable } from './_table.js';

// The ledger gets events every minute when the gateway carries traffic; cost exports arrive daily at best
// (Azure publishes with up to ~24 h delay), so two days without an ingest is worth a look.
const STALE_HOURS = { ledger: 24, export: 48 } as const;

function ageHours(iso: string | null, now: Date): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : (now.getTime() - t) / 3_600_000;
}

/** A card with one row per source. */
export function freshnessCard(doc: unknown, now: Date): Html {
  const sources = asObject<FreshnessDoc>(doc, 'freshness', 'sources').sources;
  return html`<section class="card" aria-labelledby="fr-h">
    <h2 id="fr-h">Data freshness</h2>
    ${dataTable({
      columns: [
        { label: 'Source', cell: (s) => s.source },
        { label: 'Last ingest', cell: (s) => when(s.lastIngestAt) },
        { label: 'Latest data', cell: (s) => when(s.lastEventAt) },
        { label: 'Rows', num: true, cell: (s) => count(s.rows) },
        {
          label: 'Status',
          cell: (s) => {
            const limit = s.source === 'ledger' ? STALE_HOURS.ledger : STALE_HOURS.export;
            const age = ageHours(
              s.source === 'ledger' ? s.lastEventAt : (s.lastIngestAt ?? s.lastEventAt),
              now,
            );
            if (age === null) return html`<span class="badge warn">no data</span>`;
            return age > limit
              ? html`<span class="badge warn">stale</span>`
              : html`<span class="badge ok">fresh</span>`;
          },
        },
      ],
      rows: sources,
      empty: 'No sources have delivered data yet.',
    })}
  </section>`;
}
