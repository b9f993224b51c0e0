/**
 * Writes that take a file as the request body: cost exports (`tally ingest`), business KPIs (`tally kpis
 * import`) and price sheets (`tally prices import`). Once the caller's permission is checked, the body is
 * streamed to a private temporary file (up to the upload limit), the command runs on it exactly as the CLI would
 * under the uploaded name, and the file is removed. Each is audited by the command.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
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
  /** The command's option that records the file under the uploaded name (else only answers are rewritten). */
  readonly nameFlag?: string;
  /** Query parameter → command option (`--flag=value`, or `--flag` for a switch given as true/1). */
  readonly options: Readonly<Record<string, { flag: string; bool?: boolean }>>;
}

const UPLOADS: readonly UploadRoute[] = [
  {
    path: '/api/v1/ingest',
    command: ['ingest'],
    permission: 'ingest',
    defaultName: 'upload.csv',
    nameFlag: 'name',
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
    nameFlag: 'name',
    options: { anyRegion: { flag: 'any-region', bool: true } },
  },
];

/** The paths that take a file as their body (the app leaves it unread until the route has checked the caller). */
export const UPLOAD_PATHS: ReadonlySet<string> = new Set(UPLOADS.map((u) => u.path));

/** Uploaded files (cost exports are tens of MB), unless `ApiDeps.maxUploadBytes` says otherwise. */
const DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

/** The query parameters an upload route takes besides its options. */
const COMMON = new Set(['name']);

async function runOnUpload(c: Context<ApiEnv>, deps: ApiDeps, route: UploadRoute): Promise<Response> {
  const principal = principalOf(c.get('caller'));
  requirePermission(principal, route.permission);
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
  const sent = basename(query.get('name') ?? route.defaultName).replace(/[^A-Za-z0-9._-]/g, '_');
  // `.` and `..` would name the temporary folder or its parent.
  const name = /^\.*$/.test(sent) ? route.defaultName : sent;
  const dir = await mkdtemp(join(tmpdir(), 'tally-upload-'));
  try {
    const path = join(dir, name);
    await saveBody(c.req.raw, path, deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES);
    if (route.nameFlag) argv.push(`--${route.nameFlag}=${name}`);
    // The command names the file it read: the caller gets the name it sent, not this server's temporary path.
    const hide = (text: string) => text.split(path).join(name).split(dir).join('.');
    try {
      const res = await commandResponse(deps, principal, [...argv, path, '--json']);
      const text = hide(await res.text());
      return new Response(res.ok ? quarantineByName(text) : text, {
        status: res.status,
        headers: res.headers,
      });
    } catch (err) {
      if (!(err instanceof TallyError)) throw err;
      const details = JSON.parse(hide(JSON.stringify(err.details))) as Record<string, unknown>;
      throw new TallyError(err.code, hide(err.message), details);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * An ingest answer names its quarantine CSV by its file name only: the folder is this server's (beside the
 * store), which a caller has no use for and should not learn.
 */
function quarantineByName(text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof doc !== 'object' || doc === null || !('quarantine' in doc) || typeof doc.quarantine !== 'string')
    return text;
  return `${JSON.stringify({ ...doc, quarantine: basename(doc.quarantine) })}\n`;
}

/**
 * Streams a request body to a new private file, counting it: a 413 as soon as it passes `limit` (read only now,
 * after the caller's permission was checked), a 400 when it is empty. Never held in memory whole.
 */
async function saveBody(req: Request, path: string, limit: number): Promise<void> {
  const tooLarge = () =>
    new TallyError('payload_too_large', `uploads here are limited to ${limit} bytes`, { limit });
  if (Number(req.headers.get('content-length') ?? 0) > limit) throw tooLarge();
  const file = await open(path, 'wx', 0o600);
  const reader = req.body?.getReader();
  let size = 0;
  try {
    for (;;) {
      const chunk = reader ? await reader.read() : { done: true as const };
      if (chunk.done) break;
      size += chunk.value.length;
      if (size > limit) throw tooLarge();
      await file.write(chunk.value);
    }
  } catch (err) {
    await reader?.cancel().catch(() => undefined);
    throw err;
  } finally {
    await file.close();
  }
  if (size === 0) throw new TallyError('invalid_input', 'send the file as the request body');
}

/** Registers the upload routes. */
export function uploadRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  for (const route of UPLOADS) app.post(route.path, (c) => runOnUpload(c, deps, route));
}
