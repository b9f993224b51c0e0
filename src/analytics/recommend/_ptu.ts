/**
 * PTU right-sizing and reservation rules. The current set-up comes from the exports (deployed PTU = PTU-hours ÷
 * window hours; reserved PTU = committed hours ÷ window hours), the options from replaying the ledger's minutes
 * against every allowed PTU count, each priced hourly, with a 1-month and with a 1-year reservation, spillover
 * billed pay-as-you-go. Everything is per 730-hour month; hourly PTU and pay-as-you-go tokens get the negotiated
 * rate seen in the exports, reservations are billed at list (as Azure bills reservation purchases).
 */
import { lookupPrice, lookupPtuSpec, type PtuSpec } from '../../catalog/index.js';
import type { Nanos } from '../../core/index.js';
import {
  ptuBillingSql,
  ptuDeploymentsSql,
  loadKey,
  type PtuBillingRow,
  type PtuDeploymentRow,
  type RecommendInputs,
} from './_queries.js';
import { ptuCandidates, replayPtu, type ReplayOutcome } from './_ptu-replay.js';
import { atRate, exactUsd, MONTH_HOURS, pct, perMonth, round4, type Recommendation } from './_types.js';

/** Pay-as-you-go token rates, nanos per million tokens, with the PTU throughput they are replayed against. */
interface ReplayRates {
  readonly inputNanosPerMTok: Nanos;
  readonly cachedNanosPerMTok: Nanos;
  readonly outputNanosPerMTok: Nanos;
}

/**
 * The prices a PTU recommendation rests on, as its evidence states them (the PTU spec, the pay-as-you-go rates
 * spillover pays, the negotiated rate seen in the exports and the current set-up): one shape for every PTU rule.
 */
export function ptuPricingInputs(
  cur: PtuCurrent,
  spec: PtuSpec,
  spillType: string,
  rs: ReplayRates,
  paygSource: string,
  rate: { readonly effective: bigint; readonly list: bigint },
): Record<'ptu' | 'payg' | 'paygRate' | 'current', Record<string, unknown>> {
  return {
    ptu: {
      deployment: cur.ptuKind,
      inputTpmPerPtu: spec.inputTpmPerPtu,
      outputRatio: spec.outputRatio,
      minPtu: spec.minPtu,
      stepPtu: spec.stepPtu,
      hourlyUsd: exactUsd(spec.hourlyNanos),
      monthlyReservationUsd: exactUsd(spec.monthlyReservationNanos),
      yearlyReservationUsd: exactUsd(spec.yearlyReservationNanos),
      source: spec.source,
    },
    payg: {
      deployment: spillType,
      inputPerMTokUsd: exactUsd(rs.inputNanosPerMTok),
      cachedPerMTokUsd: exactUsd(rs.cachedNanosPerMTok),
      outputPerMTokUsd: exactUsd(rs.outputNanosPerMTok),
      source: paygSource,
    },
    paygRate: { effectiveUsd: exactUsd(rate.effective), listUsd: exactUsd(rate.list) },
    current: {
      deployedPtu: cur.deployedPtu,
      reservedPtu: cur.reservedPtu,
      term: cur.term,
      reservation: cur.reservationName,
    },
  };
}

/** How an option pays for its PTUs. */
export type PtuBilling = 'none' | 'hourly' | '1-month' | '1-year';

/** The set-up the exports show for an account. */
export interface PtuCurrent {
  readonly deployedPtu: number;
  readonly reservedPtu: number;
  readonly term: '1-month' | '1-year';
  readonly reservationName: string | null;
  readonly usedReservedHours: number;
  readonly unusedReservedHours: number;
  readonly hourlyHours: number;
  readonly billedEffectiveNanos: Nanos;
  readonly ptuKind: 'provisioned' | 'data-zone-provisioned' | 'regional-provisioned';
}

