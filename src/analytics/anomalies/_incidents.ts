/**
 * Anomaly episodes (one per scope, grain, source and metric) grouped into incidents, one per underlying event:
 * episodes that overlap in time, move the same way and are explained by compatible rows (their explaining
 * leaves share a dimension value and contradict none) are one incident. Its root cause is the most specific
 * scope any member's explaining rows share; its impact is the largest dollar impact of one member (the same
 * change seen from several scopes is never added up); idle capacity runs are incidents of ongoing waste.
 */
import { createHash } from 'node:crypto';
import type { IdleCapacity } from './_idle.js';
import { modelFamily } from './_idle.js';
import type { SpendAnomaly } from './_scan.js';

/** One incident. Money is USD (rounded to the cent where printed). */
export interface Incident {
  /** Stable and opaque: `inc_<24 hex>`, naming no scope (see `opaqueIncidentId`). */
  readonly id: string;
  readonly kind: 'spike' | 'drop' | 'drift' | 'idle';
  readonly start: string;
  readonly end: string;
  /** Idle capacity still billing on the newest exported day. */
  readonly ongoing: boolean;
  /** Every scope the event was seen at (team, app, deployment, model, then the rest). */
  readonly scopes: readonly string[];
  /** The most specific scope that explains the change, e.g. `team=support, app=ticket-summariser`. */
  readonly rootCause: string;
  readonly impactUsd: number;
  readonly severity: 'low' | 'medium' | 'high';
  /** Idle capacity only: cost of the newest idle day and the running total. */
  readonly wastePerDayUsd: number | null;
  readonly totalWasteUsd: number | null;
  /** Token change when the scope has no price (capacity-billed without a known capacity cost). */
  readonly impactTokens: number | null;
  /** When the first member could first be known (end of its first flagged bucket). */
  readonly detectedAt: string;
  /** The member episodes' ids. */
  readonly episodes: readonly string[];
}

/** Grouping settings. */
export interface IncidentOptions {
  /** Episodes of scopes with less history than this are cold-start noise (default 14 days). */
  readonly warmupDays?: number;
  /** Incidents whose largest dollar impact is below this are dropped (default $10; waste is never dropped). */
  readonly minIncidentUsd?: number;
  /** Severity bands by |impact| (default $20 and $100). */
  readonly mediumUsd?: number;
  readonly highUsd?: number;
  /** Flagged hours an hourly episode needs to count (default 2). */
  readonly minHourlyPoints?: number;
}

const ORDER = [
  'team',
  'app',
  'deployment',
  'model',
  'key',
  'deploymentType',
  'tokenType',
  'service',
  'subAccount',
];
const HOUR = 3_600_000;

interface Member {
  readonly start: number;
  readonly end: number;
  readonly up: boolean;
  /** Dimension key (cross-source for team/app/model) -> value. */
  readonly sig: Map<string, string>;
  readonly episode: SpendAnomaly | null;
  readonly idle: IdleCapacity | null;
  /** The scope's return to its level from before an earlier incident (part of that incident, not an event). */
  recovery?: boolean;
}

function signature(
  source: string,
  dims: Readonly<Record<string, string | null | undefined>>,
): Map<string, string> {
  const sig = new Map<string, string>();
  for (const [k, v] of Object.entries(dims)) {
    if (!v) continue;
    // Team and app tags and the model family mean the same thing in the ledger and in the exports; the rest
    // (deployment = Azure account in exports, deployment name in the ledger) only within one source.
    if (k === 'team' || k === 'app') sig.set(k, v);
    else if (k === 'model') sig.set(k, modelFamily(v));
    else sig.set(`${source}:${k}`, v);
  }
  return sig;
}

/** Whether two members can be one event: overlapping, same direction, no contradicting value, one shared. */
function compatible(a: Member, b: Member, shareCore: boolean): boolean {
  if (a.up !== b.up) return false;
  if (!(a.start < b.end + HOUR && b.start < a.end + HOUR)) return false;
  if (!shareCore && (a.sig.size === 0 || b.sig.size === 0)) return true;
  let shared = false;
  for (const [k, v] of a.sig) {
    const w = b.sig.get(k);
    if (w === undefined) continue;
    if (w !== v) return false;
    if (!shareCore || isCore(k)) shared = true;
  }
  return shared;
}

