/** The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json; built from the same tables the routes use. */
import { ROLES } from '../store/index.js';
import { REPORTS, type ReportSpec } from './_reports.js';
import { ROLE_MATRIX } from './_roles.js';

const problem = { $ref: '#/components/responses/Problem' };
const errors = { '400': problem, '401': problem, '403': problem, '404': problem };

function reportPath(name: string, spec: ReportSpec): Record<string, unknown> {
  return {
    get: {
      operationId: `get_${name.replace(/-/g, '_')}`,
      summary: spec.summary,
      description: `Returns exactly what \`tally ${spec.command.join(' ')} --json\` prints. Needs permission \`${spec.permission}\`; team-scoped roles get only their teams' rows.`,
      parameters: [
        ...Object.entries(spec.params).map(([n, p]) => ({
          name: n,
          in: 'query',
          required: false,
          description: p.description,
          schema: p.multi ? { type: 'array', items: { type: 'string' } } : { type: 'string' },
          ...(p.multi ? { explode: true } : {}),
        })),
        {
          name: 'limit',
          in: 'query',
          required: false,
          schema: { type: 'integer', minimum: 1, maximum: 10000 },
        },
        { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
      ],
      responses: {
        '200': { description: 'the report document', content: { 'application/json': {} } },
        ...errors,
      },
    },
  };
}

const write = (summary: string, permission: string, body?: Record<string, unknown>) => ({
  summary,
  description: `Needs permission \`${permission}\`. Audited.`,
  ...(body ? { requestBody: { content: { 'application/json': { schema: body } } } } : {}),
  responses: { '200': { description: 'done', content: { 'application/json': {} } }, ...errors },
});

/** The document. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, unknown> = {
    '/healthz': { get: { summary: 'ready', security: [], responses: { '200': { description: 'ready' } } } },
    '/api/v1/me': {
      get: { summary: 'who the token belongs to', responses: { '200': { description: 'user' } } },
    },
  };
  for (const [name, spec] of Object.entries(REPORTS)) paths[`/api/v1/${name}`] = reportPath(name, spec);
  Object.assign(paths, {
    '/api/v1/budgets': {
      post: write('create or replace a budget (as `tally budgets set`)', 'budgets-write', {
        type: 'object',
        properties: {
          scope: { type: 'string', enum: ['all', 'team', 'app', 'cost_center', 'key', 'model'] },
          value: { type: 'string' },
          amount: { type: 'string', description: 'in the reporting currency, e.g. "15000"' },
          period: { type: 'string', enum: ['day', 'week', 'month', 'quarter', 'year', 'custom'] },
          thresholds: { type: 'string', description: 'percents on actual spend, e.g. "50,80,100"' },
          forecastThresholds: { type: 'string', description: 'percents on forecast spend, e.g. "100"' },
          start: { type: 'string', format: 'date', description: 'custom period start' },
          end: { type: 'string', format: 'date', description: 'custom period end (exclusive)' },
          hard: { type: 'boolean' },
        },
        required: ['amount'],
      }),
    },
    '/api/v1/budgets/{id}': { delete: write('delete a budget', 'budgets-write') },
    '/api/v1/anomalies/{id}/state': {
      post: write('set an incident state: new, acknowledged or resolved', 'incident-state', {
        type: 'object',
        properties: { state: { enum: ['new', 'acknowledged', 'resolved'] }, note: { type: 'string' } },
        required: ['state'],
      }),
    },
    '/api/v1/ingest': {
      post: write(
        'ingest an export file sent as the body (idempotent, as `tally ingest`); ?name=&format=',
        'ingest',
      ),
    },
    '/api/v1/kpis': {
      post: write(
        'store business KPIs from the CSV sent as the body (as `tally kpis import`); ?name=&source= (a source replaces its earlier rows)',
        'ingest',
      ),
    },
    '/api/v1/prices/import': {
      post: write(
        'import Azure Retail Prices pages (JSON) or an EA/MCA price sheet (CSV) sent as the body (as `tally prices import`); ?name=&anyRegion=true',
        'catalog',
      ),
    },
    '/api/v1/alerts/run': {
      post: write('run one alert pass now (as `tally alerts run`)', 'alerts', {
        type: 'object',
        properties: {
          at: { type: 'string', description: 'evaluate as of this ISO time (default now)' },
          dryRun: { type: 'boolean', description: 'send nothing, record nothing' },
        },
      }),
    },
    '/api/v1/export/focus': {
      get: write('FOCUS 1.2 CSV with Allocated* columns for ?period=YYYY-MM', 'export'),
    },
    '/api/v1/keys': { post: write('create a gateway key (fields = `tally keys create` options)', 'keys') },
    '/api/v1/keys/{id}': { delete: write('revoke a gateway key', 'keys') },
    '/api/v1/keys/{id}/rotate': {
      post: write('replace a key with a new secret (printed once; same team, app and limits)', 'keys'),
    },
    '/api/v1/users': {
      get: write('list users', 'users'),
      post: write(
        'create a user; answers {id, token, role, teams, name} as `tally users create --json` prints it (the token once)',
        'users',
        {
          type: 'object',
          properties: {
            name: { type: 'string' },
            role: { enum: [...ROLES] },
            teams: { type: 'array', items: { type: 'string' } },
          },
          required: ['name', 'role'],
        },
      ),
    },
    '/api/v1/users/{id}': { delete: write('revoke a user', 'users') },
    '/api/v1/audit': { get: write('the audit log, newest first (?limit, ?before)', 'audit') },
    '/api/v1/sql': {
      post: write('read-only SQL in the sandbox', 'sql', {
        type: 'object',
        properties: { sql: { type: 'string' } },
        required: ['sql'],
      }),
    },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tally API',
      version: 'v1',
      description: 'FinOps for AI workloads. Roles: ' + JSON.stringify(ROLE_MATRIX),
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'a user token from `tally users create`' },
        session: { type: 'apiKey', in: 'cookie', name: 'tally_session' },
      },
      responses: {
        Problem: {
          description: 'an error (RFC 9457 problem details with Tally code)',
          content: {
            'application/problem+json': {
              schema: {
                type: 'object',
                properties: {
                  type: { type: 'string' },
                  title: { type: 'string' },
                  status: { type: 'integer' },
                  code: { type: 'string' },
                  detail: { type: 'string' },
                  details: { type: 'object' },
                },
                required: ['type', 'status', 'code', 'detail'],
              },
            },
          },
        },
      },
    },
  };
}
