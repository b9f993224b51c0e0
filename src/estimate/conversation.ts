/**
 * Tokens of one conversation under a history strategy. Token-based conversations follow the issue's
 * definition exactly: turn k of T sends system + kept·(user+assistant) + user and produces assistant tokens,
 * where kept = k−1 (full) or min(k−1, N) (window:N). A sample file (OpenAI messages) is counted exactly with
 * the option's tokenizer, including chat overhead.
 *
 * `summary` model: the last 2 turns stay verbatim and older turns are folded into a running summary of
 * `summaryTokens` tokens, sent with every later turn. Each turn that leaves the window costs one summarisation
 * call: input = previous summary (if any) + that turn's user + assistant tokens, output = summaryTokens.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TallyError } from '../core/index.js';
import { countChatTokens, countTextTokens } from '../catalog/index.js';
import type { Scenario } from './scenario.js';

/** Turns kept verbatim by the summary strategy. */
export const SUMMARY_WINDOW = 2;

/** Tokens one conversation sends and receives. */
export interface ConversationProfile {
  turns: number;
  /** Input tokens per conversation (all requests, including summarisation calls). */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens of the largest single request, and the output of that request (context-window checks). */
  maxRequestInputTokens: number;
  maxRequestOutputTokens: number;
}

/** How many earlier turns a strategy keeps verbatim. */
export function keptTurns(history: string, k: number): number {
  if (history === 'full') return k - 1;
  if (history === 'summary') return Math.min(k - 1, SUMMARY_WINDOW);
  const n = Number(history.slice('window:'.length));
  return Math.min(k - 1, n);
}

interface TurnShape {
  /** Tokens of the current user input of turn k (plain), its assistant reply, and the kept history. */
  system: number;
  user: (k: number) => number;
  assistant: (k: number) => number;
  /** Input tokens of the request for turn k keeping `kept` earlier turns (exact for files). */
  request: (k: number, kept: number) => number;
}

function profileOf(
  shape: TurnShape,
  turns: number,
  history: string,
  summaryTokens: number,
): ConversationProfile {
  let input = 0;
  let output = 0;
  let maxReq = 0;
  let maxReqOut = 0;
  for (let k = 1; k <= turns; k++) {
    const kept = keptTurns(history, k);
    const summarised = history === 'summary' && k - 1 > SUMMARY_WINDOW;
    const req = shape.request(k, kept) + (summarised ? summaryTokens : 0);
    input += req;
    output += shape.assistant(k);
    if (req + shape.assistant(k) > maxReq + maxReqOut) {
      maxReq = req;
      maxReqOut = shape.assistant(k);
    }
    if (summarised) {
      // Turn j = k−1−window just left the window: fold it into the summary.
      const j = k - 1 - SUMMARY_WINDOW;
      input += (j > 1 ? summaryTokens : 0) + shape.user(j) + shape.assistant(j);
      output += summaryTokens;
    }
  }
  return {
    turns,
    inputTokens: input,
    outputTokens: output,
    maxRequestInputTokens: maxReq,
    maxRequestOutputTokens: maxReqOut,
  };
}

/** Profile of a token-described conversation (same for every model). */
export function tokenProfile(
  c: { turns: number; systemTokens: number; userTokensPerTurn: number; assistantTokensPerTurn: number },
  history: string,
  summaryTokens: number,
): ConversationProfile {
  const u = c.userTokensPerTurn;
  const a = c.assistantTokensPerTurn;
  const shape: TurnShape = {
    system: c.systemTokens,
    user: () => u,
    assistant: () => a,
    request: (_k, kept) => c.systemTokens + kept * (u + a) + u,
  };
  return profileOf(shape, c.turns, history, summaryTokens);
}

type Msg = Record<string, unknown>;

/** Reads an OpenAI messages file (array or {messages}) and splits it into system messages and turns. */
export function readSampleConversation(path: string): {
  system: Msg[];
  turns: { user: Msg[]; assistant: Msg[] }[];
} {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new TallyError('invalid_input', `conversation.file ${path}: ${(err as Error).message}`, {
      field: 'conversation.file',
      file: path,
    });
  }
  const arr = Array.isArray(raw) ? raw : (raw as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(arr) || arr.some((m) => m === null || typeof m !== 'object'))
    throw new TallyError('invalid_input', `conversation.file ${path}: expected an OpenAI messages array`, {
      field: 'conversation.file',
    });
  const system: Msg[] = [];
  const turns: { user: Msg[]; assistant: Msg[] }[] = [];
  for (const m of arr as Msg[]) {
    const role = m['role'];
    if ((role === 'system' || role === 'developer') && turns.length === 0) system.push(m);
    else if (role === 'assistant') {
      if (turns.length === 0) turns.push({ user: [], assistant: [] });
      turns[turns.length - 1]!.assistant.push(m);
    } else {
      const last = turns[turns.length - 1];
      // A user/tool message after the assistant replied starts a new turn.
      if (!last || last.assistant.length > 0) turns.push({ user: [m], assistant: [] });
      else last.user.push(m);
    }
  }
  if (turns.length === 0)
    throw new TallyError('invalid_input', `conversation.file ${path}: no user turns found`, {
      field: 'conversation.file',
    });
  return { system, turns };
}

function contentText(m: Msg): string {
  const c = m['content'];
  if (typeof c === 'string') return c;
  if (Array.isArray(c))
    return c
      .map((p) =>
        p && typeof p === 'object' && typeof (p as Msg)['text'] === 'string'
          ? String((p as Msg)['text'])
          : '',
      )
      .join('');
  return '';
}

/** Profile of a sample conversation counted exactly with a model's tokenizer. */
export function fileProfile(
  path: string,
  model: string,
  history: string,
  summaryTokens: number,
): ConversationProfile {
  const { system, turns } = readSampleConversation(path);
  const text = (ms: Msg[]) => ms.reduce((n, m) => n + countTextTokens(model, contentText(m)), 0);
  const shape: TurnShape = {
    system: system.length ? countChatTokens(model, system) : 0,
    user: (k) => text(turns[k - 1]!.user),
    assistant: (k) => text(turns[k - 1]!.assistant),
    request: (k, kept) => {
      const earlier = turns.slice(k - 1 - kept, k - 1).flatMap((t) => [...t.user, ...t.assistant]);
      return countChatTokens(model, [...system, ...earlier, ...turns[k - 1]!.user]);
    },
  };
  return profileOf(shape, turns.length, history, summaryTokens);
}

/** The conversation profile for one option's model. */
export function conversationProfile(
  s: Scenario & { baseDir?: string },
  model: string,
  history = s.history,
): ConversationProfile {
  const c = s.conversation;
  if ('file' in c) return fileProfile(resolve(s.baseDir ?? '.', c.file), model, history, s.summaryTokens);
  return tokenProfile(c, history, s.summaryTokens);
}
