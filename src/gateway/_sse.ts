/**
 * Incremental SSE handling for streamed responses. Upstream bytes are split into complete events (blank-line
 * terminated); each complete event is forwarded at once, only an unfinished tail waits for the next chunk, so
 * streaming adds parsing time and no buffering. Only events that can carry usage are JSON-parsed on the hot
 * path; delivered text is kept raw and tokenized only if the stream ends early (a `partial` event).
 */
import { deltaText, findUsage } from './_usage.js';
import type { Usage } from './_context.js';

const USAGE_RE = /"usage"\s*:\s*\{/;

/** Tracks one stream: forwards events, finds the usage, optionally strips the usage-only chunk. */
export class SseRelay {
  private tail = '';
  private readonly delivered: string[] = [];
  usage: Usage | null = null;
  sawDone = false;
  /** Bytes handed to the client so far. */
  bytesOut = 0;

  /** @param stripUsageChunk drop the `choices: []` usage-only chunk (we asked for it, the client did not). */
  constructor(private readonly stripUsageChunk: boolean) {}

  /** Feeds an upstream chunk; returns the text to send to the client now ('' when nothing is complete). */
  push(chunk: string): string {
    const text = this.tail + chunk;
    // Events end with a blank line; accept \n\n and \r\n\r\n.
    const end = lastEventEnd(text);
    if (end < 0) {
      this.tail = text;
      return '';
    }
    const complete = text.slice(0, end);
    this.tail = text.slice(end);
    if (!this.stripUsageChunk && !USAGE_RE.test(complete)) {
      this.delivered.push(complete);
      if (complete.includes('[DONE]')) this.sawDone = true;
      this.bytesOut += complete.length;
      return complete;
    }
    let out = '';
    for (const ev of complete.split(/(?<=\r?\n\r?\n)/)) {
      if (this.inspect(ev)) continue;
      out += ev;
    }
    this.delivered.push(out);
    this.bytesOut += out.length;
    return out;
  }

  /** Whatever is left when the upstream ends (an unterminated last event). */
  finish(): string {
    const rest = this.tail;
    this.tail = '';
    if (!rest.trim()) return '';
    if (this.inspect(rest)) return '';
    this.delivered.push(rest);
    return rest;
  }

  /** Parses one event; records usage; returns true when the event must be dropped. */
  private inspect(ev: string): boolean {
    const data = eventData(ev);
    if (data === null) return false;
    if (data === '[DONE]') {
      this.sawDone = true;
      return false;
    }
    if (!USAGE_RE.test(data)) return false;
    let doc: unknown;
    try {
      doc = JSON.parse(data);
    } catch {
      return false;
    }
    const u = findUsage(doc);
    if (u) this.usage = u;
    if (!this.stripUsageChunk || !u) return false;
    const choices = (doc as { choices?: unknown }).choices;
    return Array.isArray(choices) && choices.length === 0;
  }

  /** The text the client actually received (for counting output tokens of a cut stream). */
  deliveredText(): string {
    let text = '';
    for (const block of this.delivered)
      for (const ev of block.split(/\r?\n\r?\n/)) {
        const data = eventData(ev);
        if (data === null || data === '[DONE]') continue;
        try {
          text += deltaText(JSON.parse(data));
        } catch {
          // a malformed event delivered nothing countable
        }
      }
    return text;
  }
}

function lastEventEnd(text: string): number {
  const a = text.lastIndexOf('\n\n');
  const b = text.lastIndexOf('\r\n\r\n');
  const ia = a < 0 ? -1 : a + 2;
  const ib = b < 0 ? -1 : b + 4;
  return Math.max(ia, ib);
}

/** The joined `data:` lines of one SSE event, or null when it has none. */
export function eventData(ev: string): string | null {
  let data: string | null = null;
  for (const line of ev.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    const v = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
    data = data === null ? v : `${data}\n${v}`;
  }
  return data;
}
