/**
 * Image input tokens. Tile models: fit in 2048x2048, shrink the short side to 768, count 512-px tiles,
 * tokens = base + perTile x tiles (detail "low" = base). Patch models: 32-px patches capped at 1,536, times a
 * per-model multiplier. Constants from OpenAI's vision docs as recorded in the domain notes §3 (o-series tile
 * constants and patch multipliers are marked there as "verify").
 */

interface TileRule {
  readonly kind: 'tile';
  readonly base: number;
  readonly perTile: number;
}
interface PatchRule {
  readonly kind: 'patch';
  readonly multiplier: number;
}

const TILE_DEFAULT: TileRule = { kind: 'tile', base: 85, perTile: 170 };
const RULES: Record<string, TileRule | PatchRule> = {
  'gpt-4o-mini': { kind: 'tile', base: 2833, perTile: 5667 },
  o1: { kind: 'tile', base: 75, perTile: 150 },
  o3: { kind: 'tile', base: 75, perTile: 150 },
  'gpt-4.1-mini': { kind: 'patch', multiplier: 1.62 },
  'gpt-4.1-nano': { kind: 'patch', multiplier: 2.46 },
  'gpt-5-mini': { kind: 'patch', multiplier: 1.62 },
  'gpt-5-nano': { kind: 'patch', multiplier: 2.46 },
  'o4-mini': { kind: 'patch', multiplier: 1.72 },
};

/** Default size assumed when an image's dimensions are unknown (the 2048->768 rule makes this 4 tiles). */
export const UNKNOWN_IMAGE_SIZE = { width: 768, height: 768 } as const;

/** Input tokens for one image on a model family. */
export function imageTokens(family: string, width: number, height: number, detail: string = 'auto'): number {
  const rule = RULES[family] ?? TILE_DEFAULT;
  if (rule.kind === 'patch') return patchTokens(width, height, rule.multiplier);
  if (detail === 'low') return rule.base;
  let w = width;
  let h = height;
  if (w > 2048 || h > 2048) {
    const s = 2048 / Math.max(w, h);
    w = Math.floor(w * s);
    h = Math.floor(h * s);
  }
  if (Math.min(w, h) > 768) {
    const s = 768 / Math.min(w, h);
    w = Math.floor(w * s);
    h = Math.floor(h * s);
  }
  const tiles = Math.ceil(w / 512) * Math.ceil(h / 512);
  return rule.base + rule.perTile * tiles;
}

function patchTokens(width: number, height: number, multiplier: number): number {
  const cap = 1536;
  let patches = Math.ceil(width / 32) * Math.ceil(height / 32);
  if (patches > cap) {
    let r = Math.sqrt((32 * 32 * cap) / (width * height));
    r *= Math.min(
      Math.floor((width * r) / 32) / ((width * r) / 32),
      Math.floor((height * r) / 32) / ((height * r) / 32),
    );
    patches = Math.min(cap, Math.ceil((width * r) / 32) * Math.ceil((height * r) / 32));
  }
  return Math.ceil(patches * multiplier);
}

/** Reads width/height from a base64 data URL of a PNG, GIF or JPEG; null when not decodable. */
export function dataUrlDimensions(url: string): { width: number; height: number } | null {
  const m = /^data:image\/[a-z+]+;base64,(.*)$/is.exec(url);
  if (!m) return null;
  const buf = Buffer.from(m[1]!.slice(0, 200_000), 'base64');
  if (buf.length > 24 && buf.readUInt32BE(0) === 0x89504e47)
    return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  if (buf.length > 10 && buf.toString('ascii', 0, 3) === 'GIF')
    return { width: buf.readUInt16LE(6), height: buf.readUInt16LE(8) };
  if (buf.length > 4 && buf[0] === 0xff && buf[1] === 0xd8) return jpegDimensions(buf);
  return null;
}

function jpegDimensions(buf: Buffer): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1]!;
    const len = buf.readUInt16BE(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return null;
}
