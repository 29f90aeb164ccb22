/**
 * GraphiQL at GET /graphql, served offline: @graphql-yoga/render-graphiql inlines every asset
 * (TOOLCHAIN.md item 4). The page is about 9 MB, so it is rendered and compressed once, and its
 * module is loaded on first use, keeping it off start-up and off the GraphQL request path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { DEFAULT_COMPRESSION, mergeVary, negotiate, type Encoding } from './transports/compression.ts';

export const EXAMPLE_QUERY = `# Training jobs, one page at a time. Try other arguments: the docs (top left) list them.
query RunningJobs($page: Int! = 1) {
  trainingJobs(status: RUNNING, page: $page, perPage: 5, sortBy: CREATE_TIME, order: DESC) {
    totalCount
    pageInfo { page perPage totalPages hasNextPage hasPreviousPage }
    quota { remainingJobs maxRunningJobs }
    jobs {
      id
      name
      status
      statusCode
      createdAt
      duration
      versionCount
    }
  }
}
`;

/** The second tab: the live twin of the example, which GraphiQL runs over SSE. */
export const LIVE_EXAMPLE = `# Live: the page at once, then again whenever it changes (run it, and watch the durations grow).
subscription LiveRunningJobs {
  trainingJobs(status: RUNNING, perPage: 5, sortBy: CREATE_TIME, order: DESC) {
    totalCount
    jobs {
      id
      name
      status
      duration
    }
  }
}
`;

/**
 * GraphiQL 5 (as @graphql-yoga/render-graphiql 5.24.1 bundles it) keeps the operation name to run
 * in its store, apart from the tabs. Opening, switching, moving or closing a tab puts the new
 * tab's text in the editor at once, but the store learns the tab's operation name only from the
 * editor's change handler, debounced by 100 ms and later still on a busy page. Execute in that
 * window sends the new tab's document with the old tab's name: "Cannot infer operation
 * RunningJobs" for a person who opens the live tab and runs it straight away. Each of those four
 * actions ends in `return storeTabs(s), setEditorValues(active tab), onTabChange?.(s), s`; the
 * state it returns now also carries the active tab's own operation name (every tab has one,
 * parsed when the tab was made or last edited).
 */
const TAB_SWITCH = /storeTabs\((\w)\),(\w)\(\1\.tabs\[\1\.activeTabIndex\]\),(\w)\?\.\(\1\),\1\}\)/g;
export const TAB_SWITCHES = 4;

/** The page with the tab fix applied; `patched` counts the places it was (TAB_SWITCHES when it fits the bundle). */
export function fixTabSwitch(html: string): { html: string; patched: number } {
  let patched = 0;
  const fixed = html.replace(TAB_SWITCH, (_match, state: string, setValues: string, onChange: string) => {
    patched++;
    return `storeTabs(${state}),${setValues}(${state}.tabs[${state}.activeTabIndex]),${onChange}?.(${state}),{...${state},operationName:${state}.tabs[${state}.activeTabIndex]?.operationName??null}})`;
  });
  // A bundle that does not have this shape (another version) is served as it is.
  return patched === TAB_SWITCHES ? { html: fixed, patched } : { html, patched };
}

/** The third tab: a job list's chips, counts and a status group's page (docs/status-groups.md). */
export const CHIPS_EXAMPLE = `# A job list's chips: how many jobs each status group holds, and the newest failed ones.
# On ModelArts v1 the counts cost 24 upstream calls and the FAILED page one per failure code (9);
# on v2, 8 and 1.
query FailedJobsWithCounts {
  trainingJobCounts {
    total
    byGroup { group count }
  }
  failed: trainingJobs(statusGroup: FAILED, perPage: 5, sortBy: CREATE_TIME, order: DESC) {
    totalCount
    jobs { id name status statusGroup createdAt duration }
  }
}
`;

interface Rendered {
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

/** `encodings`: those offered (COMPRESSION), preferred first; none sends the page as it is. */
export function createGraphiQLHandler(endpoint: string, encodings: readonly Encoding[] = DEFAULT_COMPRESSION.encodings) {
  let rendered: Promise<Rendered> | undefined;

  async function render(): Promise<Rendered> {
    const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
    const { html } = fixTabSwitch(renderGraphiQL({
      title: 'Training jobs GraphiQL',
      endpoint,
      defaultQuery: EXAMPLE_QUERY,
      defaultTabs: [{ query: EXAMPLE_QUERY }, { query: LIVE_EXAMPLE }, { query: CHIPS_EXAMPLE }],
      // GraphiQL runs subscriptions as GET with Accept: text/event-stream, which CSRF prevention
      // (yoga.ts) admits only with this header; a page cannot add it cross-site without a preflight.
      additionalHeaders: { 'x-graphql-csrf': '1' },
    }));
    const identity = Buffer.from(html);
    // Only the codings offered are ever sent (negotiate picks among them).
    const [gz, br] = await Promise.all([
      encodings.includes('gzip') ? promisify(gzip)(identity, { level: 6 }) : identity,
      encodings.includes('br') ? promisify(brotliCompress)(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }) : identity,
    ]);
    return { identity, gzip: gz, br };
  }

  return async function serveGraphiQL(req: IncomingMessage, res: ServerResponse): Promise<void> {
    rendered ??= render();
    const page = await rendered;
    const encoding = negotiate(req.headers['accept-encoding'], encodings);
    const body = encoding === undefined ? page.identity : page[encoding];
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': body.length,
      // Accept: GraphiQL or a GraphQL answer; CORS's Origin, when set, is kept.
      vary: mergeVary(res.getHeader('vary'), 'Accept', encodings.length > 0 ? 'Accept-Encoding' : undefined),
      'cache-control': 'no-cache',
      ...(encoding ? { 'content-encoding': encoding } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** A browser navigating to the endpoint, as opposed to a GraphQL client doing GET. */
export function wantsGraphiQL(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const accept = req.headers.accept ?? '';
  if (!accept.includes('text/html')) return false;
  // GET /graphql?query=... is a GraphQL request even from a browser.
  return !/[?&]query=/.test(req.url ?? '');
}
