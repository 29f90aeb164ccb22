/**
 * Schema-first resolvers shared by the Apollo and Mercurius peers: the project's SDL, and
 * resolvers written the way those servers' documentation shows (default-style field resolvers
 * over the upstream's snake_case objects, custom scalars as GraphQLScalarType). Each peer brings
 * its own way of calling the upstream (`fetchPage`).
 */
import { readFileSync } from 'node:fs';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { formatDateTime, parseDateTime } from '../../src/scalars/date-time.ts';
import { formatDuration, parseDuration } from '../../src/scalars/duration.ts';
import { SDL_PATH } from '../lib/paths.ts';
import { STATUS_NAMES, statusName, type WireJob, type WirePage } from './shape.ts';

export const typeDefs = readFileSync(SDL_PATH, 'utf8');

export interface PageArgs {
  status?: string | null;
  page: number;
  perPage: number;
  sortBy?: string | null;
  order?: string | null;
  search?: string | null;
  workspaceId: string;
}

/** The upstream path and query for the arguments, in the gateway's key order. */
export function upstreamQuery(args: PageArgs): string {
  const parts: string[] = [];
  if (args.status) parts.push(`status=${Math.max(0, STATUS_NAMES.indexOf(args.status))}`);
  parts.push(`per_page=${args.perPage}`, `page=${args.page}`);
  // Every TrainingJobSortField and SortOrder value is the upstream string in upper case; omitted
  // means v1's own order, sent spelled out as the gateway sends it.
  parts.push(`sortBy=${(args.sortBy ?? 'JOB_NAME').toLowerCase()}`, `order=${(args.order ?? 'ASC').toLowerCase()}`);
  if (args.search) parts.push(`search_content=${encodeURIComponent(args.search)}`);
  parts.push(`workspace_id=${encodeURIComponent(args.workspaceId)}`);
  return parts.join('&');
}

interface PageParent {
  wire: WirePage;
  page: number;
  perPage: number;
}

function scalar(name: string, format: (v: unknown) => string | undefined, parse: (v: unknown) => number | undefined) {
  const guard = <T>(fn: (v: unknown) => T | undefined) => (v: unknown): T => {
    const out = fn(v);
    if (out === undefined) throw new GraphQLError(`${name} cannot represent ${String(v)}`);
    return out;
  };
  return new GraphQLScalarType({
    name,
    serialize: guard(format),
    parseValue: guard(parse),
    parseLiteral: (ast) => guard(parse)(ast.kind === Kind.STRING ? ast.value : undefined),
  });
}

type FetchPage<C> = (args: PageArgs, context: C) => Promise<WirePage>;

export function makeResolvers<C>(fetchPage: FetchPage<C>) {
  const totalPages = (p: PageParent) => Math.ceil(p.wire.job_total_count / p.perPage);
  return {
    DateTime: scalar('DateTime', formatDateTime, parseDateTime),
    Duration: scalar('Duration', formatDuration, parseDuration),
    Query: {
      trainingJobs: async (_root: unknown, args: PageArgs, context: C): Promise<PageParent> => ({
        wire: await fetchPage(args, context),
        page: args.page,
        perPage: args.perPage,
      }),
    },
    TrainingJobPage: {
      jobs: (p: PageParent) => p.wire.jobs,
      totalCount: (p: PageParent) => p.wire.job_total_count,
      pageInfo: (p: PageParent) => p,
      quota: (p: PageParent) => p.wire,
    },
    PageInfo: {
      totalPages,
      hasNextPage: (p: PageParent) => p.page < totalPages(p),
      hasPreviousPage: (p: PageParent) => p.page > 1,
    },
    TrainingJobQuota: {
      remainingJobs: (w: WirePage) => w.job_count_limit ?? null,
      maxRunningJobs: (w: WirePage) => w.quotas ?? null,
    },
    TrainingJob: {
      id: (j: WireJob) => String(j.job_id),
      name: (j: WireJob) => j.job_name,
      description: (j: WireJob) => j.job_desc ?? '',
      status: (j: WireJob) => statusName(j.status),
      statusCode: (j: WireJob) => j.status,
      versionId: (j: WireJob) => String(j.version_id),
      versionCount: (j: WireJob) => j.version_count,
      createdAt: (j: WireJob) => j.create_time,
      duration: (j: WireJob) => j.duration,
    },
  };
}
