// Worker thread for bench/deliveries.js: a real SMTP server (smtp-server), a webhook receiver and a
// stand-in for the Slack Web API (chat.postMessage) and Twilio's REST API (Messages.json), both
// answering as those services do, on loopback and on their own event loop so the load sender
// cannot delay the arrival timestamps. Unlike page-receivers.js, a message may carry many alerts (a bundle): every bench key
// in a message body counts as that alert's arrival, and messages are counted apart from alerts.

import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';

const KEY = new RegExp(workerData.keyPattern, 'g');
const now = () => performance.timeOrigin + performance.now();

/** bench key -> first arrival (epoch ms), any channel */
const first = new Map();
const CHANNELS = ['email', 'webhook', 'slack', 'sms'];
const messages = Object.fromEntries(CHANNELS.map((c) => [c, 0]));
const bundles = Object.fromEntries(CHANNELS.map((c) => [c, 0]));
const problems = [];

/** A bundle says so: the mail's X-Watchkeeper-Bundle header, the webhook payload's non-null `bundle`. */
const BUNDLE = { email: /^X-Watchkeeper-Bundle: \d+/m, webhook: /"bundle":\{/, slack: /\d+ new alerts on /, sms: /\d+ new alerts on / };

function record(channel, text) {
  const at = now();
  messages[channel]++;
  let n = 0;
  for (const m of text.matchAll(KEY)) {
    n++;
    if (!first.has(m[0])) first.set(m[0], at);
  }
  if (BUNDLE[channel].test(text)) bundles[channel]++;
  if (n === 0 && problems.length < 5) problems.push(`${channel}: no bench key in ${text.slice(0, 160).replace(/\s+/g, ' ')}`);
}

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  maxClients: 1000,
  onData(stream, _session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      record('email', Buffer.concat(chunks).toString('utf8').replace(/=\r?\n/g, ''));
      callback();
    });
  },
});
smtp.on('error', (err) => problems.length < 5 && problems.push(`smtp: ${err.message}`));

const hook = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    record('webhook', Buffer.concat(chunks).toString('utf8'));
    res.writeHead(204).end();
  });
});

/** Slack's chat.postMessage and Twilio's Messages.json, answered as the services answer them. */
let seq = 0;
const providers = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const json = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url?.startsWith('/api/')) {
      // @slack/web-api posts form-encoded fields; blocks travel as JSON text inside them.
      if (req.url.startsWith('/api/chat.postMessage')) {
        const fields = raw.startsWith('{') ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
        record('slack', `${fields.text ?? ''} ${typeof fields.blocks === 'string' ? fields.blocks : JSON.stringify(fields.blocks ?? '')}`);
        return json(200, { ok: true, channel: `D${String(fields.channel ?? '').slice(1)}`, ts: `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}` });
      }
      return json(200, { ok: true, user_id: 'UBENCHBOT', team: 'bench', url: 'https://bench.slack.test/' });
    }
    if (/\/Messages\.json$/.test(req.url ?? '')) {
      const fields = Object.fromEntries(new URLSearchParams(raw));
      record('sms', fields.Body ?? '');
      return json(201, { sid: `SM${String(++seq).padStart(32, '0')}`, status: 'queued', to: fields.To, from: fields.From });
    }
    json(404, { code: 20404, message: 'not found', status: 404 });
  });
});

const listen = (server, start) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    start(() => resolve());
  });
await listen(smtp.server, (cb) => smtp.listen(0, '127.0.0.1', cb));
await listen(hook, (cb) => hook.listen(0, '127.0.0.1', cb));
await listen(providers, (cb) => providers.listen(0, '127.0.0.1', cb));

parentPort.on('message', (msg) => {
  if (msg === 'counts') {
    parentPort.postMessage({ type: 'counts', keys: first.size, ...messages, total: CHANNELS.reduce((n, c) => n + messages[c], 0) });
  } else if (msg === 'collect') {
    parentPort.postMessage({ type: 'collected', first: [...first], messages, bundles, problems });
  } else if (msg === 'reset') {
    first.clear();
    for (const ch of CHANNELS) {
      messages[ch] = 0;
      bundles[ch] = 0;
    }
    problems.length = 0;
    parentPort.postMessage({ type: 'reset' });
  } else if (msg === 'close') {
    hook.closeAllConnections();
    hook.close();
    providers.closeAllConnections();
    providers.close();
    smtp.close(() => parentPort.postMessage({ type: 'closed' }));
  }
});

parentPort.postMessage({ type: 'ready', smtpPort: smtp.server.address().port, webhookPort: hook.address().port, providersPort: providers.address().port });
