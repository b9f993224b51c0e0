/**
 * `tally mcp`: the MCP server over stdio for a local assistant. While `tally serve` owns the store (its identity
 * proven before any token is sent), every request goes to that server's `POST /mcp` as the caller: `--token`, or
 * the local CLI user through the owner's secret, exactly as other commands run there. Otherwise it opens the
 * store itself (audit entries are written, so it needs the writer's lock). stdout carries JSON-RPC only: notes
 * go to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { connectMcpProxy, createMcpServer } from '../../mcp/index.js';
import { reachOwner } from '../../owner/index.js';
import { defineCommand } from '../command.js';
import { callerOf, tokenOption, toolDeps } from './_assistant.js';

export const mcpCommand = defineCommand({
  local: true,
  options: { token: tokenOption },
  async run(ctx) {
    const token = ctx.str('token')?.trim();
    const owner = await reachOwner(ctx.dbPath);
    let server: Server;
    let who: string;
    if (owner) {
      const actor = ctx.actor.replace(/^cli:/, '');
      server = await connectMcpProxy({ url: owner.url, token: token ?? owner.secret, actor });
      who = `${token ? 'the --token user' : ctx.actor} through the running server at ${owner.url}`;
    } else {
      const store = await ctx.openStore();
      const principal = await callerOf(store, token, ctx.actor);
      server = createMcpServer(toolDeps(ctx.config(), store), principal);
      who = principal.kind === 'user' ? principal.user.name : ctx.actor;
    }
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((done) => {
      transport.onclose = () => done();
      process.stdin.once('end', () => done());
      process.stdin.once('close', () => done());
    });
    await server.connect(transport);
    ctx.out.note(`tally mcp: serving ${ctx.dbPath} on stdio as ${who}`);
    await closed;
    await server.close();
  },
});
