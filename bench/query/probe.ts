/**
 * What the bench's parts beside the main tables share (groups.ts, upstreams.ts): one built gateway
 * started on the server core with extra environment, a query asked once, the stub's call counter,
 * and a measured load with the gateway's CPU around it.
 */
import { join } from 'node:path';
import { cpuMs, freePort, runNode, startNode, type Child } from '../lib/proc.ts';
import type { LoadResult } from './load.ts';
import { TOKEN } from './shape.ts';
import { QUERY_DIST, SYSTEMS } from './systems.ts';

export const stubCalls = async (upstream: string) => ((await (await fetch(`${upstream}/calls`)).json()) as { calls: number }).calls;

export async function ask(url: string, body: string): Promise<{ errors?: unknown; data?: Record<string, any> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': TOKEN }, body });
  return (await res.json()) as { errors?: unknown; data?: Record<string, any> };
}

/**
 * A built gateway (`system`: the gateway, or BENCH_BASELINE's build) on `core` with `env` over its
 * bench defaults; resolves once `ready` answers without errors.
 */
export async function startGateway(name: string, upstream: string, env: Record<string, string>, core: number, ready: string, system = 'gateway'): Promise<{ child: Child; url: string }> {
  const gateway = SYSTEMS[system]!;
  const port = await freePort();
  const child = startNode(name, core, gateway.script, [], { ...gateway.env(port, upstream), ...env });
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; ; i++) {
    try {
      if ((await ask(url, ready)).data) return { child, url };
    } catch {
      // not listening yet
    }
    if (i > 200) throw new Error(`${name} did not answer`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How a part of the bench beside the main tables runs (upstreams.ts, tracing.ts). */
export interface PartSettings {
  sizes: number[];
  durationS: number;
  rounds: number;
  connections: number;
  serverCore: number;
  loadCore: number;
}

export interface Measured {
  reqPerS: number;
  cpuMsPerReq: number;
  p99: number;
}

/** One load of `seconds` on `loadCore`, with the gateway's CPU per request; throws on any failed answer. */
export async function measureLoad(child: Child, url: string, body: string, seconds: number, connections: number, loadCore: number): Promise<Measured> {
  const cpu0 = cpuMs(child.pid);
  const load = await runNode<LoadResult>('autocannon', loadCore, join(QUERY_DIST, 'load.js'), [JSON.stringify({ url, connections, seconds, body })]);
  const cpu1 = cpuMs(child.pid);
  if (load.ok === 0 || load.non2xx > 0 || load.errors > 0) throw new Error(`${child.name}: ${load.non2xx} non-2xx, ${load.errors} errors under load`);
  return { reqPerS: load.ok / load.seconds, cpuMsPerReq: (cpu1 - cpu0) / load.requests, p99: load.p99 };
}
