/**
 * Incidents kept by the scheduled pass, and their lifecycle. Each incident is stored in kv (`incidents`/<id>),
 * with an index (`incidents`/`_index`: ids and the window the passes have covered) so the dashboard and API
 * read them without re-scanning. State (new, acknowledged, resolved; who and when) lives in the store's
 * incident states. A resolved incident that recurs (activity after it was resolved, or the same root cause
 * again within two weeks) reopens: its id is kept and its state goes back to new.
 */
import type { Incident } from '../analytics/index.js';
import type { CostStore } from '../store/index.js';

/** An incident as shown: the detector's view plus its lifecycle. */
export interface IncidentView extends Incident {
  readonly state: 'new' | 'acknowledged' | 'resolved';
  readonly stateBy: string | null;
  readonly stateAt: string | null;
  /** Set when a resolved incident recurred. */
  readonly reopened: boolean;
}

interface IncidentIndex {
  ids: string[];
  /** The window the scheduled passes have scanned, [from, to) ISO. */
  coveredFrom: string | null;
  coveredTo: string | null;
}

const NS = 'incidents';
/** Who an incident found by an on-demand scan (not by the scheduled pass) belongs to: its scopes and root cause. */
const SCANNED = 'incidents-scanned';
const REOPEN_MS = 14 * 86_400_000;

/** Reads the index of stored incidents. */
export async function readIncidentIndex(store: CostStore): Promise<IncidentIndex> {
  const v = (await store.getMeta(NS, '_index')) as IncidentIndex | null;
  return v ?? { ids: [], coveredFrom: null, coveredTo: null };
}

/** Stored incidents (as last recorded) overlapping [from, to). */
export async function readStoredIncidents(store: CostStore, from?: Date, to?: Date): Promise<Incident[]> {
  const index = await readIncidentIndex(store);
  const out: Incident[] = [];
  for (const id of index.ids) {
    const inc = (await store.getMeta(NS, id)) as Incident | null;
    if (!inc) continue;
    if (from && Date.parse(inc.end) <= from.getTime()) continue;
    if (to && Date.parse(inc.start) >= to.getTime()) continue;
    out.push(inc);
  }
  return out;
}

/**
 * The teams an incident touches, or null when Tally never showed an incident with this id (ids are not trusted
 * text): one the scheduled pass stored, or one a scoped caller was shown by an on-demand scan.
 */
export async function storedIncidentTeams(store: CostStore, id: string): Promise<string[] | null> {
  const stored = (await readIncidentIndex(store)).ids.includes(id)
    ? ((await store.getMeta(NS, id)) as Incident | null)
    : null;
  const inc = stored ?? ((await store.getMeta(SCANNED, id)) as Pick<Incident, 'scopes' | 'rootCause'> | null);
  return inc ? incidentTeams(inc) : null;
}

/**
 * Remembers whose incidents an on-demand scan found (a window the scheduled pass has not covered), so the team
 * lead it was shown to can acknowledge or resolve it. Kept apart from the pass's incidents: the list and its
 * coverage stay the pass's own. Ids are content hashes, so a later scan of the same event overwrites its entry.
 */
export async function rememberScanned(
  store: CostStore,
  found: readonly Pick<Incident, 'id' | 'scopes' | 'rootCause'>[],
): Promise<void> {
  for (const f of found) await store.setMeta(SCANNED, f.id, { scopes: f.scopes, rootCause: f.rootCause });
}

/**
 * Whether the scheduled passes have scanned all of [from, min(to, now)), allowing the last pass to be up to
 * `maxAgeMs` old: a window that runs to the present is answered from the incidents of the last pass when that pass
 * is recent (the passes run every `alerts.intervalSeconds`), instead of by a multi-second scan on every request.
 */
export function covers(index: IncidentIndex, from: Date, to: Date, now: Date, maxAgeMs = 0): boolean {
  if (!index.coveredFrom || !index.coveredTo) return false;
  const until = Math.min(to.getTime(), now.getTime() - maxAgeMs);
  return Date.parse(index.coveredFrom) <= from.getTime() && Date.parse(index.coveredTo) >= until;
}

/**
 * Applies known incidents and states to freshly found ones: the same root cause and kind that was resolved and
 * recurs within two weeks keeps its id and reopens; activity after a resolution reopens too.
 */
export async function withLifecycle(
  store: CostStore,
  found: readonly Incident[],
  known: readonly Incident[],
): Promise<IncidentView[]> {
  const knownById = new Map(known.map((k) => [k.id, k]));
  const ids = [...new Set([...found.map((f) => f.id), ...known.map((k) => k.id)])];
  const states = await store.getIncidentStates(ids);
  return found.map((f) => {
    let id = f.id;
    if (!knownById.has(id)) {
      // A recurrence of a resolved incident: same root cause and kind, starting within two weeks of its end.
      const prior = known.find(
        (k) =>
          k.rootCause === f.rootCause &&
          k.kind === f.kind &&
          states.get(k.id)?.state === 'resolved' &&
          Date.parse(f.start) >= Date.parse(k.end) - 3_600_000 &&
          Date.parse(f.start) - Date.parse(k.end) <= REOPEN_MS,
      );
      if (prior) id = prior.id;
    }
    const s = states.get(id);
    const reopened =
      s?.state === 'resolved' && (id !== f.id || Date.parse(f.end) > s.changedAt.getTime() + 3_600_000);
    return {
      ...f,
      id,
      state: reopened ? 'new' : (s?.state ?? 'new'),
      stateBy: reopened ? 'tally' : (s?.changedBy ?? null),
      stateAt: reopened ? null : (s?.changedAt.toISOString() ?? null),
      reopened,
    };
  });
}

/** Records the incidents of one pass (covering [from, to)), persisting reopenings as state changes. */
export async function recordIncidents(
  store: CostStore,
  views: readonly IncidentView[],
  from: Date,
  to: Date,
  now: Date,
): Promise<void> {
  const index = await readIncidentIndex(store);
  const ids = new Set(index.ids);
  for (const v of views) {
    const { state: _s, stateBy: _b, stateAt: _a, reopened, ...inc } = v;
    await store.setMeta(NS, v.id, inc);
    ids.add(v.id);
    if (reopened)
      await store.setIncidentState({
        id: v.id,
        state: 'new',
        changedBy: 'tally',
        changedAt: now,
        note: `reopened: spend moved again from ${v.start}`,
      });
  }
  const coveredFrom =
    index.coveredFrom && Date.parse(index.coveredFrom) < from.getTime() && index.coveredTo
      ? Date.parse(index.coveredTo) >= from.getTime()
        ? index.coveredFrom
        : from.toISOString()
      : from.toISOString();
  await store.setMeta(NS, '_index', {
    ids: [...ids],
    coveredFrom,
    coveredTo: to.toISOString(),
  } satisfies IncidentIndex);
}

/** The teams an incident touches (from its scopes and root cause). */
export function incidentTeams(i: Pick<Incident, 'scopes' | 'rootCause'>): string[] {
  const teams = new Set<string>();
  for (const s of [...i.scopes, ...i.rootCause.split(', ')])
    if (s.startsWith('team=')) teams.add(s.slice('team='.length));
  return [...teams].sort();
}
