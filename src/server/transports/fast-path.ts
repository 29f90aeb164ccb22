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
import {
  createSourceEventStream, execute, getOperationAST, specifiedRules, validate,
  type DocumentNode, type ExecutionResult, type GraphQLError, type GraphQLSchema, type ValidationRule,
} from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import type { Logger } from 'pino';
import type { GatewayContext, RequestTrace } from '../../context.ts';
import { logExecutionErrors } from '../plugins/use-error-log.ts';
import { createStreamWriter } from './sse-stream.ts';
import { endOperation, traceOperation } from '../http/spans.ts';
import { operationName, publicError, traceErrors } from '../plugins/use-request-trace.ts';
import type { SharedResults } from '../plugins/use-shared-subscription-results.ts';
import type { LiveSource } from '../../live/stream.ts';
import { parseWithLimits, type ParserLimits } from '../plugins/use-parser-limits.ts';
import type { YogaServer } from '../plugins/use-request-trace.ts';
import type { CallSignal } from '../../upstream/client.ts';
import type { Compressor } from './compression.ts';

/** What Subscription.trainingJobs's subscribe gives: a source that can push (src/live/stream.ts). */
const isLiveSource = (source: unknown): source is LiveSource =>
  typeof source === 'object' && source !== null && typeof (source as { listen?: unknown }).listen === 'function';

export interface FastPathOptions {
  schema: GraphQLSchema;
  /** yoga, loaded on first use. */
  getYoga(): Promise<YogaServer>;
  log: Logger;
  /** `live`: the context must serve subscriptions (it then reads who the caller is). */
  createContext(req: IncomingMessage, trace: RequestTrace, signal: CallSignal | undefined, live: boolean): GatewayContext;
  /** Subscription events executed once for all their subscribers. */
  shared: SharedResults;
  maskError(error: unknown, message: string): Error;
  /** Validation rules besides the spec's (operation-limits.ts), and the parser's limits. */
  limitRules: ValidationRule[];
  parserLimits: ParserLimits;
  /** Distinct documents kept compiled, default 1000. */
  maxDocuments?: number;
  /**
   * Run queries compiled by graphql-jit once warm() has loaded it, default true; until then, and
   * with false, graphql-js executes them (the same answers: the differential test runs both).
   */
  jit?: boolean;
  /** Sends every whole answer, compressed when the client accepts it (compression.ts). */
  compressor: Compressor;
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
  // A validated query (compiled once the JIT is there), or a validated subscription, and the
  // name of the operation it runs.
  type Entry = { query: DocumentNode; compiled: CompiledQuery | undefined; name: string } | { subscription: DocumentNode; name: string };
  // graphql-jit and what it loads (fast-json-stringify, ajv) take about a third of the start-up
  // time: it is loaded after start-up (warm), and the first requests run on graphql-js.
  let jit: typeof import('graphql-jit') | undefined;
  let jitLoading: Promise<unknown> | undefined;
  const warm = () => (jitLoading ??= options.jit === false ? Promise.resolve() : import('graphql-jit').then((module) => (jit = module)));

  /** The query's result, by its compiled form when there is one (compiled on first use after warm-up). */
  function run(entry: Extract<Entry, { query: DocumentNode }>, context: GatewayContext, variables: Record<string, unknown>, name: string | undefined) {
    if (entry.compiled === undefined && jit !== undefined) {
      const compiled = jit.compileQuery(schema, entry.query, name);
      // Not compilable (graphql-jit refuses a few valid documents): graphql-js keeps running it.
      if (jit.isCompiledQuery(compiled)) entry.compiled = compiled;
    }
    if (entry.compiled !== undefined) return entry.compiled.query(undefined, context, variables) as ExecutionResult | Promise<ExecutionResult>;
    return execute({ schema, document: entry.query, contextValue: context, variableValues: variables, operationName: name });
  }
  const documents = new Map<string, Map<string | undefined, Entry | null>>();
  const streamResults = createStreamWriter();

  function compile(query: string, name: string | undefined) {
    // "" and no name differ: "" names no operation, so yoga must refuse it. The query itself
    // is the outer key, as parsed from the body: a key built from it would be a new string to
    // hash on every request.
    let byName = documents.get(query);
    let entry = byName?.get(name);
    if (entry !== undefined) return entry;
    entry = null;
    try {
      const document = parseWithLimits(query, parserLimits);
      const operation = getOperationAST(document, name)?.operation;
      if ((operation === 'query' || operation === 'subscription') && validate(schema, document, rules).length === 0) {
        const named = operationName(document, name) ?? '';
        entry = operation === 'subscription' ? { subscription: document, name: named } : { query: document, compiled: undefined, name: named };
      }
    } catch {
      // a syntax error: yoga answers it
    }
    if (byName === undefined) {
      if (documents.size >= maxDocuments) documents.delete(documents.keys().next().value!);
      byName = new Map();
      documents.set(query, byName);
    }
    // A client cycling through operation names cannot grow one document's entries without end.
    if (byName.size >= MAX_NAMES_PER_DOCUMENT) byName.clear();
    byName.set(name, entry);
    return entry;
  }

