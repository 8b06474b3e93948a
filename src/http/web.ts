import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFoundHandler } from './errors.js';

/** The built web UI (npm run build:web). */
export const WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Paths that belong to the API, ingest and operations; never answered with the UI. */
const SERVER_PATHS = /^\/(api|v2|integrations|a|ical|status|healthz|readyz|metrics)(\/|$|\?)/;

// The UI loads only its own scripts and styles, is never framed (no clickjacking of an
// Acknowledge button), and sends no Referer with alert links it opens.
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Watchkeeper</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>Watchkeeper</h1><p>The web UI is not built. Run <code>npm run build:web</code> (<code>npm start</code> does it) and restart the server.</p>
<p>The API is up: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></body></html>`;

/**
 * Serves the single-page UI: hashed assets as immutable files, and index.html for every other GET
 * a browser makes outside the server's own paths, so /alerts/42 can be reloaded or shared.
 */
export function registerWeb(http: FastifyInstance, root = WEB_ROOT): void {
  // Read once, like the assets the static plugin lists at start: a rebuilt UI needs a restart, and
  // an index.html newer than the served assets would point at files that are not there.
  const indexFile = path.join(root, 'index.html');
  const html = fs.existsSync(indexFile) ? fs.readFileSync(indexFile) : null;
  if (html) {
    void http.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders: (res, file) => {
        if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        res.setHeader('x-content-type-options', 'nosniff');
      },
    });
  }
  const page = (_req: FastifyRequest, reply: FastifyReply) => reply.headers(HTML_HEADERS).send(html ?? NOT_BUILT);
  http.get('/', page);
  // Only requests no route answers get here, so the ingest and API hot paths pay nothing for the
  // UI: a browser navigating to a UI route gets the app, everything else the JSON 404.
  http.setNotFoundHandler((req, reply) => {
    const navigation = req.method === 'GET' && !SERVER_PATHS.test(req.url) && String(req.headers.accept ?? '').includes('text/html');
    return navigation ? page(req, reply) : notFoundHandler(req, reply);
  });
}