const isCore = (k: string) => rank(k) < 4;

const rank = (k: string) => {
  const i = ORDER.indexOf(k.includes(':') ? k.slice(k.indexOf(':') + 1) : k);
  return i < 0 ? ORDER.length : i;
};

function describe(dims: Readonly<Record<string, string | null | undefined>>): string {
  const core = Object.entries(dims)
    .filter((e): e is [string, string] => !!e[1] && rank(e[0]) < 4)
    .sort((a, b) => rank(a[0]) - rank(b[0]));
  const use = core.length
    ? core
    : Object.entries(dims)
        .filter((e): e is [string, string] => !!e[1])
        .sort((a, b) => rank(a[0]) - rank(b[0]))
        .slice(0, 2);
  return use.length ? use.map(([k, v]) => `${k}=${v}`).join(', ') : 'all';
}

/** Groups episodes (and idle capacity runs) into incidents, largest impact first. */
export function groupIncidents(
  episodes: readonly SpendAnomaly[],
  idle: readonly IdleCapacity[],
  o: IncidentOptions = {},
): Incident[] {
  const warmup = o.warmupDays ?? 14;
  const members: Member[] = [];
  for (const e of episodes) {
    if (e.historyDays < warmup) continue;
    // One flagged hour is a blip on a bursty scope: an hourly member needs two flagged hours. A drift whose
    // dollar impact is not positive (spend already back under its expectation) is no incident either.
    if (e.grain === 'hour' && e.points < (o.minHourlyPoints ?? 2)) continue;
    if (e.kind === 'drift' && e.impactUsd <= 0) continue;
    members.push({
      start: Date.parse(e.timestamp),
      end: Date.parse(e.end),
      up: e.kind !== 'drop' && e.kind !== 'idle',
      sig: signature(e.source, e.explainedBy),
      episode: e,
      idle: null,
    });
  }
  for (const r of idle)
    members.push({
      start: Date.parse(r.start),
      end: Date.parse(r.end),
      up: false,
      sig: signature('costs', { team: r.team, app: r.app, model: r.model, deployment: r.resource }),
      episode: null,
      idle: r,
    });
  // Union-find: members explained by a team, app, deployment or model join when they share one of those.
  // Broad members (a total, or rows shared only by a deployment type) never bridge two groups: each joins the
  // one overlapping group it fits best (largest impact), or groups with other broad members.
  const parent = members.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const core = members.map((m) => [...m.sig.keys()].some(isCore));
  for (let i = 0; i < members.length; i++)
    for (let j = i + 1; j < members.length; j++)
      if (core[i] && core[j] && compatible(members[i]!, members[j]!, true)) parent[find(i)] = find(j);
  const weight = (m: Member) => Math.abs(m.episode?.impactUsd ?? m.idle?.totalUsd ?? 0);
  for (let i = 0; i < members.length; i++) {
    if (core[i]) continue;
    let best = -1;
    for (let j = 0; j < members.length; j++)
      if (
        core[j] &&
        compatible(members[i]!, members[j]!, false) &&
        (best < 0 || weight(members[j]!) > weight(members[best]!))
      )
        best = j;
    if (best >= 0) parent[find(i)] = find(best);
  }
  for (let i = 0; i < members.length; i++)
    for (let j = i + 1; j < members.length; j++)
      if (
        !core[i] &&
        !core[j] &&
        find(i) === i &&
        find(j) === j &&
        compatible(members[i]!, members[j]!, false)
      )
        parent[find(i)] = find(j);
  const groups = new Map<number, Member[]>();
  for (let i = 0; i < members.length; i++) {
    const g = groups.get(find(i));
    if (g) g.push(members[i]!);
    else groups.set(find(i), [members[i]!]);
  }
  const out: Incident[] = [];
  for (const g of mergeRecoveries([...groups.values()])) {
    const inc = toIncident(g, o);
    if (inc) out.push(inc);
  }
  return out.sort((a, b) => Math.abs(b.impactUsd) - Math.abs(a.impactUsd));
}

