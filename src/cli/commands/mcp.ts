/**
 * `tally mcp`: the MCP server over stdio for a local assistant. It opens the store itself (audit entries are
 * written, so it needs the writer's lock); while `tally serve` owns the store, point the assistant at the
 * server's `POST /mcp` with a token instead. stdout carries JSON-RPC only: notes go to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from '../../mcp/index.js';
import { reachOwner } from '../../owner/index.js';
import { TallyError } from '../../core/index.js';
import { defineCommand } from '../command.js';
import { callerOf, tokenOption, toolDeps } from './_assistant.js';

export const mcpCommand = defineCommand({
  local: true,
  options: { token: tokenOption },
  async run(ctx) {
    if (await reachOwner(ctx.dbPath))
      throw new TallyError(
        'store_locked',
        'a running tally serve owns this store: connect the assistant to its POST /mcp with a bearer token',
      );
    const store = await ctx.openStore();
    const principal = await callerOf(store, ctx.str('token'), ctx.actor);
    const server = createMcpServer(toolDeps(ctx.config(), store), principal);
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((done) => {
      transport.onclose = () => done();
      process.stdin.once('end', () => done());
      process.stdin.once('close', () => done());
    });
    await server.connect(transport);
    ctx.out.note(
      `tally mcp: serving ${ctx.dbPath} on stdio as ${principal.kind === 'user' ? principal.user.name : ctx.actor}`,
    );
    await closed;
    await server.close();
  },
});
