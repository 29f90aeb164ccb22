// Filtering, sorting and paging over one emulator's jobs (the seed's semantics, DESIGN.md "The
// emulator"). Each sort order is computed once per key and reused: filtering keeps order, and
// desc is the exact reverse of asc, tie-break included.
import type { EmulatorJob } from './dataset.ts';
import { phaseOf } from './phases.ts';
import type { ListQuery, SortKey } from './query.ts';
import type { OffsetReading, SearchQuery } from './search.ts';

type Compare = (a: EmulatorJob, b: EmulatorJob) => number;

// By Unicode code point, as a binary UTF-8 database collation orders (plain `<` compares UTF-16
// units, which puts U+10000 and above before U+E000..U+FFFF); localeCompare would make the order
// depend on the machine's ICU data.
function byString(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
const byNumber = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);
const byJobId: Compare = (a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0);

const FIELD: Record<SortKey, Compare> = {
  job_name: (a, b) => byString(a.jobName, b.jobName),
  job_desc: (a, b) => byString(a.jobDesc, b.jobDesc),
  status: (a, b) => byNumber(a.status, b.status),
  duration: (a, b) => byNumber(a.duration, b.duration),
  version_count: (a, b) => byNumber(a.versionCount, b.versionCount),
  create_time: (a, b) => byNumber(a.createTime, b.createTime),
};

export interface ListResult {
  total: number;
  jobs: EmulatorJob[];
}

/** v2's answer: `count` jobs match, `total` is every job of the user (UPSTREAM.md "v2"). */
export interface SearchResultPage {
  total: number;
  count: number;
  jobs: EmulatorJob[];
}

export interface JobIndex {
  workspaceExists(id: string): boolean;
  list(query: ListQuery): ListResult;
  /** v2: by create_time (ties by job id), from `offset` read as a page or a record index. */
  search(query: SearchQuery, reading: OffsetReading): SearchResultPage;
}

/** `jobs` is copied: later changes to the caller's array do not reach a running emulator. */
export function createJobIndex(jobs: readonly EmulatorJob[]): JobIndex {
  const all = [...jobs];
  const workspaces = new Set(all.map((job) => job.workspaceId));
  const lowerNames = new Map(all.map((job) => [job, job.jobName.toLowerCase()]));
  const sorted = new Map<SortKey, EmulatorJob[]>();

  function ascending(key: SortKey): EmulatorJob[] {
    let order = sorted.get(key);
    if (order === undefined) {
      const compare = FIELD[key];
      order = [...all].sort((a, b) => compare(a, b) || byJobId(a, b));
      sorted.set(key, order);
    }
    return order;
  }

  return {
    workspaceExists: (id) => workspaces.has(id),
    list(query) {
      const needle = query.search.toLowerCase();
      const matches = ascending(query.sortBy).filter(
        (job) =>
          job.workspaceId === query.workspaceId &&
          (query.status === null || job.status === query.status) &&
          (needle === '' || (lowerNames.get(job) ?? '').includes(needle)),
      );
      if (query.order === 'desc') matches.reverse();
      const start = (query.page - 1) * query.perPage;
      return { total: matches.length, jobs: matches.slice(start, start + query.perPage) };
    },
    search(query, reading) {
      const needle = query.name.toLowerCase();
      const matches = ascending('create_time').filter(
        (job) =>
          job.workspaceId === query.workspaceId &&
          (query.phases === null || query.phases.has(phaseOf(job.status))) &&
          (needle === '' || (lowerNames.get(job) ?? '').includes(needle)),
      );
      if (query.order === 'desc') matches.reverse();
      const start = reading === 'page' ? query.offset * query.limit : query.offset;
      return { total: all.length, count: matches.length, jobs: matches.slice(start, start + query.limit) };
    },
  };
}
