/**
 * `tally mcp` while `tally serve` owns the store: a stdio MCP server that answers every request through the
 * owner's `POST /mcp`, so a local assistant keeps working while the server holds the store's single writer.
 * The owner decides who calls (the bearer token: a user's API token, or the owner's secret for the local
 * CLI), which tools it sees, its team scope, the audit entry and the report cache; nothing is answered here.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { TallyError } from '../core/index.js';
import { packageVersion } from './_server.js';

/** How long one forwarded request may take. */
const FORWARD_TIMEOUT_MS = 10 * 60_000;

/** Where the owner's MCP endpoint is and how to authenticate to it (sent only after its identity proof). */
export interface McpRemote {
  /** The owner's base URL (`<db>.server.json`), without `/mcp`. */
  readonly url: string;
  /** The bearer token: the caller's API token, or the owner's secret for the local CLI user. */
  readonly token: string;
  /** The local user's name, for the audit log, when `token` is the owner's secret. */
  readonly actor?: string;
}

/**
 * Connects to the owner's `/mcp` as the caller (unauthorized when the owner refuses the token) and returns a
 * server, not yet connected to a transport, that forwards tools/list and tools/call there. Closing it closes
 * the connection to the owner.
 */
export async function connectMcpProxy(remote: McpRemote): Promise<Server> {
  const headers: Record<string, string> = { authorization: `Bearer ${remote.token}` };
  if (remote.actor) headers['x-tally-actor'] = remote.actor;
  const client = new Client({ name: 'tally-mcp-stdio', version: packageVersion() });
  try {
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', remote.url), { requestInit: { headers } }),
    );
  } catch (err) {
    const status = (err as { code?: unknown }).code;
    if (status === 401)
      throw new TallyError('unauthorized', 'the running tally serve refused the token: unknown or revoked');
    throw new TallyError('unavailable', `cannot reach the MCP endpoint of ${remote.url}: ${String(err)}`);
  }
  const server = new Server(
    { name: 'tally', version: packageVersion() },
    { capabilities: { tools: {} }, instructions: client.getInstructions() },
  );
  // The assistant's own client decides how long it waits; the hop to the server must not give up first (the
  // SDK's default is 60 s, and a report never asked before can take longer on a busy machine).
  const wait = { timeout: FORWARD_TIMEOUT_MS };
  server.setRequestHandler(ListToolsRequestSchema, (req) => client.listTools(req.params, wait));
  server.setRequestHandler(CallToolRequestSchema, (req) => client.callTool(req.params, undefined, wait));
  server.onclose = () => void client.close();
  return server;
}
