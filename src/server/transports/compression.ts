/**
 * Compressed answers for clients that accept them (RFC 9110 §12.5.3 Accept-Encoding): a whole
 * body at or above a size threshold goes out as br or gzip, with `Vary: Accept-Encoding` on
 * every answer that could have been compressed, so a cache never hands a compressed copy to a
 * client that did not ask for one. Used by the fast path (fast-path.ts), yoga (useCompression),
 * GraphiQL (graphiql.ts, pre-compressed) and /metrics; COMPRESSION=off turns all of it off.
 *
 * Streams are never compressed: text/event-stream and multipart answers are written event by
 * event, and a compressor would hold each event back until its buffer fills (or need a flush
 * per event, which costs most of the saving), while proxies that see a compressed stream may
 * buffer it whole.
 */
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import { brotliCompressSync, constants, gzipSync, type BrotliOptions, type ZlibOptions } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';
import { CACHE_CONTROL, CREDENTIAL_VARY, entityTag, matchesIfNoneMatch } from '../http/etag.ts';

export type Encoding = 'br' | 'gzip';
type Header = OutgoingHttpHeader | null | undefined;

export interface CompressionOptions {
  /**
   * The codings offered, preferred first when the client weighs them alike; empty: compression
   * off. Default br, gzip (COMPRESSION).
   */
  encodings: readonly Encoding[];
  /** Bodies smaller than this go out as they are. Default 4096 (COMPRESSION_MIN_BYTES). */
  minBytes: number;
}

// br first: cheaper than gzip at both of the bench's sizes, and no larger. 4096: compressing
// costs about 0.1 ms however small the answer (a third of a perPage-10 request), and an answer
// under 4 KB fits TCP's first round trip compressed or not.
export const DEFAULT_COMPRESSION: CompressionOptions = { encodings: ['br', 'gzip'], minBytes: 4096 };

// Levels for answers built per request, from the bench (docs/performance.md "Compression"): brotli 1 and
// gzip 3 take the 253 KB perPage-1000 answer to 46-47 KB; brotli 4 and gzip 6 save another 4 KB
// for about three times the CPU. Synchronous: through the thread pool a small answer cost 0.1 ms
// more (the hand-off), and a CPU quota counts every thread alike.
const BROTLI: BrotliOptions = { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } };
const GZIP: ZlibOptions = { level: 3 };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The weights an Accept-Encoding header gives each coding (lower case, x-gzip read as gzip), or
 * undefined when it is malformed: then nothing but identity is sent, the one coding every client
 * reads.
 */
export function parseAcceptEncoding(header: string): Map<string, number> | undefined {
  const weights = new Map<string, number>();
  for (const element of header.split(',')) {
    const [coding = '', ...params] = element.split(';').map((part) => part.trim());
    // Empty list elements are allowed (RFC 9110 §5.6.1): "gzip,,br".
    if (coding === '' && params.length === 0) continue;
    if (!TOKEN.test(coding) || params.length > 1) return undefined;
    let q = 1;
    if (params.length === 1) {
      const [name, value = ''] = (params[0] as string).split('=', 2);
      if (name?.toLowerCase() !== 'q' || !QVALUE.test(value)) return undefined;
      q = Number(value);
    }
    const key = coding.toLowerCase() === 'x-gzip' ? 'gzip' : coding.toLowerCase();
    // A coding listed twice: its first weight counts.
    if (!weights.has(key)) weights.set(key, q);
  }
  return weights;
}

/**
 * The coding to send for this Accept-Encoding among those offered (in preference order), or
 * undefined for identity: no header, an empty or malformed one, every offered coding refused
 * (q=0, or absent without `*`), or identity weighed above them. Identity is also what goes out
 * when the client refuses it too: a 406 would help nobody.
 */
export function negotiate(header: string | undefined, offered: readonly Encoding[]): Encoding | undefined {
  if (header === undefined || offered.length === 0) return undefined;
  const weights = parseAcceptEncoding(header);
  if (weights === undefined) return undefined;
  const any = weights.get('*');
  let best: Encoding | undefined;
  let bestQ = 0;
  for (const coding of offered) {
    const q = weights.get(coding) ?? any ?? 0;
    if (q > bestQ) [best, bestQ] = [coding, q];
  }
  const identity = weights.get('identity');
  return identity !== undefined && identity > bestQ ? undefined : best;
}

