import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/**
 * The web UI is opened on a laptop at 3 a.m., often over a VPN: what index.html loads before the
 * first paint must stay small. Budget: 300 KB of JavaScript, gzipped, for the entry script and
 * every module it preloads. Lazy chunks are not counted; they load when their page opens.
 */
const BUDGET_JS_GZIP = 300 * 1024;
const dist = fileURLToPath(new URL('../web/dist/', import.meta.url));

/** Local asset paths that index.html loads at start: module scripts, modulepreloads, stylesheets. */
function initialAssets(html: string): { js: string[]; css: string[] } {
  const js = new Set<string>();
  const css = new Set<string>();
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1];
    if (/^<script/i.test(tag)) {
      const src = attr('src');
      if (src) js.add(src);
    } else {
      const rel = attr('rel')?.toLowerCase();
      const href = attr('href');
      if (!href) continue;
      if (rel === 'modulepreload') js.add(href);
      else if (rel === 'stylesheet') css.add(href);
    }
  }
  const local = (p: string) => !/^(https?:)?\/\//i.test(p) && !p.startsWith('data:');
  return { js: [...js].filter(local), css: [...css].filter(local) };
}

describe('web bundle budget', () => {
  it('finds scripts, modulepreloads and stylesheets in index.html', () => {
    const html = `<script type="module" crossorigin src="/assets/index-a.js"></script>
      <link rel="modulepreload" crossorigin href="/assets/vendor-b.js">
      <link rel="stylesheet" crossorigin href="/assets/index-c.css"><link rel="icon" href="data:,">`;
    expect(initialAssets(html)).toEqual({ js: ['/assets/index-a.js', '/assets/vendor-b.js'], css: ['/assets/index-c.css'] });
  });

  it('loads under 300 KB of JavaScript (gzipped) before the first page renders', () => {
    const indexPath = join(dist, 'index.html');
    if (!existsSync(indexPath)) {
      throw new Error(`web/dist/index.html is missing: run npm run build:web (npm test runs it first through pretest)`);
    }
    const html = readFileSync(indexPath, 'utf8');
    const { js, css } = initialAssets(html);
    expect(js.length, 'index.html should load at least one module script').toBeGreaterThan(0);

    const sizes = [...js, ...css].map((p) => {
      const file = join(dist, p.replace(/^\//, ''));
      if (!existsSync(file)) throw new Error(`index.html loads ${p} but ${file} does not exist: rebuild with npm run build:web`);
      return { path: p, gzip: gzipSync(readFileSync(file), { level: 9 }).length };
    });
    const jsTotal = sizes.filter((s) => js.includes(s.path)).reduce((n, s) => n + s.gzip, 0);
    const report = sizes.map((s) => `${s.path}: ${(s.gzip / 1024).toFixed(1)} KB`).join(', ');
    expect(jsTotal, `initial JavaScript is ${(jsTotal / 1024).toFixed(1)} KB gzipped, over the ${BUDGET_JS_GZIP / 1024} KB budget (${report})`).toBeLessThanOrEqual(BUDGET_JS_GZIP);
  });
});
