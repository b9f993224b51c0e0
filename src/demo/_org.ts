/**
 * The demo organisation as data: teams, Azure accounts, deployments and the traffic streams (app x deployment)
 * with their rates and token shapes. Rates are prod requests per day at the start of the period.
 */
import type { DeploymentType } from '../ledger/index.js';

/** A team and its cost center. */
export interface DemoTeam {
  readonly name: string;
  readonly costCenter: string;
}

/** One model deployment on an Azure OpenAI account. */
export interface DemoDeployment {
  readonly name: string;
  /** Team that owns the Azure account (the account is `aoai-<owner>-<env>`). */
  readonly owner: string;
  /** Catalog model alias. */
  readonly model: string;
  readonly type: DeploymentType;
  /** Deployed PTUs (provisioned only). */
  readonly ptu?: number;
  /** PTUs covered by a 1-month reservation (provisioned only). */
  readonly reservedPtu?: number;
  /** Only deployed in the prod account (PTU and fine-tuned hosting are not paid for twice). */
  readonly prodOnly?: boolean;
}

/** Hour-of-day shapes (UTC). */
export type HourProfile = 'business' | 'consumer' | 'nightly' | 'flat';

/** One traffic stream: an app calling one deployment. */
export interface DemoStream {
  readonly app: string;
  readonly team: string;
  readonly deployment: string;
  /** Deployment used outside prod when `deployment` is prod-only. */
  readonly nonProdDeployment?: string;
  readonly operation: 'chat' | 'embeddings' | 'responses';
  /** Prod requests per day at the start of the period. */
  readonly perDay: number;
  readonly hours: HourProfile;
  /** Saturday/Sunday volume as a share of a weekday. */
  readonly weekend: number;
  /** Compound growth per day (0.004 = +0.4 %/day, about +43 % over 90 days). */
  readonly growth: number;
  /** Mean input tokens per request and its coefficient of variation. */
  readonly input: number;
  readonly inputCv: number;
  /** Share of input tokens served from the prompt cache. */
  readonly cachedShare: number;
  readonly output: number;
  readonly outputCv: number;
  /** Share of output tokens that are reasoning tokens (reasoning models). */
  readonly reasoningShare: number;
  readonly streamedShare: number;
  /** Distinct end users (0: none, a batch job). */
  readonly endUsers: number;
}

/** Environments and their volume relative to prod. */
export const ENVIRONMENTS = [
  { name: 'prod', factor: 1 },
  { name: 'test', factor: 0.06 },
  { name: 'dev', factor: 0.04 },
] as const;

/** Azure region of every demo account. */
export const DEMO_REGION = 'eastus2';

/** Negotiated EA discount on pay-as-you-go AI meters, percent off list. */
export const NEGOTIATED_DISCOUNT_PERCENT = 12;

/** Teams. */
export const TEAMS: readonly DemoTeam[] = [
  { name: 'support', costCenter: 'CC-1010' },
  { name: 'search', costCenter: 'CC-1020' },
  { name: 'claims', costCenter: 'CC-1030' },
  { name: 'engineering', costCenter: 'CC-1040' },
  { name: 'marketing', costCenter: 'CC-1050' },
  { name: 'commerce', costCenter: 'CC-1060' },
  { name: 'platform', costCenter: 'CC-1000' },
];

/** Deployments (names are the same in every environment's account). */
export const DEPLOYMENTS: readonly DemoDeployment[] = [
  { name: 'chat-4o-mini', owner: 'support', model: 'gpt-4o-mini', type: 'global-standard' },
  { name: 'summarise-41-mini', owner: 'support', model: 'gpt-4.1-mini', type: 'global-standard' },
  { name: 'embed-3-small', owner: 'search', model: 'text-embedding-3-small', type: 'global-standard' },
  {
    name: 'gpt-41-ptu',
    owner: 'platform',
    model: 'gpt-4.1',
    type: 'provisioned',
    ptu: 50,
    reservedPtu: 40,
    prodOnly: true,
  },
  { name: 'gpt-41', owner: 'platform', model: 'gpt-4.1', type: 'global-standard' },
  { name: 'classify-4o-mini-batch', owner: 'claims', model: 'gpt-4o-mini', type: 'batch' },
  { name: 'claims-extractor-ft', owner: 'claims', model: 'gpt-4.1-mini', type: 'fine-tuned', prodOnly: true },
  { name: 'extract-41-mini', owner: 'claims', model: 'gpt-4.1-mini', type: 'global-standard' },
  { name: 'code-o4-mini', owner: 'engineering', model: 'o4-mini', type: 'global-standard' },
  { name: 'review-5-mini', owner: 'engineering', model: 'gpt-5-mini', type: 'global-standard' },
  { name: 'content-4o-dz', owner: 'marketing', model: 'gpt-4o', type: 'data-zone' },
  { name: 'shop-4o-mini', owner: 'commerce', model: 'gpt-4o-mini', type: 'global-standard' },
];

