/** web: the dashboard, server-rendered HTML with inline SVG charts, as a Hono app the server mounts. */
export { createWebApp } from './_app.js';
export type { WebEnv } from './_handler.js';
export type { ActionName, ReportName, Role, WebDeps, WebUser, WebVariables } from './_types.js';
