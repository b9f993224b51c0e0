/**
 * Config sections owned by each module. Each module refines its own schema here; `schema.ts` composes them.
 * Sections are permissive about unknown keys only where noted; everything else is strict so typos are caught.
 */
import { z } from 'zod';
import { parseDay } from '../time.js';

/** Where the store lives. */
export const storeSchema = z
  .strictObject({
    backend: z.enum(['duckdb', 'postgres']).default('duckdb'),
    path: z.string().min(1).optional().describe('DuckDB file; default .tally/tally.duckdb'),
    // A PostgreSQL server instead of the file: several gateways, the API and the CLI share it (ADR 0019).
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//i, 'a postgres://user:password@host:port/database URL')
      .optional()
      .describe('PostgreSQL URL; takes precedence over path'),
    // TLS towards a managed server (Azure Database for PostgreSQL requires it): libpq's modes.
    sslMode: z.enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']).optional(),
    sslCaFile: z.string().min(1).optional().describe('PEM file of the CA for verify-ca / verify-full'),
    statementTimeoutMs: z.number().int().positive().optional().describe('PostgreSQL statement_timeout'),
    poolSize: z.number().int().positive().max(1000).optional().describe('PostgreSQL connections per process'),
    // DuckDB's own default is 80% of RAM; a bound keeps bulk ingests and scans from taking the machine (it
    // spills to disk beyond it). Measured: a 5M-row ingest runs faster under 1 GB than unbounded (2.5 GB RSS).
    memoryLimit: z
      .string()
      .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'a size such as 2GB or 512MiB')
      .default('2GB'),
    // DuckDB's own default is one thread per core. The gateway uses 1 unless this is set: its store work is a
    // background flush, and a flush on every core preempted the event loop (p999 17-20 ms vs 6-12 ms with 1).
    threads: z.number().int().positive().max(256).optional(),
  })
  .default({ backend: 'duckdb', memoryLimit: '2GB' });

/**
 * Cost-export ingest. Compressed files are inflated by Tally under these caps: real exports inflate 5-30x, a
 * gzip bomb ~1000x (a 306 KB file became 304 MB), so the ratio cap sits between them.
 */
export const ingestSchema = z
  .strictObject({
    maxDecompressedBytes: z
      .number()
      .int()
      .positive()
      .default(20 * 2 ** 30)
      .describe('largest decompressed size of one .csv.gz, in bytes (default 20 GiB)'),
    maxDecompressionRatio: z
      .number()
      .min(1)
      .default(200)
      .describe('largest decompressed/compressed ratio of one .csv.gz (default 200)'),
  })
  .default({ maxDecompressedBytes: 20 * 2 ** 30, maxDecompressionRatio: 200 });

/** Negotiated discounts and price sheets that turn list prices into effective prices. */
export const pricingSchema = z
  .strictObject({
    discounts: z
      .array(
        z.strictObject({
          provider: z.string().optional(),
          model: z.string().optional(),
          deployment: z.string().optional(),
          percent: z.number().min(0).max(100),
        }),
      )
      .default([]),
    priceSheet: z.string().optional().describe('Azure EA/MCA price sheet CSV'),
  })
  .default({ discounts: [] });

// Sections below are owned by later modules (gateway, policy, allocation, budgets, alerts, anomalies).
// They start loose (passthrough records) and are tightened by their owners.

// ---- gateway (owned by src/gateway) ----
const secretRef = z
  .string()
  .min(1)
  .describe('a secret: env:NAME reads the environment variable NAME, anything else is taken literally');
const utcDay = z.union([z.iso.date(), z.iso.datetime()]);
/**
 * A self-hosted deployment's running cost (ADR 0026): its hourly cost is split each hour over that hour's tokens
 * (weighted as allocation weighs them), so its tokens get an effective price instead of $0; hours without
 * tokens are idle cost. Its GPUs (or measured draw) give its energy for `tally carbon`.
 */
