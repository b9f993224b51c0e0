/**
 * History trimming (per route, opt-in): keeps every system/developer message and the last N user turns
 * (a turn = a user message and the assistant/tool messages after it), so long chats stop re-sending their
 * whole past. Cutting only at a user message keeps tool calls paired with their results.
 */

/** The outcome of trimming a message list. */
export interface TrimResult {
  readonly messages: unknown[];
  /** Messages removed (0 when the history already fits). */
  readonly removed: number;
}

const roleOf = (m: unknown): unknown =>
  m && typeof m === 'object' ? (m as { role?: unknown }).role : undefined;
const isInstruction = (m: unknown) => roleOf(m) === 'system' || roleOf(m) === 'developer';

/** Keeps system/developer messages and the last `keepTurns` turns; returns the input unchanged when it fits. */
export function trimMessages(messages: readonly unknown[], keepTurns: number): TrimResult {
  const userIdx: number[] = [];
  messages.forEach((m, i) => {
    if (roleOf(m) === 'user') userIdx.push(i);
  });
  if (keepTurns < 1 || userIdx.length <= keepTurns) return { messages: [...messages], removed: 0 };
  const cut = userIdx[userIdx.length - keepTurns]!;
  const kept = messages.filter((m, i) => i >= cut || isInstruction(m));
  return { messages: kept, removed: messages.length - kept.length };
}
