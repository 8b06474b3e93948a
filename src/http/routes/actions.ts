import type { FastifyReply } from 'fastify';
import type { App } from '../../app.js';
import { describeActionLink, useActionLink } from '../../commands/action-links.js';
import { AppError } from '../../domain/errors.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('Referrer-Policy', 'no-referrer')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)} · Watchkeeper</title>` +
        `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1f2328}button{font-size:1.1rem;padding:.7rem 1.4rem;border:0;border-radius:6px;background:#1f6feb;color:#fff;cursor:pointer}.muted{color:#59636e}</style></head>` +
        `<body><h1>${esc(title)}</h1>${body}</body></html>`,
    );
}

/**
 * One-time links from pages (email). GET only shows what the link will do, because mail scanners
 * and link previews fetch GET links; the action happens on the button's POST.
 */
export function actionRoutes(app: App): void {
  const { ctx, http } = app;

  http.get('/a/:token', async (req, reply) => {
    const { token } = req.params as { token: string };
    try {
      const info = await describeActionLink(ctx, token);
      const verb = info.action === 'acknowledge' ? 'Acknowledge' : 'Resolve';
      if (info.usedAt !== null) return page(reply, 410, 'Link already used', `<p>This link was used at ${new Date(info.usedAt).toISOString()}. Alert #${info.alertId} is <b>${esc(info.status)}</b>.</p>`);
      if (info.expired) return page(reply, 410, 'Link expired', `<p>Open alert #${info.alertId} in Watchkeeper instead.</p>`);
      return page(
        reply,
        200,
        `${verb} alert #${info.alertId}?`,
        `<p><b>${esc(info.summary)}</b></p><p class="muted">Now ${esc(info.status)}. You act as ${esc(info.userName)}.</p>` +
          `<form method="post"><button type="submit">${verb}</button></form>`,
      );
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') return page(reply, 404, 'Unknown link', '<p>This link is not valid. Open the alert in Watchkeeper instead.</p>');
      throw err;
    }
  });

  http.post('/a/:token', async (req, reply) => {
    const { token } = req.params as { token: string };
    try {
      const r = await useActionLink(ctx, token);
      const done = r.action === 'acknowledge' ? 'acknowledged' : 'resolved';
      return page(reply, 200, `Alert #${r.alertId} ${done}`, r.changed ? `<p>Done. Escalation for this alert ${r.action === 'acknowledge' ? 'has stopped' : 'is over'}.</p>` : '<p>Nothing to do: the alert was already in that state.</p>');
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') return page(reply, 404, 'Unknown link', '<p>This link is not valid.</p>');
      if (err instanceof AppError && err.code === 'conflict') return page(reply, 410, 'Link no longer valid', `<p>${esc(err.message)}.</p>`);
      throw err;
    }
  });
}
