/**
 * The fast path for the one request a frontend sends all day: POST application/json with a
 * query document. It does what yoga does for it (parse with the same limits, validate, run
 * the compiled query, mask and log errors the same way) without yoga's per-request machinery
 * (Fetch API objects, plugin orchestration), which the profile showed to cost several times
 * the GraphQL work itself. Whatever it does not fully recognise (other media types, GET,
 * `extensions`, a document that does not parse or validate, variables that do not coerce)
 * it hands to yoga with the body it read, so every answer but the plain success of a known
 * query comes from yoga itself. A subscription asked for as text/event-stream is served here
 * too, as a stream (sse-stream.ts) with yoga's exact bytes: thousands of them stay open at once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSourceEventStream, getOperationAST, specifiedRules, validate, type DocumentNode, type GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Logger } from 'pino';
import type { GatewayContext } from '../context.ts';
import type { RequestTrace } from './telemetry.ts';
import { logExecutionErrors } from './use-error-log.ts';
import { createStreamWriter } from './sse-stream.ts';
import { operationName, publicError, traceErrors } from './use-request-trace.ts';
import type { SharedResults } from './use-shared-subscription-results.ts';
import type { LiveSource } from '../live/stream.ts';
import { parseWithLimits, type ParserLimits } from './use-parser-limits.ts';
import type { YogaServer } from './yoga.ts';

/** What Subscription.trainingJobs's subscribe gives: a source that can push (src/live/stream.ts). */
const isLiveSource = (source: unknown): source is LiveSource =>
  typeof source === 'object' && source !== null && typeof (source as { listen?: unknown }).listen === 'function';

export interface FastPathOptions {
  schema: GraphQLSchema;
  /** yoga, loaded on first use. */
  getYoga(): Promise<YogaServer>;
  log: Logger;
  /** `live`: the context must serve subscriptions (it then reads who the caller is). */
  createContext(req: IncomingMessage, trace: RequestTrace, signal: AbortSignal | undefined, live: boolean): GatewayContext;
  /** Subscription events executed once for all their subscribers. */
  shared: SharedResults;
  maskError(error: unknown, message: string): Error;
  /** Validation rules besides the spec's (operation-limits.ts), and the parser's limits. */
  limitRules: ValidationRule[];
  parserLimits: ParserLimits;
  /** Distinct documents kept compiled, default 1000. */
  maxDocuments?: number;
}

/** The media type of a subscription's stream. */
export const EVENT_STREAM = 'text/event-stream';

/**
 * The media type yoga would answer with for this Accept header, when the fast path can write it:
 * a JSON one, or the event stream when the client asks for that first (then only a
 * subscription is served here).
 */
export function fastMediaType(accept: string | undefined): string | undefined {
  if (accept === undefined) return 'application/json';
  // yoga takes the first listed type it can produce, ignoring q-values.
  const first = accept.split(',', 1)[0]?.split(';', 1)[0]?.trim().toLowerCase();
  if (first === '*/*' || first === 'application/*' || first === 'application/json') return 'application/json';
  return first === 'application/graphql-response+json' || first === EVENT_STREAM ? first : undefined;
}

