import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { StatusPageView } from '../commands/status-page-view.js';
import { HISTORY_DAYS, PAST_DAYS } from '../commands/status-page-view.js';
import { escapeHtml as esc } from '../notify/email/email.sender.js';

/**
 * The public status page as server-rendered HTML, and its Atom and RSS feeds. No script at all:
 * the page works without JavaScript, loads in one request, and its Content-Security-Policy allows
 * nothing but its own inline style (by hash) and posting its forms to itself.
 */

const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff;line-height:1.5}
body{margin:0}
.wrap{max-width:52rem;margin:0 auto;padding:1rem 1.25rem 3rem}
header.top{border-bottom:1px solid #d0d7de;margin-bottom:1.5rem}
h1{font-size:1.6rem;margin:.75rem 0}
h2{font-size:1.2rem;margin:2rem 0 .75rem}
h3{font-size:1.05rem;margin:0 0 .25rem}
a{color:#0550ae}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.overall{border-radius:6px;padding:1rem 1.25rem;font-size:1.2rem;font-weight:600;color:#fff}
.s-operational{--c:#1a7f37}.s-degraded_performance{--c:#9a6700}.s-partial_outage{--c:#bc4c00}.s-major_outage{--c:#cf222e}.s-under_maintenance{--c:#0969da}
.overall{background:var(--c)}
.component{border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem;margin-bottom:.75rem}
.component-head{display:flex;justify-content:space-between;align-items:baseline;gap:1rem;flex-wrap:wrap}
.component-head h3,.component-head p{margin:0}
.state{font-weight:600;color:var(--c)}
.desc{color:#57606a;margin:0}
.bars{display:flex;gap:1px;list-style:none;padding:0;margin:.5rem 0 .25rem;height:2rem}
.bars li{flex:1;background:var(--c);border-radius:1px;min-width:2px}
.legend{display:flex;justify-content:space-between;color:#57606a;font-size:.85rem}
.incident{border-left:4px solid var(--c);padding:.25rem 0 .25rem 1rem;margin-bottom:1.25rem}
.update{margin:.5rem 0}
.update p{margin:.1rem 0}
.muted{color:#57606a}
form{display:flex;gap:.5rem;flex-wrap:wrap;align-items:end;margin:.5rem 0}
label{display:block;font-weight:600}
input{font:inherit;padding:.4rem .5rem;border:1px solid #57606a;border-radius:4px;min-width:16rem}
button{font:inherit;padding:.45rem .9rem;border-radius:4px;border:1px solid #0550ae;background:#0550ae;color:#fff;cursor:pointer}
:focus-visible{outline:3px solid #0969da;outline-offset:2px}
footer{margin-top:3rem;border-top:1px solid #d0d7de;padding-top:1rem;color:#57606a;font-size:.9rem}
.notice{border:1px solid #d0d7de;border-radius:6px;padding:1rem;background:#f6f8fa}
.error{border-color:#cf222e;color:#a40e26}
`;

const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

export const STATUS_HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache',
  'content-security-policy': `default-src 'none'; style-src '${STYLE_HASH}'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const when = (t: number) => DateTime.fromMillis(t, { zone: 'utc' }).toFormat("d LLL yyyy, HH:mm 'UTC'");
const timeTag = (t: number) => `<time datetime="${new Date(t).toISOString()}">${esc(when(t))}</time>`;

function layout(title: string, body: string, pageTitle = title): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(pageTitle)}</title><style>${STYLE}</style>
<link rel="alternate" type="application/atom+xml" title="${esc(title)} (Atom)" href="/status/feed.atom">
<link rel="alternate" type="application/rss+xml" title="${esc(title)} (RSS)" href="/status/feed.rss">
</head><body><a class="skip" href="#main">Skip to content</a><div class="wrap">
<header class="top"><p><a href="/status">${esc(title)}</a></p></header>
<main id="main">${body}</main>
<footer><p>Subscribe to the <a href="/status/feed.atom">Atom feed</a> or the <a href="/status/feed.rss">RSS feed</a>. Times are UTC.</p></footer>
</div></body></html>`;
}

export function renderNotSetUp(): string {
  return layout('Status', '<h1>Status</h1><p class="notice">This status page is not set up yet.</p>');
}

/** A short page for the subscription flow: confirm, unsubscribe, "check your inbox", errors. */
export function renderMessage(title: string, heading: string, text: string, form?: { action: string; button: string }, error = false): string {
  const f = form ? `<form method="post" action="${esc(form.action)}"><button type="submit">${esc(form.button)}</button></form>` : '';
  return layout(title, `<h1>${esc(heading)}</h1><p class="notice${error ? ' error' : ''}" ${error ? 'role="alert"' : ''}>${esc(text)}</p>${f}<p><a href="/status">Back to the status page</a></p>`, `${heading} · ${title}`);
}

export function renderStatusPage(v: StatusPageView): string {
  const parts: string[] = [];
  parts.push(`<h1>${esc(v.title)}</h1>`);
  parts.push(`<section aria-labelledby="overall-h"><h2 id="overall-h" class="vh">Overall status</h2><p class="overall s-${v.overall.status}">${esc(v.overall.text)}</p><p class="muted">As of ${timeTag(v.now)}</p></section>`);

  if (v.active_incidents.length) {
    parts.push(`<section aria-labelledby="active-h"><h2 id="active-h">Active incidents</h2>${v.active_incidents.map((i) => incidentHtml(i, 'major_outage')).join('')}</section>`);
  }

  const groups = new Map<string, typeof v.components>();
  for (const c of v.components) groups.set(c.group ?? '', [...(groups.get(c.group ?? '') ?? []), c]);
  const componentHtml = (c: (typeof v.components)[number]) => {
    const operationalDays = c.history.filter((h) => h.status === 'operational').length;
    const bars = c.history.map((h) => `<li class="s-${h.status}" title="${esc(`${h.day}: ${h.status_text}`)}"><span class="vh">${esc(`${h.day}: ${h.status_text}`)}</span></li>`).join('');
    return `<article class="component s-${c.status}" aria-labelledby="c-${slug(c.name)}">
<div class="component-head"><h3 id="c-${slug(c.name)}">${esc(c.name)}</h3><p class="state">${esc(c.status_text)}</p></div>
${c.description ? `<p class="desc">${esc(c.description)}</p>` : ''}
<p class="vh">${esc(`${c.name}: operational on ${operationalDays} of the last ${HISTORY_DAYS} days.`)}</p>
<ol class="bars" aria-label="${esc(`${c.name}, worst status per day, last ${HISTORY_DAYS} days`)}">${bars}</ol>
<div class="legend" aria-hidden="true"><span>${HISTORY_DAYS} days ago</span><span>${operationalDays} of ${HISTORY_DAYS} days operational</span><span>Today</span></div>
</article>`;
  };
  const comps = [...groups]
    .map(([g, list]) => (g ? `<section aria-labelledby="g-${slug(g)}"><h3 id="g-${slug(g)}" class="group">${esc(g)}</h3>${list.map(componentHtml).join('')}</section>` : list.map(componentHtml).join('')))
    .join('');
  parts.push(`<section aria-labelledby="components-h"><h2 id="components-h">Components</h2>${v.components.length ? comps : '<p class="muted">No components are listed.</p>'}</section>`);

  parts.push(
    `<section aria-labelledby="maintenance-h"><h2 id="maintenance-h">Scheduled maintenance</h2>${
      v.maintenance.length
        ? `<ul>${v.maintenance.map((m) => `<li><strong>${esc(m.name)}</strong>${m.in_progress ? ' (in progress)' : ''}: ${timeTag(m.starts_at)} to ${timeTag(m.ends_at)}${m.components.length ? `. Affects ${esc(m.components.join(', '))}.` : ''}</li>`).join('')}</ul>`
        : '<p class="muted">No maintenance is scheduled.</p>'
    }</section>`,
  );

  parts.push(
    `<section aria-labelledby="past-h"><h2 id="past-h">Past incidents</h2>${
      v.past_incidents.length ? v.past_incidents.map((i) => incidentHtml(i, 'operational')).join('') : `<p class="muted">No incidents in the last ${PAST_DAYS} days.</p>`
    }</section>`,
  );

  parts.push(`<section aria-labelledby="subscribe-h"><h2 id="subscribe-h">Get updates</h2>
<form method="post" action="/status/subscribe"><div><label for="sub-email">Email address</label><input id="sub-email" name="email" type="email" autocomplete="email" required></div><button type="submit">Subscribe by email</button></form>
<form method="post" action="/status/subscribe"><div><label for="sub-webhook">Webhook URL</label><input id="sub-webhook" name="webhook" type="url" required></div><button type="submit">Subscribe a webhook</button></form>
<p class="muted">We send a confirmation first; nothing else arrives until you confirm. Every message has an unsubscribe link.</p></section>`);
  return layout(v.title, parts.join('\n'));
}

function incidentHtml(i: StatusPageView['active_incidents'][number], tone: string): string {
  const cls = i.status === 'resolved' ? 'operational' : tone;
  return `<article class="incident s-${cls}" aria-labelledby="i-${i.id}"><h3 id="i-${i.id}">${esc(i.title)}</h3>
<p class="muted">${esc(i.status_text)}${i.components.length ? ` · ${esc(i.components.join(', '))}` : ''}</p>
${i.updates.map((u) => `<div class="update" id="update-${u.id}"><p><strong>${esc(u.status_text)}</strong> — ${esc(u.message)}</p><p class="muted">${timeTag(u.at)}</p></div>`).join('')}</article>`;
}

const slug = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 10);

/** Public updates, newest first, as entries of both feeds. */
export interface FeedEntry {
  id: number;
  incidentId: number;
  title: string;
  message: string;
  at: number;
}

export function renderAtom(v: { title: string; url: string; now: number }, entries: FeedEntry[]): string {
  const updated = new Date(entries[0]?.at ?? v.now).toISOString();
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>${esc(v.title)}</title>
<id>${esc(v.url)}</id>
<link rel="alternate" type="text/html" href="${esc(v.url)}"/>
<link rel="self" type="application/atom+xml" href="${esc(`${v.url}/feed.atom`)}"/>
<updated>${updated}</updated>
<author><name>${esc(v.title)}</name></author>
${entries
  .map(
    (e) => `<entry>
<id>${esc(`${v.url}#update-${e.id}`)}</id>
<title>${esc(e.title)}</title>
<link rel="alternate" type="text/html" href="${esc(`${v.url}#update-${e.id}`)}"/>
<updated>${new Date(e.at).toISOString()}</updated>
<content type="text">${esc(e.message)}</content>
</entry>`,
  )
  .join('\n')}
</feed>
`;
}

export function renderRss(v: { title: string; url: string; now: number }, entries: FeedEntry[]): string {
  const date = (t: number) => DateTime.fromMillis(t, { zone: 'utc' }).toRFC2822();
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>${esc(v.title)}</title>
<link>${esc(v.url)}</link>
<description>${esc(`Incident updates from ${v.title}`)}</description>
<lastBuildDate>${date(entries[0]?.at ?? v.now)}</lastBuildDate>
${entries
  .map(
    (e) => `<item>
<title>${esc(e.title)}</title>
<link>${esc(`${v.url}#update-${e.id}`)}</link>
<guid isPermaLink="false">${esc(`${v.url}#update-${e.id}`)}</guid>
<pubDate>${date(e.at)}</pubDate>
<description>${esc(e.message)}</description>
</item>`,
  )
  .join('\n')}
</channel>
</rss>
`;
}
