/**
 * The floor: the least work any gateway could do here. node:http in, one undici keep-alive pool
 * out, JSON.parse, a hand-written mapping, JSON.stringify. No GraphQL library, no validation of
 * the document: it only reads variables.perPage. Env: PORT, UPSTREAM_URL.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { Pool } from 'undici';
import { TOKEN, toResponse, upstreamPath, type WirePage } from './shape.ts';

const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error('UPSTREAM_URL is required');
const pool = new Pool(upstream, { connections: 64 });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const server = createServer((req, res) => {
  void (async () => {
    try {
      const { variables } = JSON.parse(await readBody(req)) as { variables?: { perPage?: number } };
      const perPage = variables?.perPage ?? 10;
      const token = req.headers['x-auth-token'];
      const up = await pool.request({
        method: 'GET',
        path: upstreamPath(perPage),
        headers: { 'x-auth-token': typeof token === 'string' ? token : TOKEN, accept: 'application/json' },
      });
      const text = await up.body.text();
      if (up.statusCode !== 200) throw new Error(`upstream answered ${up.statusCode}`);
      const body = JSON.stringify(toResponse(JSON.parse(text) as WirePage, 1, perPage));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch (err) {
      const body = JSON.stringify({ errors: [{ message: String(err) }] });
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(body);
    }
  })();
});
server.keepAliveTimeout = 120_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