/** Reads an account's PTU set-up from its billing rows (null when the exports show none). */
export function currentPtu(rows: readonly PtuBillingRow[], hours: number): PtuCurrent | null {
  const usage = rows.filter((r) => r.chargeCategory === 'Usage');
  if (usage.length === 0 || hours <= 0) return null;
  const unused = usage.filter((r) => r.commitmentStatus === 'Unused').reduce((s, r) => s + r.hours, 0);
  const used = usage
    .filter((r) => r.pricingCategory === 'Committed' && r.commitmentStatus !== 'Unused')
    .reduce((s, r) => s + r.hours, 0);
  const hourly = usage.filter((r) => r.pricingCategory !== 'Committed').reduce((s, r) => s + r.hours, 0);
  const purchase = rows.find((r) => r.chargeCategory === 'Purchase');
  const meter = usage[0]!.meter;
  return {
    deployedPtu: Math.round((used + hourly) / hours),
    reservedPtu: Math.round((used + unused) / hours),
    term: /1 ?year/i.test(purchase?.meter ?? '') ? '1-year' : '1-month',
    reservationName: usage.find((r) => r.commitmentName)?.commitmentName ?? null,
    usedReservedHours: used,
    unusedReservedHours: unused,
    hourlyHours: hourly,
    billedEffectiveNanos: usage.reduce((s, r) => s + r.effectiveNanos, 0n),
    ptuKind: /data ?zone/i.test(meter)
      ? 'data-zone-provisioned'
      : /regional/i.test(meter)
        ? 'regional-provisioned'
        : 'provisioned',
  };
}

/** Monthly list price of `ptu` PTUs billed one way (1-year spread over 12 months, half-up). */
export function ptuMonthList(ptu: number, billing: PtuBilling, spec: PtuSpec): Nanos {
  const u = BigInt(ptu);
  if (billing === 'none') return 0n;
  if (billing === 'hourly') return u * spec.hourlyNanos * MONTH_HOURS;
  if (billing === '1-month') return u * spec.monthlyReservationNanos;
  return (u * spec.yearlyReservationNanos + 6n) / 12n;
}

/** One priced option. */
export interface PtuOption {
  readonly ptu: number;
  readonly billing: PtuBilling;
  readonly listNanos: Nanos;
  readonly effectiveNanos: Nanos;
}

/** The pay-as-you-go deployment type PTU spillover (or a move off PTU) lands on. */
export const SPILL_TYPE = {
  provisioned: 'global-standard',
  'data-zone-provisioned': 'data-zone',
  'regional-provisioned': 'regional',
} as const;

/** PTU right-sizing and reservation recommendations for every provisioned deployment. */
export function ptuRecommendations(inp: RecommendInputs): Recommendation[] {
  const out: Recommendation[] = [];
  for (const d of inp.ptuDeployments) {
    const accountRows = inp.ptuBilling.filter((r) => r.account === d.upstream);
    const cur = currentPtu(accountRows, inp.hours);
    // Two PTU deployments on one account share its meters: the exports cannot say which holds what.
    const shared = inp.ptuDeployments.filter((x) => x.upstream === d.upstream).length > 1;
    if (!cur || shared) continue;
    const rec = rightsize(inp, d, cur);
    if (rec) out.push(rec);
    out.push(...reservationRecs(inp, d, cur, rec?.id));
  }
  return out;
}

