/** gateway: the OpenAI/Azure-compatible metering reverse proxy. Its pipeline stages are in pipeline.ts. */
export * from './pipeline.js';
export { createGateway, type Gateway, type GatewayOptions } from './server.js';
export {
  startGateway,
  gatewayStoreSettings,
  readGatewayState,
  gatewayStatePath,
  type GatewayState,
  type RunningGateway,
} from './start.js';
export {
  createKey,
  revokeKey,
  rotateKey,
  keyView,
  hashKey,
  KeyResolver,
  KEY_PREFIX,
  type KeySpec,
  type KeyLimits,
} from './keys.js';
export {
  usageReport,
  usageHosting,
  parseUsageBy,
  parseWindow,
  type UsageRow,
  type UsageHosting,
} from './usage-report.js';
export { askRunningGateway } from './admin-client.js';
