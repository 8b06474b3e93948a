// Worker thread for bench/deliveries.js: a real SMTP server (smtp-server) and a webhook receiver
// (node:http) on loopback, on their own event loop so the load sender cannot delay the arrival
// timestamps. Unlike page-receivers.js, a message may carry many alerts (a bundle): every bench key
// in a message body counts as that alert's arrival, and messages are counted apart from alerts.

import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';

const KEY = new RegExp(workerData.keyPattern, 'g');
const now = () => performance.timeOrigin + performance.now();

/** bench key -> first arrival (epoch ms), any channel */
const first = new Map();
const messages = { email: 0, webhook: 0 };
const bundles = { email: 0, webhook: 0 };
const problems = [];

/** A bundle says so: the mail's X-Watchkeeper-Bundle header, the webhook payload's non-null `bundle`. */
const BUNDLE = { email: /^X-Watchkeeper-Bundle: \d+/m, webhook: /"bundle":\{/ };

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

const listen = (server, start) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    start(() => resolve());
  });
await listen(smtp.server, (cb) => smtp.listen(0, '127.0.0.1', cb));
await listen(hook, (cb) => hook.listen(0, '127.0.0.1', cb));

parentPort.on('message', (msg) => {
  if (msg === 'counts') {
    parentPort.postMessage({ type: 'counts', keys: first.size, email: messages.email, webhook: messages.webhook });
  } else if (msg === 'collect') {
    parentPort.postMessage({ type: 'collected', first: [...first], messages, bundles, problems });
  } else if (msg === 'reset') {
    first.clear();
    for (const ch of ['email', 'webhook']) {
      messages[ch] = 0;
      bundles[ch] = 0;
    }
    problems.length = 0;
    parentPort.postMessage({ type: 'reset' });
  } else if (msg === 'close') {
    hook.closeAllConnections();
    hook.close();
    smtp.close(() => parentPort.postMessage({ type: 'closed' }));
  }
});

parentPort.postMessage({ type: 'ready', smtpPort: smtp.server.address().port, webhookPort: hook.address().port });
