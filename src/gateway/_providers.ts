/**
 * Provider quirks as data: how each upstream kind is addressed (path shape, model placement) and
 * authenticated (header). Handlers never branch on the provider; they read this table.
 */
import type { Operation, RouteTarget } from './_context.js';

/** How to call one kind of upstream. */
export interface ProviderSpec {
  /** Request path (with query) for an operation on a deployment. */
  path(op: Operation, deployment: string, apiVersion: string): string;
  /** Whether the body's `model` must be set to the deployment name (OpenAI-style servers). */
  readonly modelInBody: boolean;
  /** Header carrying a static API key. */
  readonly keyHeader: 'api-key' | 'authorization';
  /** Provider name for the ledger (gen_ai.provider.name). */
  readonly providerName: string;
  /** Prefix added unless the configured baseUrl already ends with it (OpenAI-style servers: /v1). */
  readonly versionPrefix: string;
}

const OPENAI_PATHS: Record<Operation, string> = {
  chat: '/chat/completions',
  embeddings: '/embeddings',
  responses: '/responses',
};

/** The provider table. */
export const PROVIDERS: Record<RouteTarget['kind'], ProviderSpec> = {
  'azure-openai': {
    path: (op, deployment, v) =>
      op === 'responses'
        ? // The Responses API lives on Azure's v1 surface; the deployment goes in the body's `model`.
          `/openai/v1/responses`
        : `/openai/deployments/${encodeURIComponent(deployment)}${OPENAI_PATHS[op]}?api-version=${encodeURIComponent(v)}`,
    modelInBody: false,
    keyHeader: 'api-key',
    providerName: 'azure-openai',
    versionPrefix: '',
  },
  openai: {
    path: (op) => OPENAI_PATHS[op],
    modelInBody: true,
    keyHeader: 'authorization',
    providerName: 'openai',
    versionPrefix: '/v1',
  },
  'openai-compatible': {
    path: (op) => OPENAI_PATHS[op],
    modelInBody: true,
    keyHeader: 'authorization',
    providerName: 'openai-compatible',
    versionPrefix: '/v1',
  },
};
