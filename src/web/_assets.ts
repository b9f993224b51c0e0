/** /assets: the stylesheet and script under content-hashed names, so browsers may cache them for a year. */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { ENHANCE_JS } from './_enhance.js';
import { STYLE_CSS } from './_style.js';

function hashed(name: string, ext: string, body: string): string {
  return `/assets/${name}.${createHash('sha256').update(body).digest('hex').slice(0, 10)}.${ext}`;
}

/** URL of the stylesheet (changes when its content does). */
export const STYLE_URL = hashed('style', 'css', STYLE_CSS);
/** URL of the enhancement script (changes when its content does). */
export const SCRIPT_URL = hashed('enhance', 'js', ENHANCE_JS);

/** Serves the two assets; any other /assets path is a 404. */
export function assetRoutes(): Hono {
  const app = new Hono();
  const serve = (body: string, type: string) => () =>
    new Response(body, {
      headers: {
        'content-type': type,
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      },
    });
  app.get(STYLE_URL, serve(STYLE_CSS, 'text/css; charset=utf-8'));
  app.get(SCRIPT_URL, serve(ENHANCE_JS, 'text/javascript; charset=utf-8'));
  return app;
}
