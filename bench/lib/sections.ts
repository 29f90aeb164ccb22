/**
 * docs/benchmarks.md is written by several runners: npm run bench writes the top (the query bench)
 * and keeps the sections below it, which npm run bench:live, bench:fleet, soak and fuzz each
 * replace in place (or append), leaving everything else as it was.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export const LIVE_HEADING = '## Live updates (npm run bench:live)';
export const FLEET_HEADING = '## Scale-out (npm run bench:fleet)';
/** Written by the fuzz suite (test/fuzz/http-surface.test.ts) when npm run fuzz records a run. */
export const FUZZ_HEADING = '## Fuzz (npm run fuzz)';
/** Written by npm run soak (bench/soak/report.ts). */
export const SOAK_HEADING = '## Endurance (npm run soak)';
/** Written by hand from a CPU profile (issue 13): what a perPage 10 request's time goes to. */
export const PROFILE_HEADING = '## Where a small request\'s time goes (a profile)';
/** Written by npm run bench after its top (bench/query/groups.ts): the status-group part. */
export const GROUPS_HEADING = '## Status groups and counts (npm run bench)';
/** Written by npm run bench after its top (bench/query/upstreams.ts): the gateway on v2 next to v1. */
export const UPSTREAMS_HEADING = '## ModelArts v2 next to v1 (npm run bench)';
/** Written by npm run bench after its top (bench/query/tracing.ts): what tracing costs. */
export const TRACING_HEADING = '## Tracing (npm run bench)';
/** The sections other runners own (or people write): npm run bench keeps them. */
const OWNED = [GROUPS_HEADING, UPSTREAMS_HEADING, TRACING_HEADING, PROFILE_HEADING, LIVE_HEADING, FLEET_HEADING, FUZZ_HEADING, SOAK_HEADING];

/** Everything from the first section another runner owns (to keep below a rewritten top), or ''. */
export function ownedSections(text: string): string {
  // A heading counts at the start of a line only.
  const starts = OWNED.map((h) => (text.startsWith(h) ? 0 : text.indexOf(`\n${h}`) + 1 || -1)).filter((i) => i >= 0);
  const at = Math.min(...starts);
  return Number.isFinite(at) ? text.slice(at) : '';
}

/** Replaces the section under `heading` in `out` (up to the next `## ` heading), or appends it. */
export function writeSection(out: string, heading: string, section: string): void {
  let text = '';
  try {
    text = readFileSync(out, 'utf8');
  } catch {
    // a new file
  }
  const at = text.indexOf(heading);
  const next = at < 0 ? -1 : text.indexOf('\n## ', at + heading.length);
  const mine = `${section.trimEnd()}\n`;
  text = at < 0 ? `${text.trimEnd()}\n\n${mine}` : `${text.slice(0, at)}${mine}${next < 0 ? '' : text.slice(next)}`;
  writeFileSync(out, text);
}
