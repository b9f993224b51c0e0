/**
 * Writes that take a file as the request body: cost exports (`tally ingest`), business KPIs (`tally kpis
 * import`) and price sheets (`tally prices import`). The body is written to a private temporary file, the
 * command runs on it exactly as the CLI would, and the file is removed. Each is audited by the command.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Context, Hono } from 'hono';
import { TallyError } from '../core/index.js';
import { requirePermission, type Permission } from './_roles.js';
import { commandResponse, principalOf, type ApiDeps, type ApiEnv } from './_context.js';

/** One upload route: its command words, permission, default file name and the query options it maps. */
interface UploadRoute {
  readonly path: string;
  readonly command: readonly string[];
  readonly permission: Permission;
  readonly defaultName: string;
  /** Query parameter → command option (`--flag=value`, or `--flag` for a switch given as true/1). */
  readonly options: Readonly<Record<string, { flag: string; bool?: boolean }>>;
}

const UPLOADS: readonly UploadRoute[] = [
  {
    path: '/api/v1/ingest',
    command: ['ingest'],
    permission: 'ingest',
    defaultName: 'upload.csv',
    options: { format: { flag: 'format' } },
  },
  {
    path: '/api/v1/kpis',
    command: ['kpis', 'import'],
    permission: 'ingest',
    defaultName: 'kpis.csv',
    // The import's name (re-importing a source replaces its rows); default: the uploaded file's name.
    options: { source: { flag: 'source' } },
  },
  {
    path: '/api/v1/prices/import',
    command: ['prices', 'import'],
    permission: 'catalog',
    defaultName: 'prices.json',
    options: { anyRegion: { flag: 'any-region', bool: true } },
  },
];

/** The paths that take a file as their body (the app gives them the larger body limit). */
export const UPLOAD_PATHS: ReadonlySet<string> = new Set(UPLOADS.map((u) => u.path));

/** The query parameters an upload route takes besides its options. */
const COMMON = new Set(['name']);

async function runOnUpload(c: Context<ApiEnv>, deps: ApiDeps, route: UploadRoute): Promise<Response> {
  const principal = principalOf(c.get('caller'));
  requirePermission(principal, route.permission);
  // Its size is bounded by the app's upload body limit (a 413 before or while it is read).
  const query = new URL(c.req.url).searchParams;
  const argv = [...route.command];
  for (const key of new Set(query.keys())) {
    const opt = route.options[key];
    if (!opt && !COMMON.has(key))
      throw new TallyError('invalid_input', `unknown parameter "${key}"`, {
        param: key,
        allowed: [...COMMON, ...Object.keys(route.options)],
      });
    const v = query.get(key) ?? '';
    if (opt?.bool) {
      if (v === 'true' || v === '1') argv.push(`--${opt.flag}`);
    } else if (opt) argv.push(`--${opt.flag}=${v}`);
  }
  const name =
    basename(query.get('name') ?? route.defaultName).replace(/[^A-Za-z0-9._-]/g, '_') || route.defaultName;
  const bytes = Buffer.from(await c.req.arrayBuffer());
  if (bytes.length === 0) throw new TallyError('invalid_input', 'send the file as the request body');
  const dir = await mkdtemp(join(tmpdir(), 'tally-upload-'));
  try {
    const path = join(dir, name);
    await writeFile(path, bytes, { mode: 0o600 });
    // The command names the file it read: the caller gets the name it sent, not this server's temporary path.
    const hide = (text: string) => text.split(path).join(name).split(dir).join('.');
    try {
      const res = await commandResponse(deps, principal, [...argv, path, '--json']);
      return new Response(hide(await res.text()), { status: res.status, headers: res.headers });
    } catch (err) {
      if (!(err instanceof TallyError)) throw err;
      const details = JSON.parse(hide(JSON.stringify(err.details))) as Record<string, unknown>;
      throw new TallyError(err.code, hide(err.message), details);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Registers the upload routes. */
export function uploadRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  for (const route of UPLOADS) app.post(route.path, (c) => runOnUpload(c, deps, route));
}
