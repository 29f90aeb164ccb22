/**
 * What npm run soak counts as expected and what as an unexpected error, for queries and live
 * events alike. The injected upstream faults (faults.ts) may surface only as the documented
 * upstream-failure codes (README "Errors"); anything else is a gateway problem.
 */

/** The codes an upstream fault can cause. RATE_LIMITED only with the upstream's 429 behind it: a live-limit refusal is not a fault. */
export const FAULT_CODES: ReadonlySet<string> = new Set(['UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'RATE_LIMITED']);

/** Counts by category, keeping the first example of each, so a failing run shows what it saw. */
export class Tally {
  readonly counts = new Map<string, number>();
  readonly examples = new Map<string, string>();

  add(category: string, example?: string): void {
    this.counts.set(category, (this.counts.get(category) ?? 0) + 1);
    if (example !== undefined && !this.examples.has(category)) this.examples.set(category, example.slice(0, 300));
  }

  total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** "3× what (e.g. ...)", largest first. */
  lines(withExamples = false): string[] {
    return [...this.counts].sort((a, b) => b[1] - a[1]).map(([what, n]) => {
      const example = withExamples ? this.examples.get(what) : undefined;
      return `${n}× ${what}${example ? ` (e.g. ${example})` : ''}`;
    });
  }
}

type GraphQLError = { message?: string; extensions?: { code?: string; upstream?: { httpStatus?: number } } };
type Result = { data?: { trainingJobs?: { jobs?: unknown } | null } | null; errors?: GraphQLError[] };

export type Verdict =
  | { kind: 'page' }
  | { kind: 'fault'; code: string }
  | { kind: 'unexpected'; what: string };

const explained = (e: GraphQLError): boolean => {
  const code = e.extensions?.code ?? '';
  return FAULT_CODES.has(code) && (code !== 'RATE_LIMITED' || e.extensions?.upstream?.httpStatus === 429);
};

/** Judges one GraphQL result (a query's body or a live event's data); `perPage` bounds the jobs of a page. */
export function judge(text: string, perPage: number): Verdict {
  let body: Result;
  try {
    body = JSON.parse(text) as Result;
  } catch {
    return { kind: 'unexpected', what: 'an answer that is not JSON' };
  }
  const errors = body.errors ?? [];
  if (errors.length > 0) {
    const odd = errors.find((e) => !explained(e));
    // The message names the category too: codes such as INTERNAL_SERVER_ERROR say little alone.
    if (odd) return { kind: 'unexpected', what: `GraphQL error ${odd.extensions?.code ?? '(no code)'}: ${(odd.message ?? '').slice(0, 80)}` };
    if (body.data?.trainingJobs !== null) return { kind: 'unexpected', what: 'an upstream error beside a page (trainingJobs not null)' };
    return { kind: 'fault', code: errors[0]?.extensions?.code ?? '' };
  }
  const jobs = body.data?.trainingJobs?.jobs;
  if (!Array.isArray(jobs)) return { kind: 'unexpected', what: 'an answer with neither a page nor errors' };
  if (jobs.length > perPage) return { kind: 'unexpected', what: 'a page with more jobs than perPage' };
  return { kind: 'page' };
}