function rightsize(inp: RecommendInputs, d: PtuDeploymentRow, cur: PtuCurrent): Recommendation | null {
  const spec = lookupPtuSpec({
    model: d.model,
    deployment: cur.ptuKind,
    region: d.region ?? undefined,
    at: inp.window.from,
  });
  const spillType = SPILL_TYPE[cur.ptuKind];
  const payg = lookupPrice({ model: d.model, deployment: spillType, provider: 'azure', at: inp.window.from });
  const series = inp.minuteLoads.get(loadKey(d.deployment, d.upstream));
  if (!spec || !payg || !series) return null;
  const rs = {
    inputTpmPerPtu: spec.inputTpmPerPtu,
    outputRatio: spec.outputRatio,
    inputNanosPerMTok: payg.inputNanosPerMTok,
    cachedNanosPerMTok: payg.cachedInputNanosPerMTok ?? payg.inputNanosPerMTok,
    outputNanosPerMTok: payg.outputNanosPerMTok,
  };
  let peak = 0;
  let sum = 0;
  for (const m of series.minutes) {
    const l = m.uncached + spec.outputRatio * m.output;
    sum += l;
    if (l > peak) peak = l;
  }
  const peakPtu = Math.ceil(peak / spec.inputTpmPerPtu);
  const counts = [
    ...new Set([
      ...ptuCandidates(spec.minPtu, spec.stepPtu, Math.max(cur.deployedPtu, peakPtu)),
      cur.deployedPtu,
    ]),
  ].sort((a, b) => a - b);
  const replay = replayPtu(series.minutes, inp.hours * 60, rs, counts);
  const rate = inp.paygRate;
  const spillMonth = (o: ReplayOutcome) => perMonth(o.spillListNanos, inp.hours);
  const options: PtuOption[] = replay.flatMap((o) =>
    (o.ptu === 0 ? (['none'] as const) : (['hourly', '1-month', '1-year'] as const)).map((billing) => {
      const ptuList = ptuMonthList(o.ptu, billing, spec);
      const ptuEff = billing === 'hourly' ? atRate(ptuList, rate) : ptuList;
      return {
        ptu: o.ptu,
        billing,
        listNanos: ptuList + spillMonth(o),
        effectiveNanos: ptuEff + atRate(spillMonth(o), rate),
      };
    }),
  );
  const atCurrent = replay.find((o) => o.ptu === cur.deployedPtu)!;
  const hourlyPtu = cur.deployedPtu - cur.reservedPtu;
  const resList = ptuMonthList(cur.reservedPtu, cur.term, spec);
  const hourlyList = ptuMonthList(Math.max(0, hourlyPtu), 'hourly', spec);
  const currentList = resList + hourlyList + spillMonth(atCurrent);
  const currentEff = resList + atRate(hourlyList, rate) + atRate(spillMonth(atCurrent), rate);
  const best = options.reduce((a, b) => (b.effectiveNanos < a.effectiveNanos ? b : a));
  const saving = currentEff - best.effectiveNanos;
  if (saving < 1_000_000_000n) return null; // under $1 a month is noise
  const bestReplay = replay.find((o) => o.ptu === best.ptu)!;
  const id = `ptu-rightsize:${d.upstream}/${d.deployment}`;
  const to = best.ptu === 0 ? `0 PTU (pay-as-you-go ${spillType})` : `${best.ptu} PTU (${best.billing})`;
  return {
    id,
    kind: 'ptu-rightsize',
    title: `${d.deployment}: ${cur.deployedPtu} PTU at ${pct(atCurrent.utilisation)} average use; ${to} serves the same minutes for less`,
    scope: { account: d.upstream, deployment: d.deployment, model: d.model },
    monthlySavingsNanos: saving,
    monthlyListSavingsNanos: currentList - best.listNanos,
    confidence: inp.hours >= 24 * 28 ? 'high' : 'medium',
    risk:
      best.ptu === 0
        ? 'Pay-as-you-go has no latency guarantee and shares regional capacity; latency-sensitive traffic may see more variance and 429s at peaks.'
        : `Peaks above ${best.ptu} PTU spill to pay-as-you-go (${pct(bestReplay.spillShare)} of load in this window).`,
    action:
      best.ptu === 0
        ? `Azure OpenAI account ${d.upstream}: create a ${spillType} deployment of ${d.model}, move ${d.deployment}'s callers to it, then delete the provisioned deployment; let reservation ${cur.reservationName ?? '(none)'} lapse at its renewal instead of auto-renewing.`
        : `Azure OpenAI account ${d.upstream}: set ${d.deployment} to ${best.ptu} PTU, bill it ${best.billing}, and point x-ms-spillover-deployment at a ${spillType} deployment of ${d.model}.`,
    evidence: {
      sql: [ptuDeploymentsSql(inp.window), series.sql, ptuBillingSql(inp.window), inp.paygRate.sql],
      inputs: {
        window: { from: inp.window.from.toISOString(), to: inp.window.to.toISOString(), hours: inp.hours },
        monthHours: Number(MONTH_HOURS),
        ...ptuPricingInputs(cur, spec, spillType, rs, payg.source, rate),
      },
      figures: {
        minutesWithLoad: series.minutes.length,
        peakInputEquivalentTpm: peak,
        averageInputEquivalentTpm: inp.hours > 0 ? sum / (inp.hours * 60) : 0,
        observedBilledEffectiveUsd: exactUsd(cur.billedEffectiveNanos),
        replay: replay.map((o) => ({
          ptu: o.ptu,
          utilisation: round4(o.utilisation),
          spillShare: round4(o.spillShare),
          spillMinutes: o.spillMinutes,
          spillListUsd: exactUsd(o.spillListNanos),
        })),
        current: { listUsd: exactUsd(currentList), effectiveUsd: exactUsd(currentEff) },
        proposed: {
          ptu: best.ptu,
          billing: best.billing,
          listUsd: exactUsd(best.listNanos),
          effectiveUsd: exactUsd(best.effectiveNanos),
        },
      },
      formula:
        'month(x) = x × 730 ÷ window hours (half-up); rate(x) = x × paygRate.effective ÷ paygRate.list (half-up); ' +
        'PTU list per month: hourly = N × hourlyUsd × 730, 1-month = N × monthlyReservationUsd, 1-year = (N × yearlyReservationUsd) ÷ 12; ' +
        'current = reserved + rate(hourly part) + rate(month(spill at deployed N)); option = PTU (rate() only when hourly) + rate(month(spill at N)); ' +
        'saving = current.effective − proposed.effective',
    },
  };
}