  async function viaYoga(req: IncomingMessage, res: ServerResponse, body: Buffer, trace: RequestTrace) {
    const controller = new AbortController();
    if (res.destroyed) controller.abort();
    else res.once('close', () => !res.writableFinished && controller.abort());
    const { signal } = controller;
    // yoga's own Fetch API (whatwg-node), as for requests it reads itself: Node's global Request
    // would decode some bodies differently (it drops a byte order mark, for one).
    const yoga = await getYoga();
    const { Headers, Request } = yoga.fetchAPI;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const request = new Request(`http://localhost${req.url ?? '/'}`, { method: 'POST', headers, body: new Uint8Array(body), signal });
    const response = await yoga.handle(request, { trace, address: trace.remote });
    if (response.headers.get('content-type') !== EVENT_STREAM || response.body === null) {
      // Whole: compressed like the answers of this path (yoga's own plugin only acts where yoga writes).
      options.compressor.send(req, res, response.status, Object.fromEntries(response.headers), Buffer.from(await response.arrayBuffer()));
      return;
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    // A stream (a subscription this path does not take, such as one with extensions): relay it.
    const reader = response.body.getReader();
    res.once('close', () => void reader.cancel().catch(() => {}));
    for (let chunk = await reader.read(); !chunk.done && !res.destroyed; chunk = await reader.read()) res.write(chunk.value);
    res.end();
  }

  async function serve(req: IncomingMessage, res: ServerResponse, trace: RequestTrace, mediaType: string) {
    const body = await readBody(req);

    const params = parseParams(body);
    const entry = params && compile(params.query, params.operationName);
    // A query over SSE, or a subscription over JSON (406), is yoga's to answer.
    if (!params || !entry || 'subscription' in entry !== (mediaType === EVENT_STREAM)) {
      return viaYoga(req, res, body, trace);
    }

    trace.operation = entry.name;
    if (trace.spans !== undefined) traceOperation(trace, 'subscription' in entry ? 'subscription' : 'query', entry.name);
    if ('subscription' in entry) {
      // No signal: streamResults returns the source when the client leaves, and a listener per
      // stream on a signal would only cost memory.
      const contextValue = createContext(req, trace, undefined, true);
      const args = { schema, document: entry.subscription, operationName: params.operationName, variableValues: params.variables, contextValue };
      const source = await createSourceEventStream(args);
      // No stream of ours: the variables did not coerce, and yoga phrases that error.
      if (!isLiveSource(source)) return viaYoga(req, res, body, trace);
      const { shared } = options;
      return streamResults(res, source, { trace, maskError, execute: (event) => shared.execute(args, event) });
    }
    const context = createContext(req, trace, new ClientGone(res), false);
    const result = await run(entry, context, params.variables, params.operationName);
    // No data: the variables did not coerce, and yoga phrases that error the way the spec does.
    if (result.data === undefined) return viaYoga(req, res, body, trace);

    let payload: string;
    if (result.errors?.length) {
      logExecutionErrors(log, trace, result.errors as GraphQLError[]);
      const masked = result.errors.map((error) => maskError(error, 'Unexpected error.') as GraphQLError);
      payload = JSON.stringify({ errors: traceErrors(trace, masked).map(publicError), data: result.data });
    } else {
      payload = JSON.stringify({ data: result.data });
    }
    endOperation(trace);
    if (res.destroyed) return;
    options.compressor.send(req, res, 200, { 'content-type': `${mediaType}; charset=utf-8` }, payload);
  }

  return { serve, warm };
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

/** Operation names remembered per document: a real client sends one or a few. */
const MAX_NAMES_PER_DOCUMENT = 16;

/** The whole body, read with plain listeners: an async iterator over it costs more than the body's own parsing at this size. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const data = (chunk: Buffer) => chunks.push(chunk);
    // The client went away mid-body: nothing to answer (the handler logs nothing for it).
    const close = () => failed(new Error('request body incomplete'));
    const failed = (err: Error) => {
      detach();
      reject(err);
    };
    const end = () => {
      detach();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    // Detached once read: a subscription's request lives for hours, and its listeners with it.
    const detach = () => {
      req.off('data', data).off('end', end).off('close', close);
      // An error after the end must still find a listener, or it would be thrown.
      req.off('error', failed).on('error', ignore);
    };
    req.on('data', data).once('end', end).once('error', failed).once('close', close);
  });
}

/**
 * The client leaving before its answer, as the part of AbortSignal the upstream client uses:
 * one AbortController per request cost about 2 % of a perPage 10 load. Requests handed to yoga
 * get a real one (viaYoga).
 */
class ClientGone implements CallSignal {
  aborted = false;
  private listeners: (() => void)[] = [];

  constructor(res: ServerResponse) {
    res.once('close', () => {
      if (res.writableFinished) return;
      this.aborted = true;
      for (const listener of this.listeners.splice(0)) listener();
    });
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.listeners.indexOf(listener);
    if (at >= 0) this.listeners.splice(at, 1);
  }
}

const ignore = () => {};