const hostingSchema = z
  .strictObject({
    hourlyCostUsd: z
      .union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/, 'a decimal amount such as "12.50"')])
      .describe('what the deployment costs per hour it runs (GPUs, host, licences), USD'),
    since: utcDay.optional().describe('first UTC day or instant it ran (default: every hour of a report)'),
    until: utcDay.optional().describe('when it stopped (exclusive; default: still running)'),
    gpus: z
      .strictObject({
        count: z.number().int().positive(),
        type: z.string().min(1).optional().describe('e.g. H100, A100-80GB, L4 (its board power is known)'),
        watts: z.number().positive().max(5000).optional().describe("power per GPU, W (default: the type's)"),
      })
      .optional(),
    kw: z.number().positive().max(1000).optional().describe('measured draw of the whole deployment, kW'),
    pue: z.number().min(1).max(3).optional().describe('data-centre PUE (default 1.2, EcoLogits)'),
  })
  .refine((h) => !(h.gpus && h.kw), {
    message: 'give gpus (count and type or watts) or kw (a measured draw), not both',
    path: ['kw'],
  })
  .refine((h) => !h.since || !h.until || Date.parse(h.since) < Date.parse(h.until), {
    message: 'until must be after since',
    path: ['until'],
  });
const gatewayDeploymentSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .describe('deployment name at the upstream (Azure deployment, or model id for OpenAI-style)'),
  model: z.string().min(1),
  type: z
    .enum(['global-standard', 'data-zone', 'regional', 'batch', 'provisioned', 'fine-tuned'])
    .default('global-standard'),
  hosting: hostingSchema.optional(),
});
const gatewayUpstreamSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only'),
    kind: z.enum(['azure-openai', 'openai', 'openai-compatible']),
    baseUrl: z.url({ protocol: /^https?$/ }),
    apiKey: secretRef.optional(),
    /** Entra ID: a client-credentials app registration, or a bearer token taken from the environment. */
    entra: z
      .strictObject({
        tenantId: z.string().min(1).optional(),
        clientId: z.string().min(1).optional(),
        clientSecret: secretRef.optional(),
        token: secretRef.optional().describe('a ready bearer token (e.g. env:AZURE_OPENAI_AD_TOKEN)'),
        authorityHost: z.url().default('https://login.microsoftonline.com'),
        scope: z.string().default('https://cognitiveservices.azure.com/.default'),
      })
      .optional(),
    region: z.string().optional(),
    apiVersion: z.string().default('2024-10-21').describe('Azure api-version sent upstream'),
    maxConnections: z.number().int().positive().default(128),
    deployments: z.array(gatewayDeploymentSchema).min(1),
  })
  // Azure and OpenAI bill their own hosting in the cost export; an hourly cost here would count it twice.
  .refine((u) => u.kind === 'openai-compatible' || u.deployments.every((d) => !d.hosting), {
    message:
      'hosting (an hourly cost) is for self-hosted upstreams: use kind: openai-compatible, or drop hosting (Azure and OpenAI bill hosting in their cost exports)',
    path: ['deployments'],
  });
const gatewayRouteSchema = z.strictObject({
  model: z.string().min(1),
  targets: z.array(z.string().regex(/^[^/]+\/.+$/, 'upstream/deployment')).min(1),
  maxAttempts: z.number().int().min(1).max(10).optional(),
  /** History trimming (src/gateway/_trim.ts): keep system messages and the last N user turns. */
  trimHistory: z.strictObject({ keepTurns: z.number().int().positive() }).optional(),
});

