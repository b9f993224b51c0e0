/**
 * Injected incidents. Their windows scale with the period so a short demo still has all four; the ground truth
 * (kind, scope, window, expected effect) is stored in kv `demo/incidents` for anomaly detection to be graded on.
 */

/** The kinds of incident the demo injects. */
export type IncidentKind = 'retry-loop' | 'prompt-growth' | 'idle-fine-tuned-deployment' | 'team-spike';

/** Where an incident happens. */
export interface IncidentScope {
  readonly team: string;
  readonly app?: string;
  readonly environment: string;
  readonly deployment?: string;
}

/** One planned incident: window in epoch ms [start, end) plus its knobs. */
export interface IncidentPlan {
  readonly id: string;
  readonly kind: IncidentKind;
  readonly scope: IncidentScope;
  readonly startMs: number;
  readonly endMs: number;
  /** retry-loop: extra identical calls per hour; team-spike: volume multiplier; prompt-growth: tokens added per turn. */
  readonly intensity: number;
  readonly description: string;
}

/** The recorded ground truth of one incident. */
export interface IncidentTruth {
  id: string;
  kind: IncidentKind;
  scope: IncidentScope;
  /** ISO timestamps, [start, end). */
  start: string;
  end: string;
  description: string;
  expected: {
    /** The metric that moves (requests, input_tokens_per_request, idle_hosting_hours, cost). */
    metric: string;
    /** Ratio of the metric in the window to its baseline (null where the baseline is zero). */
    factor: number | null;
    /** Requests added by the incident. */
    extraRequests: number;
    /** Cost the incident added, USD at effective rates (for the idle deployment: hosting billed while idle). */
    extraCostUsd: number;
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Plans the four incidents for a period of `days` days starting at `startMs` (UTC midnight). */
export function planIncidents(startMs: number, days: number): IncidentPlan[] {
  const day = (f: number) => Math.min(days - 1, Math.max(0, Math.floor(days * f)));
  const retryDay = day(0.55);
  const growthFrom = day(0.68);
  const growthTo = Math.max(growthFrom + 1, day(0.8));
  const idleFrom = day(0.6);
  const spikeFrom = day(0.86);
  return [
    {
      id: 'inc-retry-loop',
      kind: 'retry-loop',
      scope: {
        team: 'support',
        app: 'ticket-summariser',
        environment: 'prod',
        deployment: 'summarise-41-mini',
      },
      startMs: startMs + retryDay * DAY + 2 * HOUR,
      endMs: startMs + retryDay * DAY + 8 * HOUR,
      intensity: 1500,
      description:
        'a client bug re-sends the same 3k-token summarisation request on every JSON parse failure, 1,500 times an hour for 6 hours',
    },
    {
      id: 'inc-prompt-growth',
      kind: 'prompt-growth',
      scope: { team: 'support', app: 'support-chatbot', environment: 'prod', deployment: 'chat-4o-mini' },
      startMs: startMs + growthFrom * DAY,
      endMs: startMs + Math.min(days, growthTo) * DAY,
      intensity: 900,
      description:
        'a release stops trimming chat history: every turn re-sends the whole conversation (about 900 more input tokens per turn, up to 10 turns) and the prompt cache stops hitting',
    },
    {
      id: 'inc-idle-fine-tune',
      kind: 'idle-fine-tuned-deployment',
      scope: {
        team: 'claims',
        app: 'claims-extractor',
        environment: 'prod',
        deployment: 'claims-extractor-ft',
      },
      startMs: startMs + idleFrom * DAY,
      endMs: startMs + days * DAY,
      intensity: 0,
      description:
        'claims-extractor moved to the base gpt-4.1-mini deployment; the fine-tuned deployment stays deployed with no traffic and keeps billing hosting hours',
    },
    {
      id: 'inc-team-spike',
      kind: 'team-spike',
      scope: { team: 'marketing', app: 'content-writer', environment: 'prod', deployment: 'content-4o-dz' },
      startMs: startMs + spikeFrom * DAY,
      endMs: startMs + Math.min(days, spikeFrom + 2) * DAY,
      intensity: 8,
      description: 'a campaign launch generates copy in bulk: marketing traffic runs at 8x for two days',
    },
  ];
}

/** Whether [t, t + span) overlaps an incident window. */
export function overlaps(p: IncidentPlan, t: number, span: number): boolean {
  return t < p.endMs && t + span > p.startMs;
}
