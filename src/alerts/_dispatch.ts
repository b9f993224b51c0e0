/**
 * Sends alerts to sinks with deduplication and a quiet period. State lives in the store's kv table
 * (namespace "alerts", one key per alert): an alert is sent once; it is sent again as an update only when its
 * fingerprint changes and the quiet period since the last send has passed. A failed send is retried next run.
 */
import { labelsOwnedBy, withOwnLabels } from '../analytics/index.js';
import { TallyError } from '../core/index.js';
import type { CostStore, VirtualKeyRecord } from '../store/index.js';
import { incidentAlert } from './_events.js';
import { alertBody, type AlertEvent, type SinkType } from './_format.js';
import type { IncidentView } from './_incidents.js';

/** A configured sink. */
export interface Sink {
  readonly name?: string | undefined;
  readonly type: SinkType;
  readonly url: string;
  readonly minImpactUsd?: number | undefined;
  /** Teams this sink belongs to: their incidents go here instead of the sinks without teams. */
  readonly teams?: readonly string[] | undefined;
}

/** The sinks an alert goes to: the owning teams' sinks when any match, else the sinks that name no team. */
export function routeAlert(sinks: readonly Sink[], a: Pick<AlertEvent, 'teams'>): Sink[] {
  const teams = a.teams ?? [];
  const owned = sinks.filter((s) => s.teams?.some((t) => teams.includes(t)));
  return owned.length ? owned : sinks.filter((s) => !s.teams || s.teams.length === 0);
}

/**
 * An incident alert as a team's own sink may read it: that team's labels and shared infrastructure, never another
 * team's (a shared incident rooted elsewhere reads "outside your teams"). Sinks without teams get it whole.
 */
function forSink(a: AlertEvent, s: Sink, keys: readonly VirtualKeyRecord[]): AlertEvent {
  if (!a.key.startsWith('incident:') || !s.teams?.length) return a;
  const { currency, ...view } = a.data as IncidentView & { currency: string };
  const scoped = incidentAlert(withOwnLabels(view, labelsOwnedBy(s.teams, keys)), currency);
  const teams = (a.teams ?? []).filter((t) => s.teams!.includes(t));
  return { ...scoped, key: a.key, fingerprint: a.fingerprint, teams, update: a.update ?? false };
}

/** What happened to one alert. */
export interface DispatchResult {
  readonly key: string;
  readonly outcome: 'sent' | 'updated' | 'duplicate' | 'quiet' | 'failed' | 'no-sink';
  readonly sinks: readonly { sink: string; status: number | null; error?: string }[];
}

interface SentState {
  fingerprint: string;
  sentAt: string;
  count: number;
}

const NS = 'alerts';

/** POSTs one JSON body; resolves with the HTTP status (throws TallyError on network failure or timeout). */
export async function postJson(url: string, body: unknown, timeoutMs = 10_000): Promise<number> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'tally-alerts' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    throw new TallyError(
      'upstream_error',
      `alert sink ${url}: ${(err as Error).message}`,
      { url },
      { cause: err },
    );
  }
}

/** Sends each alert to every sink whose threshold it meets, unless dedup or the quiet period holds it back. */
export async function dispatchAlerts(
  store: CostStore,
  sinks: readonly Sink[],
  alerts: readonly AlertEvent[],
  opts: { now: Date; quietMinutes: number; dryRun?: boolean },
): Promise<DispatchResult[]> {
  const out: DispatchResult[] = [];
  let keys: readonly VirtualKeyRecord[] | null = null;
  for (const a of alerts) {
    const prev = (await store.getMeta(NS, a.key)) as SentState | null;
    if (prev && prev.fingerprint === a.fingerprint) {
      out.push({ key: a.key, outcome: 'duplicate', sinks: [] });
      continue;
    }
    if (prev && opts.now.getTime() - Date.parse(prev.sentAt) < opts.quietMinutes * 60_000) {
      out.push({ key: a.key, outcome: 'quiet', sinks: [] });
      continue;
    }
    const targets = routeAlert(sinks, a).filter(
      (s) => a.kind === 'budget' || a.impactUsd >= (s.minImpactUsd ?? 0),
    );
    if (targets.length === 0) {
      out.push({ key: a.key, outcome: 'no-sink', sinks: [] });
      continue;
    }
    const event: AlertEvent = prev ? { ...a, update: true } : a;
    const results: { sink: string; status: number | null; error?: string }[] = [];
    for (const s of targets) {
      if (opts.dryRun) {
        results.push({ sink: s.name ?? s.type, status: null });
        continue;
      }
      try {
        keys ??= s.teams?.length && a.key.startsWith('incident:') ? await store.listKeys() : null;
        const body = alertBody(s.type, forSink(event, s, keys ?? []));
        results.push({ sink: s.name ?? s.type, status: await postJson(s.url, body) });
      } catch (err) {
        results.push({ sink: s.name ?? s.type, status: null, error: (err as Error).message });
      }
    }
    const ok = opts.dryRun || results.some((r) => r.status !== null && r.status >= 200 && r.status < 300);
    if (ok && !opts.dryRun)
      await store.setMeta(NS, a.key, {
        fingerprint: a.fingerprint,
        sentAt: opts.now.toISOString(),
        count: (prev?.count ?? 0) + 1,
      } satisfies SentState);
    out.push({ key: a.key, outcome: ok ? (prev ? 'updated' : 'sent') : 'failed', sinks: results });
  }
  return out;
}