// ---- gateway governance: limits, budgets, caches (owned by src/gateway/limits, src/gateway/cache) ----
/** Exact USD amount: a number or a decimal string ("0.50"); parsed to nanos by the limits module. */
export const usdAmount = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?$/)]);
const budgetSpecSchema = z.strictObject({
  usd: usdAmount,
  period: z.enum(['day', 'week', 'month']).default('month'),
  /** hard: refuse with 403 once the reservation would not fit; soft: alert (record) only. */
  hard: z.boolean().default(true),
});
/** Limits for one scope (a team, an app, or every key by default). Virtual keys carry the same shape in their config. */
const limitSpecSchema = z.strictObject({
  tpm: z.number().int().positive().optional(),
  quota: z
    .strictObject({
      tokens: z.number().int().positive(),
      period: z.enum(['hour', 'day', 'week', 'month']).default('day'),
    })
    .optional(),
  budget: z.union([budgetSpecSchema, z.array(budgetSpecSchema)]).optional(),
});
/** gateway.limits: TPM, quotas and budgets per team and app; worst-case output reserved when max_tokens is unset. */
export const gatewayLimitsSchema = z.strictObject({
  reserveOutputTokens: z.number().int().positive().default(4096),
  /** How reservations count prompt tokens: a UTF-8 byte upper bound (fast) or the exact tokenizer (~0.6 µs/char). */
  promptTokens: z.enum(['upper-bound', 'exact']).default('upper-bound'),
  /**
   * Shared state for several replicas: limits, budgets and the exact response cache (default: in-process).
   * Unreachable Redis: hard budgets and quotas refuse with 503, everything else goes on (ADR 0020).
   */
  redis: z
    .strictObject({
      url: z
        .string()
        .regex(/^(rediss?|unix):\/\//, 'redis://[user:pass@]host:port, rediss://… (TLS) or unix:///path'),
      prefix: z.string().default('tally:lim:'),
      username: z.string().min(1).optional().describe('ACL user (Redis 6+); or user@ in the URL'),
      password: secretRef.optional().describe('AUTH password or access key (e.g. env:REDIS_KEY)'),
      tls: z
        .strictObject({
          caFile: z.string().optional().describe('PEM file of a private CA'),
          servername: z.string().optional(),
          rejectUnauthorized: z.boolean().default(true),
        })
        .optional(),
      connectTimeoutMs: z.number().int().positive().default(2000),
      commandTimeoutMs: z.number().int().positive().default(1000),
    })
    .optional(),
  teams: z.record(z.string(), limitSpecSchema).default({}),
  apps: z.record(z.string(), limitSpecSchema).default({}),
});
/** gateway.cache: exact and semantic response caches (both off unless configured). */
export const gatewayCacheSchema = z.strictObject({
  exact: z
    .strictObject({
      enabled: z.boolean().default(true),
      ttlSeconds: z.number().int().positive().default(3600),
      maxEntries: z.number().int().positive().default(10_000),
      maxBytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024 * 1024),
    })
    .optional(),
  semantic: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Route model (or deployment) the gateway calls to embed the last user message. */
      embeddingModel: z.string().min(1),
      /** Cosine similarity a hit needs (0..1, higher is stricter). */
      threshold: z.number().min(0).max(1).default(0.95),
      ttlSeconds: z.number().int().positive().default(3600),
      maxEntries: z.number().int().positive().default(10_000),
    })
    .optional(),
  /** Apps whose answers are per end user: their cache entries are keyed by `user` / `x-tally-user` too. */
  perUserApps: z.array(z.string().min(1)).default([]),
});

/** gateway.server: how long clients may take and how many connections one address may hold. */
const gatewayServerSchema = z.strictObject({
  /** Time to receive a request's headers, ms (slowloris). */
  headersTimeoutMs: z.number().int().positive().default(30_000),
  /** Time to receive a whole request, headers and body, ms; a slower client gets 408. */
  requestTimeoutMs: z.number().int().positive().default(60_000),
  /** Idle time allowed between requests on a kept-alive connection, ms. */
  keepAliveTimeoutMs: z.number().int().positive().default(5_000),
  /** Open connections one client address may hold (0: no cap). Raise it behind a reverse proxy. */
  maxConnectionsPerClient: z.number().int().nonnegative().default(256),
});
const SERVER_DEFAULTS = {
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnectionsPerClient: 256,
};

