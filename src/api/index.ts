/** api: the HTTP API (`/api/v1`), authentication, roles, sessions and the OpenAPI document. */
export { createApiApp, type ApiDeps, type ApiEnv, type ApiVariables, type CommandResult } from './app.js';
export { openApiDocument } from './openapi.js';
export { REPORTS, type ReportName, type ReportSpec } from './_reports.js';
export { ROLE_MATRIX, teamScope, type Permission, type Principal } from './_roles.js';
export {
  createUser,
  createdUserDocument,
  parseRole,
  userView,
  hashToken,
  isScopedRole,
  USER_TOKEN_PREFIX,
} from './_users.js';
export { reportArgv } from './_reports.js';
export { requirePermission, actorOf } from './_roles.js';
export { runForDocument } from './_context.js';
export { setIncidentState } from './_writes.js';
export { ReportCache, windowEndMs, type ReportCacheOptions } from './_cache.js';
export { readsOnly } from './_admin.js';
export { principalFromBearer } from './_session.js';
export { AUTH_FAILURES_PER_WINDOW, AuthThrottle, clientAddress } from './_auth-throttle.js';
