/**
 * The merge of a status group's branches into one page (DESIGN.md "Status groups and counts"):
 * a k-way merge over a binary heap of the branches' heads, so a page deep in the list costs
 * O(depth × log branches), not a sort of everything read. Each branch comes in the upstream's
 * order for its status; the merge keeps it, and between branches it compares the sort field
 * alone: numbers as numbers, names and descriptions by Unicode code point. Ties go to the lower
 * branch (the lower status code), then to the upstream's order within it. The result of a
 * depth depends only on each branch's first `depth` jobs, so walking the pages of a group
 * returns every job once, whatever collation the upstream sorts its strings by.
 */
import type { SortField, SortOrder, TrainingJob } from '../../domain.ts';

/** One branch as read: its first jobs in the upstream's order, and its job_total_count. */
export interface Branch {
  jobs: readonly TrainingJob[];
  totalCount: number;
}

/** Compares two strings by Unicode code point (JavaScript's `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only a surrogate can order differently by code point than by unit: read whole code points.
    if ((x & 0xf800) === 0xd800 || (y & 0xf800) === 0xd800) return a.codePointAt(i)! - b.codePointAt(i)!;
    return x - y;
  }
  return a.length - b.length;
}

/** How the merge compares two jobs by each sort field, ascending. */
export const COMPARE_BY: Readonly<Record<SortField, (a: TrainingJob, b: TrainingJob) => number>> = {
  JOB_NAME: (a, b) => compareCodePoints(a.name, b.name),
  JOB_DESC: (a, b) => compareCodePoints(a.description, b.description),
  STATUS: (a, b) => a.statusCode - b.statusCode,
  DURATION: (a, b) => a.durationMs - b.durationMs,
  // v1 always has a count; v2, which has none, sorts by creation time only.
  VERSION_COUNT: (a, b) => (a.versionCount ?? 0) - (b.versionCount ?? 0),
  CREATE_TIME: (a, b) => a.createdAt - b.createdAt,
};

/** The branches' job_total_count summed: the group's totalCount. */
export const totalOf = (branches: readonly Branch[]): number => branches.reduce((sum, b) => sum + b.totalCount, 0);

/**
 * Jobs `(page-1)*perPage .. page*perPage-1` of the merged sequence. Each branch must hold at
 * least its first min(totalCount, page*perPage) jobs; jobs beyond that depth are never reached.
 */
export function mergePage(branches: readonly Branch[], sortBy: SortField, order: SortOrder, page: number, perPage: number): TrainingJob[] {
  const field = COMPARE_BY[sortBy];
  const sign = order === 'ASC' ? 1 : -1;
  // The heap holds branch indexes; each branch's head is jobs[next[i]].
  const next = branches.map(() => 0);
  const head = (i: number) => branches[i]!.jobs[next[i]!]!;
  const before = (i: number, j: number) => {
    const c = sign * field(head(i), head(j));
    return c < 0 || (c === 0 && i < j);
  };
  const heap: number[] = [];
  const up = (k: number) => {
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!before(heap[k]!, heap[parent]!)) return;
      [heap[k], heap[parent]] = [heap[parent]!, heap[k]!];
      k = parent;
    }
  };
  const down = (k: number) => {
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let top = k;
      if (l < heap.length && before(heap[l]!, heap[top]!)) top = l;
      if (r < heap.length && before(heap[r]!, heap[top]!)) top = r;
      if (top === k) return;
      [heap[k], heap[top]] = [heap[top]!, heap[k]!];
      k = top;
    }
  };
  branches.forEach((branch, i) => {
    if (branch.jobs.length > 0) {
      heap.push(i);
      up(heap.length - 1);
    }
  });

  const start = (page - 1) * perPage;
  const out: TrainingJob[] = [];
  for (let taken = 0; taken < start + perPage && heap.length > 0; taken++) {
    const i = heap[0]!;
    if (taken >= start) out.push(head(i));
    next[i] = next[i]! + 1;
    if (next[i]! < branches[i]!.jobs.length) down(0);
    else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        down(0);
      }
    }
  }
  return out;
}