/** Gateway: port, upstreams, routes, limits, caches. Refined by src/gateway. */
export const gatewaySchema = z
  .strictObject({
    port: z.number().int().min(0).max(65535).default(8787),
    host: z.string().optional().describe('listen address (default: all interfaces)'),
    upstreams: z.array(gatewayUpstreamSchema).default([]),
    routes: z.array(gatewayRouteSchema).default([]),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024),
    timeouts: z
      .strictObject({
        connectMs: z.number().int().positive().default(5_000),
        firstByteMs: z.number().int().positive().default(120_000),
        idleMs: z.number().int().positive().default(60_000),
      })
      .default({ connectMs: 5_000, firstByteMs: 120_000, idleMs: 60_000 }),
    adminToken: secretRef.optional().describe('token for /admin/*; loopback callers need none'),
    // /metrics names every team and app with its spend: private unless opened (see gateway/_metrics-access.ts).
    metrics: z
      .strictObject({
        token: secretRef.optional().describe('bearer token that may read /metrics from other hosts'),
        public: z.boolean().default(false).describe('serve /metrics to anyone who reaches the port'),
      })
      .optional(),
    drainMs: z.number().int().positive().default(30_000),
    server: gatewayServerSchema.default(SERVER_DEFAULTS),
    // Forwarding headers (Forwarded, X-Forwarded-For, X-Real-IP) are believed only with trustProxy; without it
    // their presence means a proxy relays strangers, so loopback no longer proves a local caller.
    trustProxy: z
      .boolean()
      .default(false)
      .describe('believe the client address a local reverse proxy forwards (X-Forwarded-For, Forwarded)'),
    // 'durable': an answer's last bytes wait for its usage event's WAL fdatasync (group commit; ADR 0015).
    // 'fast': answers never wait; a kill -9 can lose the last ~5 ms + one fdatasync of answered requests.
    ack: z.enum(['durable', 'fast']).default('durable').describe('when an answer may finish (ADR 0015)'),
    // 'pool' (default): the WAL's O_DSYNC write runs on libuv's pool and the loop goes on meanwhile. 'loop': each
    // turn's answers share one synchronous write on the event loop, no pool hand-off: ~60 µs less CPU per
    // request at a smooth 1,000 req/s, but the loop is blocked for every write (~0.25 ms on a quiet local disk,
    // milliseconds on a busy or network one) and closed-loop throughput fell (ADR 0042, session-9 addendum).
    walWrites: z
      .enum(['pool', 'loop'])
      .default('pool')
      .describe("where the WAL's durable writes run: 'pool' (libuv's threads) or 'loop' (the event loop)"),
    // A salted hash of each long prompt's first 1,024 tokens (no text) finds prompt-caching opportunities.
    promptFingerprints: z
      .boolean()
      .default(true)
      .describe("record a salted fingerprint of long prompts' first 1,024 tokens (tally recommend)"),
    // Each replica's local WAL (ADR 0020): a volume of its own in a container; replicas on one host share the
    // folder and each claims a replica-N/ subfolder in it.
    walDir: z
      .string()
      .min(1)
      .optional()
      .describe('ledger WAL folder (default: beside the store file, or under .tally/ for a server store)'),
    // How often durable WAL segments are loaded into the store (ADR 0042): reports, alerts and the API read what
    // was loaded, so this is their freshness; each load costs ~20-25 ms of fixed CPU on a 2-core host.
    flushIntervalMs: z
      .number()
      .int()
      .min(100)
      .max(60_000)
      .default(1000)
      .describe('how often the ledger loads its WAL into the store (ms): the freshness of reports'),
    cache: gatewayCacheSchema.optional(),
    limits: gatewayLimitsSchema.optional(),
  })
  .optional();