function reservationRecs(
  inp: RecommendInputs,
  d: PtuDeploymentRow,
  cur: PtuCurrent,
  rightsizeId: string | undefined,
): Recommendation[] {
  const spec = lookupPtuSpec({
    model: d.model,
    deployment: cur.ptuKind,
    region: d.region ?? undefined,
    at: inp.window.from,
  });
  if (!spec) return [];
  const totalHours = cur.usedReservedHours + cur.hourlyHours;
  const figures = {
    ptuHours: totalHours,
    reservedHoursUsed: cur.usedReservedHours,
    reservedHoursUnused: cur.unusedReservedHours,
    hourlyBilledHours: cur.hourlyHours,
    coverage: round4(totalHours > 0 ? cur.usedReservedHours / totalHours : 0),
    utilisation: round4(
      cur.usedReservedHours + cur.unusedReservedHours > 0
        ? cur.usedReservedHours / (cur.usedReservedHours + cur.unusedReservedHours)
        : 0,
    ),
  };
  const base = {
    scope: { account: d.upstream, deployment: d.deployment },
    confidence: 'medium' as const,
    ...(rightsizeId ? { alternativeTo: rightsizeId } : {}),
  };
  const inputs = {
    window: { from: inp.window.from.toISOString(), to: inp.window.to.toISOString(), hours: inp.hours },
    hourlyUsd: exactUsd(spec.hourlyNanos),
    monthlyReservationUsd: exactUsd(spec.monthlyReservationNanos),
    paygRate: { effectiveUsd: exactUsd(inp.paygRate.effective), listUsd: exactUsd(inp.paygRate.list) },
    current: {
      deployedPtu: cur.deployedPtu,
      reservedPtu: cur.reservedPtu,
      term: cur.term,
      reservation: cur.reservationName,
    },
  };
  const out: Recommendation[] = [];
  const hourlyPtu = cur.deployedPtu - cur.reservedPtu;
  // PTU above the reservation that ran every hour of the window: a 1-month reservation is cheaper from ~37%
  // use at list ($260 vs $730), ~40% at a 12% discount.
  if (hourlyPtu > 0 && cur.hourlyHours >= hourlyPtu * inp.hours * 0.95) {
    const hourlyList = ptuMonthList(hourlyPtu, 'hourly', spec);
    const resList = ptuMonthList(hourlyPtu, '1-month', spec);
    const saving = atRate(hourlyList, inp.paygRate) - resList;
    if (saving > 0n)
      out.push({
        ...base,
        id: `reservation:purchase:${d.upstream}/${d.deployment}`,
        kind: 'reservation',
        title: `${d.deployment}: ${hourlyPtu} PTU beyond the reservation billed hourly all month (coverage ${pct(figures.coverage)})`,
        monthlySavingsNanos: saving,
        monthlyListSavingsNanos: hourlyList - resList,
        risk: 'A reservation is a commitment for its term; it only pays while the PTUs stay deployed.',
        action: `Azure portal › Reservations › Add › Azure OpenAI Provisioned (${cur.ptuKind}, region and scope of ${d.upstream}): buy ${hourlyPtu} PTU for 1 month, or exchange ${cur.reservationName ?? 'the existing reservation'} for one of ${cur.deployedPtu} PTU.`,
        evidence: {
          sql: [ptuBillingSql(inp.window), inp.paygRate.sql],
          inputs,
          figures: {
            ...figures,
            hourlyPtu,
            hourlyMonthListUsd: exactUsd(hourlyList),
            reservationMonthListUsd: exactUsd(resList),
          },
          formula: 'saving = rate(hourlyPtu × hourlyUsd × 730) − hourlyPtu × monthlyReservationUsd',
        },
      });
  }
  if (cur.unusedReservedHours > 0) {
    const unusedPtu = Math.round(cur.unusedReservedHours / inp.hours);
    const saving = ptuMonthList(unusedPtu, cur.term, spec);
    if (unusedPtu > 0)
      out.push({
        ...base,
        id: `reservation:unused:${d.upstream}/${d.deployment}`,
        kind: 'reservation',
        title: `${cur.reservationName ?? 'reservation'}: ${unusedPtu} reserved PTU unused (utilisation ${pct(figures.utilisation)})`,
        monthlySavingsNanos: saving,
        monthlyListSavingsNanos: saving,
        risk: 'Unused reserved hours are already paid; the saving starts at the next renewal or exchange.',
        action: `Azure portal › Reservations › ${cur.reservationName ?? 'the reservation'}: exchange or reduce it by ${unusedPtu} PTU at renewal, or deploy PTU that match its type, region and scope.`,
        evidence: {
          sql: [ptuBillingSql(inp.window)],
          inputs,
          figures: { ...figures, unusedPtu },
          formula: `unusedPtu = round(reservedHoursUnused ÷ window hours); saving = unusedPtu × ${cur.term} reservation price per month`,
        },
      });
  }
  return out;
}

