// The machine's ceiling for bench/ingest.js: a bare node:http server that reads each request body,
// parses it as JSON and answers PagerDuty's 202, with no validation, no store and no framework.
// Nothing Watchkeeper does per event can be faster than this on the same machine and load.
//
//   node bench/bare-json-server.js PORT

import http from 'node:http';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node bench/bare-json-server.js PORT');
  process.exit(2);
}

http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let event;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"status":"invalid event"}');
        return;
      }
      res
        .writeHead(202, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key }));
    });
  })
  .listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
