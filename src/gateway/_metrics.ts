/**
 * Prometheus metrics, kept in memory and rendered on `GET /metrics`: requests, tokens, cost, latency and
 * cache outcomes by team, app, model and deployment type. Label values come from keys and config only
 * (bounded cardinality); cost is summed in exact nanos and printed as USD.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import type { UsageEvent } from '../ledger/index.js';

// Latency buckets in seconds: 1 ms to 60 s (LLM calls are long; gateway overhead is sub-ms).
const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface Series {
  labels: string;
  requests: number;
  errors: number;
  input: number;
  cached: number;
  output: number;
  reasoning: number;
  costNanos: bigint;
  savedNanos: bigint;
  buckets: number[];
  durationSum: number;
  /** Requests by cache outcome. */
  outcomes: Map<string, number>;
}

const esc = (v: string | null): string =>
  (v ?? '').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * Most label sets kept. Labels come from keys and config (team, app, configured model, deployment type), so a
 * real deployment has dozens to hundreds; the cap holds even if a label source is ever fed by request input:
 * past it, new label sets are counted in one `"__other__"` series instead of growing memory and /metrics.
 */
export const MAX_SERIES = 2000;
const OTHER = '__other__';

/** In-memory counters for the gateway. */
export class GatewayMetrics {
  private readonly series = new Map<string, Series>();
  constructor(private readonly maxSeries = MAX_SERIES) {}
  inFlight = 0;
  /** The gateway's own time per upstream-served request (total minus waiting on the upstream), microseconds. */
  readonly overhead: RecordableHistogram = createHistogram();

  /** Records the gateway's overhead on one request, ms. */
  recordOverhead(ms: number): void {
    this.overhead.record(Math.max(1, Math.round(ms * 1000)));
  }

  /** Overhead percentiles since start (or the last reset), ms. */
  overheadSummary(): { count: number; p50: number; p90: number; p99: number; p999: number; max: number } {
    const h = this.overhead;
    const ms = (us: number): number => Number((us / 1000).toFixed(3));
    return {
      count: h.count,
      p50: ms(h.percentile(50)),
      p90: ms(h.percentile(90)),
      p99: ms(h.percentile(99)),
      p999: ms(h.percentile(99.9)),
      max: ms(h.count ? h.max : 0),
    };
  }

  /** Records one metered request. */
  record(e: UsageEvent): void {
    // Look series up by the raw values; the escaped label text is built once per series, not per request.
    let raw = `${e.team ?? '\u0002'}\u0001${e.app ?? '\u0002'}\u0001${e.model}\u0001${e.deploymentType}`;
    let s = this.series.get(raw);
    const full = !s && this.series.size >= this.maxSeries;
    if (full) {
      raw = OTHER;
      s = this.series.get(raw);
    }
    if (!s) {
      s = {
        labels: full
          ? `team="${OTHER}",app="${OTHER}",model="${OTHER}",deployment_type="${OTHER}"`
          : `team="${esc(e.team)}",app="${esc(e.app)}",model="${esc(e.model)}",deployment_type="${esc(e.deploymentType)}"`,
        requests: 0,
        errors: 0,
        input: 0,
        cached: 0,
        output: 0,
        reasoning: 0,
        costNanos: 0n,
        savedNanos: 0n,
        buckets: BUCKETS.map(() => 0),
        durationSum: 0,
        outcomes: new Map(),
      };
      this.series.set(raw, s);
    }
    s.requests++;
    if (e.httpStatus >= 400) s.errors++;
    s.input += e.inputTokens;
    s.cached += e.cachedInputTokens;
    s.output += e.outputTokens;
    s.reasoning += e.reasoningTokens;
    s.costNanos += e.costNanos;
    s.savedNanos += e.savedCostNanos;
    const sec = e.durationMs / 1000;
    s.durationSum += sec;
    for (let i = 0; i < BUCKETS.length; i++) if (sec <= BUCKETS[i]!) s.buckets[i]!++;
    s.outcomes.set(e.cacheOutcome, (s.outcomes.get(e.cacheOutcome) ?? 0) + 1);
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const out: string[] = [];
    const counter = (name: string, help: string, pick: (s: Series) => string, extra = ''): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const s of this.series.values()) out.push(`${name}{${s.labels}${extra}} ${pick(s)}`);
    };
    counter('tally_requests_total', 'Requests metered.', (s) => String(s.requests));
    counter('tally_request_errors_total', 'Requests that ended with HTTP status >= 400.', (s) =>
      String(s.errors),
    );
    out.push(
      '# HELP tally_tokens_total Tokens by type (input includes cached_input; output includes reasoning).',
    );
    out.push('# TYPE tally_tokens_total counter');
    for (const s of this.series.values())
      for (const [t, v] of [
        ['input', s.input],
        ['cached_input', s.cached],
        ['output', s.output],
        ['reasoning', s.reasoning],
      ] as const)
        out.push(`tally_tokens_total{${s.labels},type="${t}"} ${v}`);
    const usd = (n: bigint): string => (Number(n) / 1e9).toString();
    counter('tally_cost_usd_total', 'Cost at effective prices, USD.', (s) => usd(s.costNanos));
    counter('tally_saved_cost_usd_total', 'Cost avoided by caches and trimming, USD.', (s) =>
      usd(s.savedNanos),
    );
    out.push(
      '# HELP tally_request_duration_seconds Request latency.',
      '# TYPE tally_request_duration_seconds histogram',
    );
    for (const s of this.series.values()) {
      BUCKETS.forEach((b, i) =>
        out.push(`tally_request_duration_seconds_bucket{${s.labels},le="${b}"} ${s.buckets[i]}`),
      );
      out.push(`tally_request_duration_seconds_bucket{${s.labels},le="+Inf"} ${s.requests}`);
      out.push(`tally_request_duration_seconds_sum{${s.labels}} ${s.durationSum}`);
      out.push(`tally_request_duration_seconds_count{${s.labels}} ${s.requests}`);
    }
    out.push(
      '# HELP tally_cache_requests_total Requests by cache outcome.',
      '# TYPE tally_cache_requests_total counter',
    );
    for (const s of this.series.values())
      for (const [o, v] of s.outcomes)
        out.push(`tally_cache_requests_total{${s.labels},outcome="${o}"} ${v}`);
    const o = this.overhead;
    out.push(
      '# HELP tally_gateway_overhead_seconds Time the gateway adds to an upstream-served request (its total minus waiting on the upstream).',
      '# TYPE tally_gateway_overhead_seconds summary',
    );
    for (const q of [0.5, 0.9, 0.99, 0.999])
      out.push(
        `tally_gateway_overhead_seconds{quantile="${q}"} ${o.count ? o.percentile(q * 100) / 1e6 : 'NaN'}`,
      );
    out.push(`tally_gateway_overhead_seconds_sum ${o.count ? (o.mean * o.count) / 1e6 : 0}`);
    out.push(`tally_gateway_overhead_seconds_count ${o.count}`);
    out.push(
      '# HELP tally_requests_in_flight Requests being served.',
      '# TYPE tally_requests_in_flight gauge',
    );
    out.push(`tally_requests_in_flight ${this.inFlight}`);
    return out.join('\n') + '\n';
  }
}