function toIncident(all: readonly Member[], o: IncidentOptions): Incident | null {
  const g = all.filter((m) => !m.recovery);
  const recovered = all.filter((m) => m.recovery);
  const eps = g.flatMap((m) => (m.episode ? [m.episode] : []));
  const idle = g.flatMap((m) => (m.idle ? [m.idle] : []));
  const priced = eps.filter((e) => e.pricing !== 'none');
  const lead = [...priced].sort((a, b) => Math.abs(b.impactUsd) - Math.abs(a.impactUsd))[0];
  const waste = idle.reduce((a, r) => a + r.totalUsd, 0);
  const perDay = idle.reduce((a, r) => a + r.wastePerDayUsd, 0);
  const impact = idle.length ? waste : (lead?.impactUsd ?? 0);
  if (!idle.length && Math.abs(impact) < (o.minIncidentUsd ?? 10) && priced.length > 0) return null;
  // Unpriced-only groups (no capacity price known) pass on their token gate alone.
  // Most specific explanation: the most core dimensions, then the larger impact; the ledger names deployments.
  const best = [...eps].sort(
    (a, b) =>
      coreCount(b.explainedBy) - coreCount(a.explainedBy) ||
      Number(b.source === 'usage') - Number(a.source === 'usage') ||
      Math.abs(b.impactUsd) - Math.abs(a.impactUsd),
  )[0];
  const idleRun = idle[0];
  // Idle capacity: the deployment whose traffic stopped (from the ledger), else the billed resource.
  const rootCause = idleRun
    ? describe({
        team: idleRun.team,
        app: idleRun.app,
        deployment: idleRun.deployments.join('+') || idleRun.resource,
        model: idleRun.model,
      })
    : best
      ? describe(best.explainedBy)
      : 'all';
  const scopes = new Set<string>();
  for (const e of eps) scopes.add(e.scope);
  for (const r of idle) {
    scopes.add(`deployment=${r.resource}`);
    for (const d of r.deployments) scopes.add(`deployment=${d}`);
    if (r.team) scopes.add(`team=${r.team}`);
    if (r.app) scopes.add(`app=${r.app}`);
  }
  const start = Math.min(...g.map((m) => m.start));
  // A recovered incident ends where the scope was back at its earlier level.
  const end = recovered.length
    ? Math.min(...recovered.map((m) => m.start))
    : Math.max(...g.map((m) => m.end));
  const up = g[0]!.up;
  const kind: Incident['kind'] = idle.length
    ? 'idle'
    : (lead ?? eps[0])?.kind === 'drift'
      ? 'drift'
      : up
        ? 'spike'
        : 'drop';
  const detectedAt = Math.min(
    ...eps.map((e) => Date.parse(e.timestamp) + (e.grain === 'hour' ? HOUR : 24 * HOUR)),
    ...idle.map((r) => Date.parse(r.start) + 24 * HOUR),
  );
  const abs = Math.abs(impact);
  const tokens = priced.length ? null : eps.reduce((a, e) => a + (e.actualTokens - e.expectedTokens), 0);
  const day = new Date(start).toISOString().slice(0, 10);
  return {
    id: incidentId(rootCause, kind, day, scopes),
    kind,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    ongoing: idle.some((r) => r.ongoing),
    scopes: [...scopes].sort((a, b) => rank(a.split('=')[0]!) - rank(b.split('=')[0]!) || a.localeCompare(b)),
    rootCause,
    impactUsd: impact,
    severity: abs >= (o.highUsd ?? 100) ? 'high' : abs >= (o.mediumUsd ?? 20) ? 'medium' : 'low',
    wastePerDayUsd: idle.length ? perDay : null,
    totalWasteUsd: idle.length ? waste : null,
    impactTokens: tokens,
    detectedAt: new Date(detectedAt).toISOString(),
    episodes: [...eps, ...recovered.flatMap((m) => (m.episode ? [m.episode] : []))].map((e) => e.id),
  };
}

/** A return counts within this long after the incident's last flagged bucket (its baseline has adapted by then). */
const RECOVERY_WINDOW_MS = 7 * 24 * HOUR;
/** ... and when its level per bucket is within this factor of the level expected before the incident. */
const RECOVERY_LEVEL = 1.4;