/** A Vary value holding every field of `values` once (case-insensitively), in order. */
export function mergeVary(...values: Header[]): string {
  // The usual case, on every answer of the fast path: nothing set before.
  if (values.length === 3 && values[0] === undefined && values[1] === undefined && values[2] === 'Accept-Encoding') return 'Accept-Encoding';
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    if (value === undefined || value === null) continue;
    for (const field of (Array.isArray(value) ? value.join(',') : String(value)).split(',')) {
      const name = field.trim();
      if (name !== '' && !seen.has(name.toLowerCase())) {
        seen.add(name.toLowerCase());
        fields.push(name);
      }
    }
  }
  return seen.has('*') ? '*' : fields.join(', ');
}

/** JSON and text answers; not event streams (see above) and not multipart. */
export function isCompressible(contentType: Header): boolean {
  // The gateway writes a handful of types: each is judged once.
  const key = String(contentType ?? '');
  let known = compressible.get(key);
  if (known === undefined) {
    const type = key.toLowerCase();
    known = /^(?:application\/(?:[\w.+-]*\+)?json|text\/)/.test(type) && !type.startsWith('text/event-stream');
    if (compressible.size < 64) compressible.set(key, known);
  }
  return known;
}
const compressible = new Map<string, boolean>();

/**
 * An event stream's Cache-Control (DESIGN.md "Edges"): no-transform, so that no proxy compresses
 * it or holds it back. Both SSE writers send it: the fast path's (sse-stream.ts) and yoga's,
 * through useCompression below.
 */
export const EVENT_STREAM_CACHE_CONTROL = 'no-cache, no-transform';

export interface Compressor {
  /**
   * Writes a whole answer: compressed when it is compressible, at least minBytes long, not
   * already encoded and the client accepts a coding offered; Content-Length is the length sent,
   * and Vary gains Accept-Encoding (merged with any Vary already set on `res`, CORS's Origin).
   * HEAD gets the same headers and no body.
   */
  send(req: IncomingMessage, res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: string | Buffer): void;
}

interface Encoded {
  body: string | Buffer;
  /** Of the body as sent. */
  length: number;
  encoding: Encoding | undefined;
  /** Undefined when compression is off or the answer is not compressible: it then varies on nothing new. */
  vary: string | undefined;
}

/** The coding a compressible answer of `length` bytes goes out in, or undefined for identity. */
function codingFor(options: CompressionOptions, acceptEncoding: string | undefined, length: number): Encoding | undefined {
  // The size first: most answers are small, and then the header is not even read.
  return length > 0 && length >= options.minBytes ? negotiate(acceptEncoding, options.encodings) : undefined;
}

const compress = (body: string | Buffer, encoding: Encoding): Buffer =>
  encoding === 'br' ? brotliCompressSync(body, BROTLI) : gzipSync(body, GZIP);

/** The bytes to send for an answer not yet encoded, and what its headers must say of them. */
function encode(
  options: CompressionOptions, acceptEncoding: string | undefined, type: Header, vary: Header[], body: string | Buffer,
): Encoded {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (options.encodings.length === 0 || !isCompressible(type)) {
    return { body, length, encoding: undefined, vary: undefined };
  }
  const varies = mergeVary(...vary, 'Accept-Encoding');
  const encoding = codingFor(options, acceptEncoding, length);
  if (encoding === undefined) return { body, length, encoding, vary: varies };
  const compressed = compress(body, encoding);
  return { body: compressed, length: compressed.length, encoding, vary: varies };
}

export function createCompressor(options: CompressionOptions = DEFAULT_COMPRESSION): Compressor {
  return {
    send(req, res, status, given, body) {
      // Names in lower case, so that ours replace the caller's (yoga's are capitalized).
      const headers: OutgoingHttpHeaders = {};
      for (const name of Object.keys(given)) headers[name.toLowerCase()] = given[name];
      // An answer already encoded goes as it is.
      const type = headers['content-encoding'] === undefined ? headers['content-type'] : undefined;
      const out = encode(options, req.headers['accept-encoding'], type, [res.getHeader('vary'), headers.vary], body);
      headers['content-length'] = out.length;
      if (out.vary !== undefined) headers.vary = out.vary;
      if (out.encoding !== undefined) headers['content-encoding'] = out.encoding;
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : out.body);
    },
  };
}

/**
 * The same for the answers yoga writes to node's response itself (gateway.ts hands it GET
 * requests and everything the fast path does not take). It acts only where whatwg-node's server
 * context carries that response (`res`): an answer yoga returns as a Response to the fast path
 * is compressed there, by send(). Most error answers are below the threshold and go out whole.
 *
 * A GET answer that is a plain success also gets its entity tag here (http/etag.ts), where both
 * its identity bytes and its coding are known, and becomes a 304 when the client holds that tag:
 * the query has run all the same, only the bytes are saved. Registered even with compression
 * off, for the tags.
 */
