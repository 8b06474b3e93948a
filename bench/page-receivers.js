// Worker thread for bench/page-latency.js: a real SMTP server (smtp-server, as in
// test/helpers/smtp.ts) and a webhook receiver (node:http), both on loopback. They run on their own
// event loop so that the load sender in the main thread cannot delay the arrival timestamps.
//
// Each page is mapped to its alert by the bench's dedup key, which the alert summary carries:
// the webhook payload has alert.dedup_key; the email subject and body have the summary.

import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';

const { secret, keyPattern } = workerData;
const KEY = new RegExp(keyPattern);
const now = () => performance.timeOrigin + performance.now();

/** channel -> Map(dedup key -> { at: first arrival (epoch ms), n: copies }) */
const arrivals = { email: new Map(), webhook: new Map() };
const problems = { email: [], webhook: [] };
const unmatched = { email: 0, webhook: 0 };

/** Only pages of the current phase (warm-up or measured run) count; late ones of the last are dropped. */
let phase = '';

function record(channel, key, at) {
  if (!key.startsWith(phase)) return;
  const m = arrivals[channel];
  const seen = m.get(key);
  if (seen) seen.n++;
  else m.set(key, { at, n: 1 });
}

function problem(channel, text) {
  if (problems[channel].length < 5) problems[channel].push(text);
}

// --- SMTP --------------------------------------------------------------------------------------

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  // A paging burst opens a pool of connections; do not let the capture server be what limits it.
  maxClients: 1000,
  onData(stream, _session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const at = now();
      // Quoted-printable soft line breaks could split the key in the body; the subject comes first.
      const raw = Buffer.concat(chunks).toString('utf8').replace(/=\r?\n/g, '');
      const m = KEY.exec(raw);
      if (m) record('email', m[0], at);
      else {
        unmatched.email++;
        problem('email', `no bench key in message: ${raw.slice(0, 200).replace(/\s+/g, ' ')}`);
      }
      callback();
    });
  },
});
smtp.on('error', (err) => problem('email', `smtp server error: ${err.message}`));

// --- Webhook -------------------------------------------------------------------------------------

const hook = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = now();
    const body = Buffer.concat(chunks).toString('utf8');
    const ts = req.headers['x-watchkeeper-timestamp'];
    const sig = String(req.headers['x-watchkeeper-signature'] ?? '');
    const want = `v1=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;
    if (sig.length !== want.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(want))) {
      problem('webhook', `bad signature on page ${req.headers['x-watchkeeper-page-id']}`);
      res.writeHead(401).end();
      return;
    }
    let key = null;
    try {
      key = JSON.parse(body).alert?.dedup_key ?? null;
    } catch {
      problem('webhook', `body is not JSON: ${body.slice(0, 100)}`);
    }
    if (key && KEY.test(key)) record('webhook', key, at);
    else unmatched.webhook++;
    res.writeHead(204).end();
  });
});

function listen(server, start) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    start(() => resolve());
  });
}

await listen(smtp.server, (cb) => smtp.listen(0, '127.0.0.1', cb));
await listen(hook, (cb) => hook.listen(0, '127.0.0.1', cb));

parentPort.on('message', (msg) => {
  if (msg === 'counts') {
    parentPort.postMessage({ type: 'counts', email: arrivals.email.size, webhook: arrivals.webhook.size });
  } else if (msg === 'collect') {
    const out = {};
    for (const ch of ['email', 'webhook']) out[ch] = [...arrivals[ch]].map(([k, v]) => [k, v.at, v.n]);
    parentPort.postMessage({ type: 'collected', arrivals: out, problems, unmatched });
  } else if (msg.type === 'phase') {
    phase = msg.prefix;
    for (const ch of ['email', 'webhook']) {
      arrivals[ch].clear();
      problems[ch].length = 0;
      unmatched[ch] = 0;
    }
    parentPort.postMessage({ type: 'phase' });
  } else if (msg === 'close') {
    hook.closeAllConnections();
    hook.close();
    smtp.close(() => parentPort.postMessage({ type: 'closed' }));
  }
});

parentPort.postMessage({ type: 'ready', smtpPort: smtp.server.address().port, webhookPort: hook.address().port });