/**
 * Folds the scope's return to normal into the incident it ends. After a sustained spike (or drop) the baseline
 * adapts to the new level, so the return to the old level is flagged the other way a few days later: a drop
 * whose spend is back where it was expected before the spike is the spike's end, not a second event. A real
 * drop below the old level stays an incident of its own.
 */
function mergeRecoveries(groups: Member[][]): Member[][] {
  const startOf = (g: readonly Member[]) => Math.min(...g.map((m) => m.start));
  const endOf = (g: readonly Member[]) => Math.max(...g.map((m) => m.end));
  const ordered = [...groups].sort((a, b) => startOf(a) - startOf(b));
  const merged = new Set<Member[]>();
  for (const g of ordered) {
    if (g.some((m) => m.idle)) continue;
    const at = startOf(g);
    const earlier = ordered.find(
      (p) =>
        p !== g &&
        !merged.has(p) &&
        !p.some((m) => m.idle || m.recovery) &&
        p[0]!.up !== g[0]!.up &&
        endOf(p) <= at &&
        at <= endOf(p) + RECOVERY_WINDOW_MS &&
        g.some((m) => p.some((q) => returnsTo(m, q))),
    );
    if (!earlier) continue;
    for (const m of g) m.recovery = true;
    earlier.push(...g);
    merged.add(g);
  }
  return groups.filter((g) => !merged.has(g));
}

/**
 * Member `m` watches the same core scope as `q` (a team, app, deployment or model, in the same source: a total
 * dilutes the level) and its level per bucket is close to what was expected there before `q`.
 */
function returnsTo(m: Member, q: Member): boolean {
  const a = m.episode;
  const b = q.episode;
  if (!a || !b || a.grain !== b.grain || a.source !== b.source || a.scope !== b.scope) return false;
  if (!isCore(a.scope.split('=')[0]!) || a.points <= 0 || b.points <= 0) return false;
  const level = a.actualUsd / a.points;
  const before = b.expectedUsd / b.points;
  return before > 0 && level <= before * RECOVERY_LEVEL && level >= before / RECOVERY_LEVEL;
}
/**
 * Stable, opaque id: `inc_` and 24 hex digits of the SHA-256 of the id text Tally used before session 12
 * (`inc:team=a,team=b:<hash of the root cause, the kind and the first day>`, see `legacyIncidentText`). The id
 * names no team, app or other label, so it can be shown to a team-scoped caller of any team the incident touches
 * (ADR 0059). The same event found again gets the same id; a state stored under an old id maps to its new id by
 * the same function, which both backends compute in SQL (store migrations 36 and 937).
 */
function incidentId(rootCause: string, kind: string, day: string, scopes: ReadonlySet<string>): string {
  return opaqueIncidentId(legacyIncidentText(rootCause, kind, day, scopes));
}

/** The id text of before session 12: the teams an incident touches and a hash of root cause, kind and day. */
function legacyIncidentText(
  rootCause: string,
  kind: string,
  day: string,
  scopes: ReadonlySet<string>,
): string {
  const teams = [
    ...new Set([...scopes, ...rootCause.split(', ')].filter((x) => x.startsWith('team='))),
  ].sort();
  const hash = createHash('sha256').update(`${rootCause}|${kind}|${day}`).digest('hex').slice(0, 12);
  return teams.length ? `inc:${teams.join(',')}:${hash}` : `inc:${hash}`;
}

/**
 * The opaque id of an incident whose id text was `legacy` (UTF-8): `inc_` + the first 24 hex digits of its
 * SHA-256. Store migrations compute the same in SQL (DuckDB `sha256(text)`; PostgreSQL
 * `encode(sha256(convert_to(text, 'UTF8')), 'hex')`); keep them in step.
 */
export function opaqueIncidentId(legacy: string): string {
  return `inc_${createHash('sha256').update(legacy, 'utf8').digest('hex').slice(0, OPAQUE_ID_HEX)}`;
}

/** Hex digits of an opaque incident id (96 bits). */
export const OPAQUE_ID_HEX = 24;

function coreCount(dims: Readonly<Record<string, string>>): number {
  return Object.keys(dims).filter((k) => rank(k) < 4).length;
}
