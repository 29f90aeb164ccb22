/**
 * What every answer must be, whatever was sent: a documented status, well-formed JSON where it is
 * JSON, and nothing leaked that the client did not send itself.
 */
import type { FuzzRequest } from './requests.ts';
import { REQUEST_TIMEOUT_MS, type Outcome } from './sender.ts';

/**
 * Statuses the contract allows for these requests; any 5xx fails (none is documented). 403 is
 * CSRF prevention (a request a browser could send cross-site without x-graphql-csrf); 417 (an
 * unknown Expect) and 431 (a request head over 16 KiB) are Node's own HTTP answers.
 */
const ALLOWED_STATUSES = new Set([200, 400, 403, 404, 405, 406, 411, 413, 415, 417, 431]);

export function describeRequest(req: FuzzRequest): string {
  const excerpt = (text: string) => JSON.stringify(text.length > 240 ? `${text.slice(0, 240)}…` : text);
  if (req.raw) return `raw (${req.raw.length} bytes) ${excerpt(req.raw.toString('latin1'))}`;
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${excerpt(String(v)).slice(0, 80)}`)
    .join(', ');
  const body = req.body ? ` body (${req.body.length} bytes${req.chunked ? ', chunked' : ''}) ${excerpt(req.body.toString('utf8'))}` : '';
  return `${req.method} ${excerpt(req.path)} [${headers}]${body}`;
}

function wellFormedProblems(parsed: unknown): string[] {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return ['JSON body is not an object'];
  const result = parsed as Record<string, unknown>;
  if (!('data' in result) && !('errors' in result)) return ['JSON body has neither data nor errors'];
  const problems: string[] = [];
  if ('data' in result && result['data'] !== null && (typeof result['data'] !== 'object' || Array.isArray(result['data']))) problems.push('data is not an object or null');
  if ('errors' in result) {
    const errors = result['errors'];
    if (!Array.isArray(errors) || errors.length === 0) problems.push('errors is not a non-empty array');
    else if (!errors.every((e) => e !== null && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string')) {
      problems.push('an error is not an object with a string message');
    }
  }
  return problems;
}

export function checkOutcome(req: FuzzRequest, outcome: Outcome, leakRules: Array<[string, RegExp]>): string[] {
  const problems: string[] = [];
  const { status } = outcome;
  if (status === 'timeout') return [`hangs: ${outcome.error ?? `no answer within ${REQUEST_TIMEOUT_MS} ms`}`];
  if (status === 'error') return [`connection error: ${outcome.error ?? ''}`];
  if (status === 'no answer') return req.mayNotAnswer ? [] : ['closes the connection without answering'];
  if (status >= 500) problems.push(`status ${status} (5xx)`);
  else if (!ALLOWED_STATUSES.has(status)) problems.push(`undocumented status ${status}`);

  const text = outcome.body.toString('utf8');
  const isGraphiQL = req.kind === 'GraphiQL page' && outcome.contentType.startsWith('text/html');
  // What the client sent (path and body, not headers: a credential lives in a header) may be
  // echoed back; anything matching a leak rule that the client did not send is a leak.
  const sent = `${req.path}\n${req.body?.toString('utf8') ?? ''}\n${req.raw?.toString('latin1').replace(/X-Auth-Token:[^\r\n]*/gi, '') ?? ''}`;
  for (const [what, pattern] of leakRules) {
    // The GraphiQL bundle has minified code like `      at = class extends st {`: not a trace.
    // And about one 5-digit number in fifteen of the ephemeral port range stands somewhere in
    // its 9 MB: the page is the same bytes whatever the upstream, so its address shows as the
    // host, which the 127.0.0.1 rule checks, not as a bare port number.
    if (isGraphiQL && (what === 'a stack trace line' || what.startsWith('the emulator port'))) continue;
    if (pattern.test(text) && !pattern.test(sent)) problems.push(`body leaks ${what}`);
  }

  const path = req.raw ? '/graphql' : req.path.split('?', 1)[0];
  const isJson = /^application\/(json|graphql-response\+json)\b/i.test(outcome.contentType);
  if (isJson && path === '/graphql' && req.method !== 'HEAD') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      problems.push(`JSON body does not parse: ${JSON.stringify(text.slice(0, 80))}`);
    }
    if (parsed !== undefined) problems.push(...wellFormedProblems(parsed));
  }
  return problems;
}
