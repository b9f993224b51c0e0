/**
 * `tally ask "question"`: answers in plain language with a chat model called through Tally's own gateway (so
 * the question is metered and attributed like any request), using the MCP tools as the caller: the answer,
 * the tool calls it made with the figures they returned, and what it cost.
 */
import { TallyError, formatMoney, nanosToDecimalString, parseUsd } from '../../core/index.js';
import { readGatewayState } from '../../gateway/index.js';
import { actorOf } from '../../api/index.js';
import { askQuestion, askSpent, gatewayChat, recordAskSpend, resolveKey } from '../../mcp/index.js';
import { defineCommand } from '../command.js';
import { callerOf, tokenOption, toolDeps } from './_assistant.js';

const HOW_TO_CONFIGURE = [
  'tally ask needs a chat model that supports tool calls, reached through the Tally gateway. Add to tally.yaml:',
  '  assistant:',
  '    model: gpt-4o-mini            # a gateway route or deployment',
  '    key: env:TALLY_ASSISTANT_KEY  # a virtual key: tally keys create --team finops --app tally-ask --env prod',
  '    # gatewayUrl: http://127.0.0.1:8787   (default: the gateway running on this store)',
].join('\n');

export const askCommand = defineCommand({
  positionals: true,
  options: {
    model: { type: 'string', description: 'the gateway model to ask (default assistant.model)' },
    token: tokenOption,
  },
  async run(ctx) {
    const question = ctx.positionals.join(' ').trim();
    if (!question)
      throw new TallyError(
        'invalid_input',
        'give a question, e.g. tally ask "What did we spend last month?"',
      );
    if (question.length > 4000)
      throw new TallyError('invalid_input', 'a question is at most 4,000 characters');
    const cfg = ctx.config().assistant;
    if (!cfg) throw new TallyError('invalid_config', HOW_TO_CONFIGURE, { field: 'assistant' });
    const gatewayUrl = cfg.gatewayUrl ?? readGatewayState(ctx.dbPath)?.url;
    if (!gatewayUrl)
      throw new TallyError(
        'unavailable',
        'no gateway runs on this store: start `tally serve` with gateway: configured, or set assistant.gatewayUrl',
      );
    const store = await ctx.openStore();
    const principal = await callerOf(store, ctx.str('token'), ctx.actor);
    const actor = actorOf(principal);
    const now = new Date();
    const budget = parseUsd(cfg.budgetUsdPerDay);
    const spent = await askSpent(store, actor, now);
    if (spent >= budget)
      throw new TallyError(
        'budget_exceeded',
        `${actor} has spent ${formatMoney(spent, 'USD')} of its ${formatMoney(budget, 'USD')} a day for questions (assistant.budgetUsdPerDay)`,
      );
    const model = ctx.str('model') ?? cfg.model;
    const result = await askQuestion({
      question,
      principal,
      deps: toolDeps(ctx.config(), store),
      chat: gatewayChat({
        url: gatewayUrl,
        key: resolveKey(cfg.key, 'assistant.key'),
        model,
        user: actor,
        maxOutputTokens: cfg.maxOutputTokens,
        timeoutMs: cfg.timeoutMs,
      }),
      maxToolCalls: cfg.maxToolCalls,
      remainingNanos: budget - spent,
    });
    await recordAskSpend(store, actor, now, result.costNanos);
    const costUsd = nanosToDecimalString(result.costNanos);
    if (ctx.json) {
      ctx.out.json({
        answer: result.answer,
        toolCalls: result.toolCalls,
        costUsd,
        // What the question cost is metered by the gateway at catalog prices, in USD.
        currency: 'USD',
        model,
        turns: result.turns,
        stopped: result.stopped,
      });
      return;
    }
    ctx.out.line(result.answer);
    ctx.out.line();
    for (const c of result.toolCalls)
      ctx.out.line(
        `tool ${c.name} ${JSON.stringify(c.arguments)}: ${c.ok ? 'ok' : `${c.refused ? 'refused' : 'failed'} (${c.error?.message ?? ''})`}`,
      );
    ctx.out.line(`cost: ${costUsd} USD on ${model} through the gateway (${result.turns} model turns)`);
    if (result.stopped) ctx.out.line(`stopped early: ${result.stopped}`);
    ctx.out.line('Figures used: tally ask --json');
  },
});
