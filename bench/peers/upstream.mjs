// The upstream every contender forwards to: the "physical limit" service. Copied from
// shared/bench/peers/upstream.mjs, with the address taken from the environment.
import http from 'node:http';
const port = Number(process.env.PORT ?? 9000);
const body = JSON.stringify({ id: 1, name: 'employee', ok: true });
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(port, '127.0.0.1');