export function useCompression(options: CompressionOptions): Plugin {
  const on = options.encodings.length > 0;
  // The requests whose result may be tagged, as the result is known before its bytes are.
  const taggable = new WeakSet<Request>();
  return {
    onResultProcess({ request, result }) {
      // A single result without `errors`: not a batch, not a stream (an async iterable), and
      // no error, partial or whole, whose cause may be gone on the next try.
      if ((request.method === 'GET' || request.method === 'HEAD') && !Array.isArray(result) && !(Symbol.asyncIterator in result)
        && (result as { errors?: unknown }).errors === undefined) {
        taggable.add(request);
      }
    },
    onResponse({ request, response, serverContext, setResponse, fetchAPI }) {
      // yoga's SSE answers, written here or relayed by the fast path: never encoded, so without
      // the Content-Encoding `none` yoga gives them, which names no coding.
      if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
        response.headers.delete('content-encoding');
        response.headers.set('cache-control', EVENT_STREAM_CACHE_CONTROL);
        return;
      }
      const res = (serverContext as { res?: unknown }).res;
      if (!(res instanceof ServerResponse)) return;
      const type = response.headers.get('content-type');
      // A result over SSE is a stream of one event, and the error statuses have no tag either.
      if (taggable.has(request) && response.status === 200 && GRAPHQL_JSON.test(type ?? '') && !response.headers.has('content-encoding')) {
        return response.arrayBuffer().then((buffer) => setResponse(tagged(options, request, response, res, Buffer.from(buffer), fetchAPI)));
      }
      if (!on || !isCompressible(type)) return;
      if (response.headers.has('content-encoding')) return;
      const vary = [res.getHeader('vary'), response.headers.get('vary')];
      const accept = request.headers.get('accept-encoding') ?? undefined;
      // Not read when it will go whole anyway: yoga declares the length of what it wrote.
      const declared = Number(response.headers.get('content-length') ?? NaN);
      const small = Number.isInteger(declared) && declared < Math.max(1, options.minBytes);
      if (small || negotiate(accept, options.encodings) === undefined) {
        response.headers.set('vary', mergeVary(...vary, 'Accept-Encoding'));
        return;
      }
      return response.arrayBuffer().then((buffer) => {
        const body = Buffer.from(buffer);
        const out = encode(options, accept, type, vary, body);
        const headers = new fetchAPI.Headers(response.headers);
        headers.set('content-length', String(out.length));
        if (out.vary !== undefined) headers.set('vary', out.vary);
        if (out.encoding !== undefined) headers.set('content-encoding', out.encoding);
        setResponse(new fetchAPI.Response(out.body as string | Buffer<ArrayBuffer>, { status: response.status, statusText: response.statusText, headers }));
      });
    },
  };
}

/**
 * A GET success as it goes out: 304 when If-None-Match holds its tag, else the body in the coding
 * negotiated; either way with the tag, Cache-Control and a Vary naming the credential.
 */
function tagged(
  options: CompressionOptions, request: Request, response: Response, res: ServerResponse, identity: Buffer, fetchAPI: { Response: typeof Response },
): Response {
  const on = options.encodings.length > 0;
  const encoding = on ? codingFor(options, request.headers.get('accept-encoding') ?? undefined, identity.length) : undefined;
  const tag = entityTag(identity, encoding);
  // A record rather than a copy of yoga's Headers: whatwg-node's keep a capitalized
  // Content-Type through delete().
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!BODY_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  });
  headers['etag'] = tag;
  headers['cache-control'] = CACHE_CONTROL;
  headers['vary'] = mergeVary(res.getHeader('vary'), response.headers.get('vary'), on ? 'Accept-Encoding' : undefined, CREDENTIAL_VARY);
  // RFC 9110 §15.4.5: a 304 carries the validators and Vary a 200 would, and none of the
  // headers that describe a body. Nothing is compressed for it.
  if (matchesIfNoneMatch(request.headers.get('if-none-match'), tag)) {
    return new fetchAPI.Response(null, { status: 304, statusText: 'Not Modified', headers });
  }
  const sent = encoding === undefined ? identity : compress(identity, encoding);
  headers['content-type'] = response.headers.get('content-type')!;
  headers['content-length'] = String(sent.length);
  if (encoding !== undefined) headers['content-encoding'] = encoding;
  return new fetchAPI.Response(sent as Buffer<ArrayBuffer>, { status: 200, statusText: response.statusText, headers });
}

// The media types of a single GraphQL result (yoga's regular result processor).
const GRAPHQL_JSON = /^application\/(?:graphql-response\+)?json(?:;|$)/i;
const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding']);