const s = (
  p: Partial<DemoStream> & Pick<DemoStream, 'app' | 'team' | 'deployment' | 'perDay'>,
): DemoStream => ({
  operation: 'chat',
  hours: 'business',
  weekend: 0.3,
  growth: 0.003,
  input: 1500,
  inputCv: 0.5,
  cachedShare: 0.2,
  output: 300,
  outputCv: 0.6,
  reasoningShare: 0,
  streamedShare: 0,
  endUsers: 200,
  ...p,
});

/** Traffic streams. Prod volume sums to about 9,600 requests a day at the start (about 1.07M events over 90 days). */
export const STREAMS: readonly DemoStream[] = [
  s({
    app: 'support-chatbot',
    team: 'support',
    deployment: 'chat-4o-mini',
    perDay: 2130,
    hours: 'consumer',
    weekend: 0.7,
    growth: 0.004,
    input: 1800,
    cachedShare: 0.4,
    output: 250,
    streamedShare: 0.9,
    endUsers: 5000,
  }),
  s({
    app: 'ticket-summariser',
    team: 'support',
    deployment: 'summarise-41-mini',
    perDay: 660,
    input: 3000,
    output: 300,
    endUsers: 120,
  }),
  s({
    app: 'rag-search',
    team: 'search',
    deployment: 'gpt-41-ptu',
    nonProdDeployment: 'gpt-41',
    perDay: 1070,
    growth: 0.005,
    input: 4500,
    output: 400,
    streamedShare: 0.7,
    endUsers: 1500,
  }),
  s({
    app: 'rag-search',
    team: 'search',
    deployment: 'embed-3-small',
    operation: 'embeddings',
    perDay: 1640,
    growth: 0.005,
    input: 600,
    inputCv: 0.3,
    cachedShare: 0,
    output: 0,
    endUsers: 1500,
  }),
  s({
    app: 'doc-summariser',
    team: 'platform',
    deployment: 'gpt-41-ptu',
    nonProdDeployment: 'gpt-41',
    perDay: 290,
    input: 6000,
    output: 700,
    endUsers: 300,
  }),
  s({
    app: 'claims-classifier',
    team: 'claims',
    deployment: 'classify-4o-mini-batch',
    perDay: 900,
    hours: 'nightly',
    weekend: 1,
    growth: 0.002,
    input: 1200,
    inputCv: 0.3,
    cachedShare: 0,
    output: 30,
    outputCv: 0.3,
    endUsers: 0,
  }),
  s({
    app: 'claims-extractor',
    team: 'claims',
    deployment: 'claims-extractor-ft',
    nonProdDeployment: 'extract-41-mini',
    perDay: 290,
    input: 2500,
    cachedShare: 0,
    output: 500,
    endUsers: 60,
  }),
  s({
    app: 'coding-assistant',
    team: 'engineering',
    deployment: 'code-o4-mini',
    perDay: 1070,
    weekend: 0.12,
    growth: 0.006,
    input: 6000,
    cachedShare: 0.5,
    output: 1500,
    outputCv: 0.8,
    reasoningShare: 0.6,
    streamedShare: 1,
    endUsers: 250,
  }),
  s({
    app: 'pr-reviewer',
    team: 'engineering',
    deployment: 'review-5-mini',
    perDay: 370,
    weekend: 0.1,
    input: 8000,
    cachedShare: 0.3,
    output: 800,
    reasoningShare: 0.5,
    endUsers: 250,
  }),
  s({
    app: 'content-writer',
    team: 'marketing',
    deployment: 'content-4o-dz',
    perDay: 250,
    input: 1500,
    cachedShare: 0.1,
    output: 1200,
    streamedShare: 0.5,
    endUsers: 40,
  }),
  s({
    app: 'shopping-assistant',
    team: 'commerce',
    deployment: 'shop-4o-mini',
    perDay: 1390,
    hours: 'consumer',
    weekend: 1.3,
    growth: 0.004,
    input: 2200,
    cachedShare: 0.5,
    output: 200,
    streamedShare: 0.9,
    endUsers: 20000,
  }),
];

/** Cost center of a team. */
export function costCenterOf(team: string): string {
  return TEAMS.find((t) => t.name === team)?.costCenter ?? 'CC-0000';
}

/** The deployment named `name` (the org data is closed, so a miss is a programming error). */
export function deploymentNamed(name: string): DemoDeployment {
  const d = DEPLOYMENTS.find((x) => x.name === name);
  if (!d) throw new Error(`demo org: no deployment ${name}`);
  return d;
}

/** Azure account (resource name) that hosts a deployment in an environment. */
export function accountOf(d: DemoDeployment, env: string): string {
  return `aoai-${d.owner}-${env === 'prod' ? 'prod' : 'nonprod'}`;
}

/** Relative request volume per UTC hour for each profile (normalised when sampled). */
export const HOUR_WEIGHTS: Record<HourProfile, readonly number[]> = {
  // Working hours in Europe and the US east coast: 07-21 UTC.
  business: [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 12, 13, 15, 16, 15, 12, 8, 6, 4, 3, 2, 1],
  consumer: [3, 2, 2, 2, 2, 3, 5, 7, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12, 13, 14, 14, 12, 8, 5],
  // The nightly batch classifier runs 00:00-04:00 UTC.
  nightly: [30, 30, 25, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  flat: Array.from({ length: 24 }, () => 1),
};
