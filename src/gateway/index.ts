/** gateway: the OpenAI/Azure-compatible metering reverse proxy. Its pipeline stages are in pipeline.ts. */
export * from './pipeline.js';