/** Average utilisation of each provisioned deployment at its deployed size, and its reservation figures. */
export interface PtuUtilisation {
  readonly deployment: string;
  readonly account: string;
  readonly deployedPtu: number;
  readonly utilisation: number;
  readonly reservationCoverage: number | null;
  readonly reservationUtilisation: number | null;
}

/** Utilisation of every provisioned deployment the exports and ledger both show (for maturity). */
export function ptuUtilisation(inp: RecommendInputs): PtuUtilisation[] {
  const out: PtuUtilisation[] = [];
  for (const d of inp.ptuDeployments) {
    const cur = currentPtu(
      inp.ptuBilling.filter((r) => r.account === d.upstream),
      inp.hours,
    );
    const spec = lookupPtuSpec({
      model: d.model,
      deployment: cur?.ptuKind ?? 'provisioned',
      at: inp.window.from,
    });
    const series = inp.minuteLoads.get(loadKey(d.deployment, d.upstream));
    if (!cur || !spec || !series || cur.deployedPtu === 0) continue;
    const rs = {
      inputTpmPerPtu: spec.inputTpmPerPtu,
      outputRatio: spec.outputRatio,
      inputNanosPerMTok: 0n,
      cachedNanosPerMTok: 0n,
      outputNanosPerMTok: 0n,
    };
    const [o] = replayPtu(series.minutes, inp.hours * 60, rs, [cur.deployedPtu]);
    const reserved = cur.usedReservedHours + cur.unusedReservedHours;
    const total = cur.usedReservedHours + cur.hourlyHours;
    out.push({
      deployment: d.deployment,
      account: d.upstream,
      deployedPtu: cur.deployedPtu,
      utilisation: round4(o?.utilisation ?? 0),
      reservationCoverage: reserved > 0 && total > 0 ? round4(cur.usedReservedHours / total) : null,
      reservationUtilisation: reserved > 0 ? round4(cur.usedReservedHours / reserved) : null,
    });
  }
  return out;
}
