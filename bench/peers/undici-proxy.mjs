// Peer: the leanest Node proxy we can write, node:http server + undici Pool, one process.
// Copied from shared/bench/peers/undici-proxy.mjs, with the addresses taken from the environment.
import http from 'node:http';
import { Pool } from 'undici';
const port = Number(process.env.PORT ?? 9104);
const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:9000';
const pool = new Pool(upstream, { connections: 64, pipelining: 1 });
http.createServer(async (req, res) => {
  try {
    const r = await pool.request({ path: req.url, method: req.method, headers: req.headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req });
    res.writeHead(r.statusCode, r.headers);
    for await (const chunk of r.body) res.write(chunk);
    res.end();
  } catch (e) { res.statusCode = 502; res.end(); }
}).listen(port, '127.0.0.1');