export function createFastPath(options: FastPathOptions) {
  const { schema, getYoga, log, createContext, maskError, parserLimits, maxDocuments = 1000 } = options;
  const rules = [...specifiedRules, ...options.limitRules];
  // A compiled query, or a validated subscription, and the name of the operation it runs.
  type Entry = { compiled: CompiledQuery; name: string } | { subscription: DocumentNode; name: string };
  const documents = new Map<string, Entry | null>();
  const streamResults = createStreamWriter();

  function compile(query: string, name: string | undefined) {
    // "" and no name differ: "" names no operation, so yoga must refuse it.
    const key = `${name === undefined ? '*' : `=${name}`}\n${query}`;
    let entry = documents.get(key);
    if (entry !== undefined) return entry;
    entry = null;
    try {
      const document = parseWithLimits(query, parserLimits);
      const operation = getOperationAST(document, name)?.operation;
      if ((operation === 'query' || operation === 'subscription') && validate(schema, document, rules).length === 0) {
        const named = operationName(document, name) ?? '';
        if (operation === 'subscription') {
          entry = { subscription: document, name: named };
        } else {
          const compiled = compileQuery(schema, document, name);
          if (isCompiledQuery(compiled)) entry = { compiled, name: named };
        }
      }
    } catch {
      // a syntax error: yoga answers it
    }
    if (documents.size >= maxDocuments) documents.delete(documents.keys().next().value!);
    documents.set(key, entry);
    return entry;
  }

  async function viaYoga(req: IncomingMessage, res: ServerResponse, body: Buffer, trace: RequestTrace, signal: AbortSignal) {
    // yoga's own Fetch API (whatwg-node), as for requests it reads itself: Node's global Request
    // would decode some bodies differently (it drops a byte order mark, for one).
    const yoga = await getYoga();
    const { Headers, Request } = yoga.fetchAPI;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const request = new Request(`http://localhost${req.url ?? '/'}`, { method: 'POST', headers, body: new Uint8Array(body), signal });
    const response = await yoga.handle(request, { trace, address: req.socket.remoteAddress });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.headers.get('content-type') !== EVENT_STREAM || response.body === null) {
      res.end(Buffer.from(await response.arrayBuffer()));
      return;
    }
    // A stream (a subscription this path does not take, such as one with extensions): relay it.
    const reader = response.body.getReader();
    res.once('close', () => void reader.cancel().catch(() => {}));
    for (let chunk = await reader.read(); !chunk.done && !res.destroyed; chunk = await reader.read()) res.write(chunk.value);
    res.end();
  }

  return async function serve(req: IncomingMessage, res: ServerResponse, trace: RequestTrace, mediaType: string) {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);

    const params = parseParams(body);
    const entry = params && compile(params.query, params.operationName);
    // A query over SSE, or a subscription over JSON (406), is yoga's to answer.
    if (!params || !entry || 'subscription' in entry !== (mediaType === EVENT_STREAM)) {
      return viaYoga(req, res, body, trace, controller.signal);
    }

    trace.operation = entry.name;
    if ('subscription' in entry) {
      // No signal: streamResults returns the source when the client leaves, and a listener per
      // stream on a signal would only cost memory.
      const contextValue = createContext(req, trace, undefined, true);
      const args = { schema, document: entry.subscription, operationName: params.operationName, variableValues: params.variables, contextValue };
      const source = await createSourceEventStream(args);
      // No stream of ours: the variables did not coerce, and yoga phrases that error.
      if (!isLiveSource(source)) return viaYoga(req, res, body, trace, controller.signal);
      const { shared } = options;
      return streamResults(res, source, { trace, maskError, execute: (event) => shared.execute(args, event) });
    }
    const context = createContext(req, trace, controller.signal, false);
    const result = await entry.compiled.query(undefined, context, params.variables);
    // No data: the variables did not coerce, and yoga phrases that error the way the spec does.
    if (result.data === undefined) return viaYoga(req, res, body, trace, controller.signal);

    let payload: string;
    if (result.errors?.length) {
      logExecutionErrors(log, trace.requestId, result.errors as GraphQLError[]);
      const masked = result.errors.map((error) => maskError(error, 'Unexpected error.') as GraphQLError);
      payload = JSON.stringify({ errors: traceErrors(trace, masked).map(publicError), data: result.data });
    } else {
      payload = JSON.stringify({ data: result.data });
    }
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': `${mediaType}; charset=utf-8`, 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  };
}

interface Params {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

/** The GraphQL parameters, when they are plainly well-formed and need nothing else (no extensions). */
function parseParams(body: Buffer): Params | undefined {
  // A byte order mark: Buffer decoding drops it, yoga's JSON parsing refuses it.
  if (body[0] === 0xef) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { query, operationName, variables, extensions, ...rest } = value as Record<string, unknown>;
  if (typeof query !== 'string' || Object.keys(rest).length > 0 || (extensions !== undefined && extensions !== null)) {
    return undefined;
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  const isObject = typeof variables === 'object' && variables !== null && !Array.isArray(variables);
  if (variables !== undefined && variables !== null && !isObject) return undefined;
  return {
    query,
    operationName: typeof operationName === 'string' ? operationName : undefined,
    variables: isObject ? (variables as Record<string, unknown>) : {},
  };
}