/** Rules for one environment (a key's `environment`). Model names match requested name, dated id or family; `*` globs. */
const policyEnvironmentSchema = z.strictObject({
  allowModels: z.array(z.string().min(1)).optional(),
  denyModels: z.array(z.string().min(1)).optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  requiredTags: z.array(z.string().min(1)).optional(),
});
/** Request-time governance rules (src/policy): models per environment, output caps, required tags. */
export const policySchema = z
  .strictObject({
    /** What to do when a key's environment has no entry under `environments`. */
    unknownEnvironment: z.enum(['allow', 'deny']).default('allow'),
    maxOutputTokens: z.number().int().positive().optional(),
    requiredTags: z.array(z.string().min(1)).default([]),
    /**
     * Tag keys a request may set itself with the `x-tally-tags: feature=summary,prompt=v3` header (stored on its
     * usage event, so cost per feature or prompt version is a report). Any other key is refused with a 400.
     */
    requestTagKeys: z
      .array(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits, _ . : - (1-64)'))
      .default([]),
    environments: z.record(z.string(), policyEnvironmentSchema).default({}),
    /** Deployment types (e.g. provisioned, fine-tuned) usable only in some environments, with an approval tag. */
    restrictedDeployments: z
      .strictObject({
        types: z.array(
          z.enum(['global-standard', 'data-zone', 'regional', 'batch', 'provisioned', 'fine-tuned']),
        ),
        environments: z.array(z.string().min(1)).default(['prod']),
        /** Tag that must be present on the key or request (any value but "false"), e.g. `approved`. */
        approvalTag: z.string().min(1).optional(),
      })
      .optional(),
  })
  .optional();
/** One allocation rule: which cost rows (by FOCUS/x_ column or `Tags.<key>`) and how to split them. */
export const allocationRuleSchema = z
  .strictObject({
    match: z
      .record(z.string().min(1), z.union([z.string(), z.array(z.string()).min(1)]))
      .refine((m) => Object.keys(m).length > 0, 'give at least one column to match'),
    by: z.enum(['tokens', 'even', 'fixed']),
    /** For `fixed`: consumer -> fraction (0..1); fractions must sum to at most 1 (the rest is unallocated). */
    shares: z.record(z.string().min(1), z.number().min(0).max(1)).optional(),
    /** For `even`: the consumers to split among (default: every consumer with usage in the period). */
    consumers: z.array(z.string().min(1)).optional(),
    /** Which consumer dimension `shares`/`consumers` name (default team). */
    dimension: z.enum(['team', 'cost-center', 'app', 'environment']).default('team'),
  })
  .refine((r) => r.by !== 'fixed' || (r.shares && Object.keys(r.shares).length > 0), {
    message: 'by: fixed needs shares, e.g. { search: 0.7, support: 0.3 }',
    path: ['shares'],
  })
  .refine((r) => !r.shares || Object.values(r.shares).reduce((a, b) => a + b, 0) <= 1 + 1e-9, {
    message: 'shares must add up to at most 1',
    path: ['shares'],
  });

/** A calendar day as YYYY-MM-DD that exists (core's strict parseDay, as the CLI's date options). */
function isDay(text: string): boolean {
  try {
    return parseDay(text) === text;
  } catch {
    return false;
  }
}

/**
 * The one currency reports add amounts in (ADR 0030). Amounts billed in another currency are converted at the
 * rate in effect on their day: from `ratesFile` (CSV date,from,to,rate) first, then the export's own columns.
 */
export const reportingSchema = z
  .strictObject({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD or EUR')
      .default('USD'),
    ratesFile: z.string().min(1).optional().describe('CSV of date,from,to,rate (exact decimals)'),
    /** The organisation's holidays (UTC dates): spend forecasts give them their own effect (ADR 0056). */
    holidays: z.array(z.string().refine(isDay, 'a real calendar date as YYYY-MM-DD')).optional(),
  })
  .default({ currency: 'USD' });

/** Shared-cost allocation rules (owned by src/analytics/allocate). */
export const allocationSchema = z
  .strictObject({
    rules: z.array(allocationRuleSchema).optional(),
    /** Label for cost no rule or usage could attribute. */
    unallocated: z.string().min(1).default('unallocated'),
    /** Input-equivalent tokens: output tokens weigh this many input tokens (Azure PTU ratio is 4). */
    outputTokenWeight: z.number().min(0).default(4),
    /** Cached input tokens weigh this much (PTU deducts cached tokens 100%: 0). */
    cachedTokenWeight: z.number().min(0).default(0),
  })
  .optional();
/** Budgets with thresholds. Refined by src/analytics (budgets). */
export const budgetsSchema = z
  .array(
    z.strictObject({
      name: z.string().min(1).optional(),
      scope: z.enum(['all', 'team', 'app', 'cost_center', 'key', 'model']).default('all'),
      value: z.string().min(1).optional().describe('team/app/... value; omitted for scope all'),
      period: z.enum(['day', 'week', 'month', 'quarter', 'year', 'custom']).default('month'),
      start: z.string().optional().describe('custom period start (YYYY-MM-DD)'),
      end: z.string().optional().describe('custom period end, exclusive (YYYY-MM-DD)'),
      amountUsd: z.number().positive(),
      /** Percent of the amount, on actual spend and on forecast (p50) spend at period end. */
      actual: z.array(z.number().min(0).max(1000)).default([50, 80, 100]),
      forecast: z.array(z.number().min(0).max(1000)).default([100]),
      hard: z.boolean().default(false).describe('gateway refuses requests once actual spend reaches 100%'),
    }),
  )
  .optional();
/** Alert sinks. Refined by src/alerts. */
export const alertsSchema = z
  .strictObject({
    sinks: z
      .array(
        z.strictObject({
          name: z.string().min(1).optional(),
          type: z.enum(['webhook', 'slack', 'teams']),
          url: z.url(),
          minImpactUsd: z.number().min(0).default(0),
          /** Teams whose incidents go to this sink (instead of the sinks that name no team). */
          teams: z.array(z.string().min(1)).optional(),
        }),
      )
      .default([]),
    /** An alert already sent is re-sent only when it changes, and never twice within this many minutes. */
    quietMinutes: z.number().min(0).default(60),
    /** How often `tally serve` evaluates, in seconds. */
    intervalSeconds: z.number().min(5).default(300),
    /** How far back anomaly evaluation looks for new episodes, in days. */
    lookbackDays: z.number().min(1).default(2),
  })
  .optional();
/** Anomaly detection settings. Refined by src/analytics (anomalies). */
export const anomaliesSchema = z
  .strictObject({
    threshold: z.number().positive().optional().describe('robust score (default 4)'),
    minImpactUsd: z.number().min(0).optional().describe('per bucket (default 1)'),
    minImpactPct: z.number().min(0).optional().describe('fraction of expected (default 0.1)'),
    grains: z.array(z.enum(['day', 'hour'])).optional(),
    minIncidentUsd: z.number().min(0).optional().describe('smallest incident impact reported (default 10)'),
  })
  .optional();
