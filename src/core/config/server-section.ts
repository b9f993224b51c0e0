/** The `server:` section: what `tally serve` runs and where. Refined by src/server. */
import { z } from 'zod';

/** Schema of `server:`. */
export const serverSchema = z
  .strictObject({
    /** API and dashboard port (the gateway keeps `gateway.port`). */
    port: z.number().int().min(0).max(65535).default(8790),
    /** Loopback by default: put a TLS-terminating proxy in front to serve other hosts. */
    host: z.string().min(1).default('127.0.0.1'),
    /** Run the gateway in the same process when `gateway:` is configured. */
    gateway: z.boolean().default(true),
    /** Session cookies marked Secure: auto = when the server is behind https (publicUrl https or TLS proxy). */
    secureCookies: z.enum(['auto', 'always', 'never']).default('auto'),
    /** The URL people use (behind a proxy); decides `secureCookies: auto`. */
    publicUrl: z.url().optional(),
    /** Browser sessions last this long. */
    sessionHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(12),
    /** Seconds between alert evaluations (default alerts.intervalSeconds when alerts or budgets exist). */
    alertsSeconds: z.number().min(5).optional(),
    /**
     * The scheduled alert pass (anomaly incidents stored, budgets, sinks; ADR 0045). `auto`: `tally serve` runs
     * it at start and every alertsSeconds; `tally gateway` (no dashboard) only every alertsSeconds and only while
     * alert sinks or budgets exist, as the gateway did before `tally serve`. `always`: at start and on the
     * interval in both. `never`: no pass (run `tally alerts run` from cron instead).
     */
    scheduledPass: z.enum(['auto', 'always', 'never']).default('auto'),
    /** Seconds a report answer may be reused by the API and dashboard (0: never); writes here clear them. */
    reportCacheSeconds: z.number().min(0).max(3600).default(30),
    /** Largest file an API or dashboard upload may send, in MiB (413 past it); cost exports are tens to hundreds. */
    maxUploadMb: z.number().int().min(1).max(65_536).default(512),
    /** A folder whose new export files are ingested. */
    watch: z
      .strictObject({ dir: z.string().min(1), intervalSeconds: z.number().min(1).default(60) })
      .optional(),
  })
  .prefault({});
