// The emulator with data that moves with a clock (EmulatorOptions.motion), over real sockets: the
// tests hold a fake clock and move it by hand; jobsAt() is the prediction of each moment.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmulator, defaultJobs, generateJobs, jobsAt } from '../../src/emulator/index.ts';
import type { Emulator, EmulatorJob, EmulatorOptions } from '../../src/emulator/index.ts';

const PATH = '/v1/proj-1/training-jobs';
const AUTH = { 'x-auth-token': 'test-token' };
const EPOCH = Date.UTC(2026, 10, 1);
const STEP = 4000; // the default stepMs
const DAY = 24 * 3600 * 1000;
const WAITING = 7;
const RUNNING = 8;
const ALL = 'per_page=1000';

interface WireJob {
  status: number;
  create_time: number;
  duration: number;
}

interface Page {
  status: number;
  text: string;
  total: number;
  jobs: WireJob[];
  /** from the text: JSON.parse would round ids above 2^53 */
  ids: bigint[];
}

const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
});

async function start(options: EmulatorOptions): Promise<Emulator> {
  const emu = await createEmulator(options).listen();
  running.push(emu);
  return emu;
}

/** A clock the test moves; an emulator created while it reads EPOCH takes EPOCH as its epoch. */
function fakeClock(): { now: number; read: () => number } {
  const clock = { now: EPOCH, read: () => clock.now };
  return clock;
}

async function get(emu: Emulator, query = ''): Promise<Page> {
  const res = await fetch(`${emu.url}${PATH}?${query}`, { headers: AUTH });
  const text = await res.text();
  const body = JSON.parse(text) as { job_total_count?: number; jobs?: WireJob[] };
  const ids = [...text.matchAll(/"job_id":(\d+)/g)].map((m) => BigInt(m[1] as string));
  return { status: res.status, text, total: body.job_total_count ?? -1, jobs: body.jobs ?? [], ids };
}

/** Each job of a page by id. */
function byId(page: Page): Map<bigint, WireJob> {
  return new Map(page.ids.map((id, i) => [id, page.jobs[i] as WireJob]));
}

/** The job of `status` a queue serves first: oldest create_time, then lowest id. */
function headOf(jobs: readonly EmulatorJob[], status: number): EmulatorJob {
  const queue = jobs.filter((j) => j.status === status);
  queue.sort((a, b) => a.createTime - b.createTime || (a.jobId < b.jobId ? -1 : 1));
  return queue[0] as EmulatorJob;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const inWorkspace0 = defaultJobs().filter((j) => j.workspaceId === '0');

describe('motion: durations and steps', () => {
  it('grows the duration of every running job with the clock, and changes nothing while it stands still', async () => {
    const clock = fakeClock();
    const emu = await start({ motion: { clock: clock.read } });
    const before = await get(emu, `status=${RUNNING}&${ALL}`);
    clock.now += 1500; // before the first step
    const after = await get(emu, `status=${RUNNING}&${ALL}`);
    expect(after.ids).toEqual(before.ids);
    expect(after.jobs.map((j) => j.duration)).toEqual(before.jobs.map((j) => j.duration + 1500));
    const whole = await get(emu, ALL);
    expect((await get(emu, ALL)).text).toBe(whole.text);
    expect((await get(emu, `status=${RUNNING}&${ALL}`)).text).toBe(after.text);
  });

  it('starts the head of WAITING at the first step and ends the head of RUNNING at the second', async () => {
    const clock = fakeClock();
    const emu = await start({ jobs: inWorkspace0, motion: { clock: clock.read } });
    const [waiter, runner] = [headOf(inWorkspace0, WAITING), headOf(inWorkspace0, RUNNING)];
    const at = async (elapsed: number): Promise<Map<bigint, WireJob>> => {
      clock.now = EPOCH + elapsed;
      return byId(await get(emu, ALL));
    };
    expect((await at(STEP - 1)).get(waiter.jobId)).toMatchObject({ status: WAITING, duration: 0 });
    expect((await at(STEP)).get(waiter.jobId)).toMatchObject({ status: RUNNING, duration: 0 });
    const beforeFinish = await at(2 * STEP - 1);
    expect(beforeFinish.get(waiter.jobId)).toMatchObject({ status: RUNNING, duration: STEP - 1 });
    expect(beforeFinish.get(runner.jobId)).toMatchObject({ status: RUNNING, duration: runner.duration + 2 * STEP - 1 });
    const finished = await at(2 * STEP);
    const ended = finished.get(runner.jobId);
    expect([10, 11]).toContain(ended?.status);
    expect(ended?.duration).toBe(runner.duration + 2 * STEP);
    const added = [...finished.keys()].filter((id) => !inWorkspace0.some((j) => j.jobId === id));
    expect(added).toHaveLength(1);
    expect(finished.get(added[0] as bigint)).toMatchObject({ status: WAITING, duration: 0, create_time: EPOCH + 2 * STEP });
    expect((await at(50 * STEP)).get(runner.jobId)).toEqual(ended); // frozen once ended
  });

  it('moves exactly one job one state on per step, and adds a job at each finish', async () => {
    const clock = fakeClock();
    const emu = await start({ jobs: inWorkspace0, motion: { clock: clock.read, stepMs: 1000 } });
    let previous = byId(await get(emu, ALL));
    for (let step = 1; step <= 12; step++) {
      clock.now = EPOCH + step * 1000;
      const current = byId(await get(emu, ALL));
      const moved = [...previous].filter(([id, job]) => current.get(id)?.status !== job.status);
      expect(moved).toHaveLength(1);
      const [id, job] = moved[0] as [bigint, WireJob];
      const now = current.get(id)?.status;
      if (step % 2 === 1) expect([job.status, now]).toEqual([WAITING, RUNNING]);
      else expect([job.status, now === 10 || now === 11]).toEqual([RUNNING, true]);
      expect(current.size - previous.size).toBe(step % 2 === 1 ? 0 : 1);
      previous = current;
    }
  });

  it('gives identical bytes from two emulators on one clock, also after jumping back and forth', async () => {
    const clock = fakeClock();
    const [a, b] = await Promise.all([start({ motion: { clock: clock.read } }), start({ motion: { clock: clock.read } })]);
    const queries = ['', 'sortBy=duration&order=desc&per_page=50', `status=${WAITING}&sortBy=create_time`];
    const seen = new Map<string, string>();
    for (const elapsed of [123, 9999, 7 * STEP + 5, 123, 3 * DAY, 9999, 7 * STEP + 5]) {
      clock.now = EPOCH + elapsed;
      for (const query of queries) {
        const [x, y] = await Promise.all([get(a, query), get(b, query)]);
        expect(x.text).toBe(y.text);
        const key = `${elapsed} ${query}`;
        expect(x.text).toBe(seen.get(key) ?? x.text);
        seen.set(key, x.text);
      }
    }
  });
});

describe('jobsAt', () => {
  it('keeps the given jobs untouched and returns the very objects of those that did not move', () => {
    const given = generateJobs(300, 6);
    const copy = structuredClone(given);
    const moved = jobsAt(given, { epoch: EPOCH, stepMs: 1000 }, EPOCH + 3 * DAY);
    expect(given).toEqual(copy);
    given.forEach((job, i) => {
      if (job.status !== WAITING && job.status !== RUNNING) expect(moved[i]).toBe(job);
      else expect(moved[i]).not.toBe(job); // a new object, so no cached JSON goes stale
    });
    expect(jobsAt(given, { epoch: EPOCH }, EPOCH - DAY)).toEqual(given); // before epoch: as given
  });

  it('moves even a set where nothing waits or runs: each finish adds the job the next start takes', () => {
    const states = [1, 2, 3].map((step) => jobsAt([], { epoch: EPOCH, stepMs: 10 }, EPOCH + step * 10));
    expect(states.map((jobs) => jobs.map((j) => [j.status, j.createTime, j.duration, j.workspaceId]))).toEqual([
      [[WAITING, EPOCH + 10, 0, '0']],
      [[RUNNING, EPOCH + 10, 0, '0']],
      [[expect.toSatisfy((s: number) => s === 10 || s === 11), EPOCH + 10, 10, '0'], [WAITING, EPOCH + 30, 0, '0']],
    ]);
  });
});

describe('motion: listing on moved data', () => {
  const queries = [
    `status=${RUNNING}&${ALL}`, 'status=10&sortBy=duration&order=desc&page=2&per_page=7', 'sortBy=status&page=3&per_page=25',
    'sortBy=duration&per_page=1000', 'search_content=RES&sortBy=create_time', 'workspace_id=ws-7f3a&sortBy=duration',
    'page=0', 'sortBy=size', 'workspace_id=nowhere',
  ];

  it('answers at each moment what a static emulator answers for jobsAt() of that moment', async () => {
    const clock = fakeClock();
    const moving = await start({ motion: { clock: clock.read } });
    for (const elapsed of [0, 2500, 41 * STEP + 17, 30 * DAY]) {
      clock.now = EPOCH + elapsed;
      const frozen = await start({ jobs: jobsAt(defaultJobs(), { epoch: EPOCH }, clock.now) });
      for (const query of queries) expect((await get(moving, query)).text).toBe((await get(frozen, query)).text);
    }
  });

  it('filters, sorts and pages the moved data consistently', async () => {
    const clock = fakeClock();
    const emu = await start({ motion: { clock: clock.read } });
    clock.now = EPOCH + 7 * DAY + 1234;
    const all = await get(emu, 'sortBy=duration&per_page=1000');
    const durations = all.jobs.map((j) => j.duration);
    expect(durations).toEqual([...durations].sort((x, y) => x - y));
    expect((await get(emu, `status=${RUNNING}&${ALL}`)).jobs.every((j) => j.status === RUNNING)).toBe(true);
    const statuses = (await get(emu, 'sortBy=status&order=desc&per_page=1000')).jobs.map((j) => j.status);
    expect(statuses).toEqual([...statuses].sort((x, y) => y - x));
    const pages = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((p) => get(emu, `sortBy=duration&per_page=50&page=${p}`)));
    expect(pages.flatMap((p) => p.ids)).toEqual(all.ids);
    expect(pages.every((p) => p.total === all.total)).toBe(true);
    expect(all.text).toContain('"job_id":9223372036854775807,'); // a running job above 2^53
  });

  it('applies faults exactly as on static data', async () => {
    const emu = await start({ motion: { clock: fakeClock().read } });
    emu.setFault({ status: 503, error: { shape: 'apigw', code: 'APIGW.0203' }, times: 1 });
    expect((await get(emu)).status).toBe(503);
    expect((await get(emu)).status).toBe(200);
  });
});

describe('motion: bounds, speed and static data', () => {
  it('stays bounded and keeps every status code after a month', async () => {
    const clock = fakeClock();
    const emu = await start({ motion: { clock: clock.read } });
    // Each job waiting or running at epoch holds one place in the queues; only 100 finished added jobs stay.
    const moving = defaultJobs().filter((j) => j.status === WAITING || j.status === RUNNING).length;
    clock.now = EPOCH + 30 * DAY;
    const month = await get(emu, ALL);
    expect(month.total).toBeLessThanOrEqual(inWorkspace0.length + moving + 100);
    expect(new Set(month.jobs.map((j) => j.status)).size).toBe(23);
    const endings = new Set(month.jobs.filter((j) => j.create_time > EPOCH && j.duration > 0).map((j) => j.status));
    expect([...endings].sort()).toEqual([10, 11, RUNNING]);
    clock.now = EPOCH + 60 * DAY;
    expect((await get(emu, ALL)).total).toBe(month.total); // flat, not growing
  });

  it('answers pages of 5000 moved jobs quickly a month on', async () => {
    const clock = fakeClock();
    const emu = await start({ jobs: generateJobs(5000, 2), motion: { clock: clock.read }, logRequests: false });
    clock.now = EPOCH + 30 * DAY;
    const began = performance.now();
    for (let i = 0; i < 50; i++) await get(emu, `sortBy=duration&page=${1 + i}&per_page=20`);
    expect(performance.now() - began).toBeLessThan(1500);
  });

  it('changes pages with a quantized clock only at its boundaries', async () => {
    const clock = fakeClock();
    const emu = await start({ motion: { clock: () => Math.floor(clock.read() / 1000) * 1000 } });
    const pages = async (): Promise<string[]> =>
      Promise.all([1, 2, 3].map(async (p) => (await get(emu, `status=${RUNNING}&per_page=10&page=${p}`)).text));
    clock.now = EPOCH + 1000;
    const first = await pages();
    clock.now = EPOCH + 1999;
    expect(await pages()).toEqual(first);
    clock.now = EPOCH + 2000;
    const next = await pages();
    next.forEach((text, i) => expect(text).not.toBe(first[i]));
  });

  it('serves the same bytes as before without motion, and at its epoch with motion', async () => {
    const pinned: Record<string, string> = {
      '': '7f8203f57b4c985844b7a323405e9058d514c2eedf2109573869bf71b9a3db6b',
      'status=8': '0895cf119e8626e091e50e88a1be6a6a8caf4f99063fd0510276323f61543da7',
      'sortBy=duration&order=desc&per_page=50': 'ad4a60db4a287dda41094f987d470ba6b95948e92187dd839a4fbb8802f0dabd',
      'sortBy=status&page=3&per_page=20': 'ba23955025643eaceaf2a943695f95e0ece22cb5777d3fa122b4b7f083c92f92',
    };
    const [still, moving] = await Promise.all([start({}), start({ motion: { clock: fakeClock().read } })]);
    for (const [query, hash] of Object.entries(pinned)) {
      expect(sha256((await get(still, query)).text)).toBe(hash);
      expect(sha256((await get(moving, query)).text)).toBe(hash);
    }
  });

  it('rejects bad motion options at creation', () => {
    expect(() => createEmulator({ motion: { stepMs: 0 } })).toThrow(/stepMs/);
    expect(() => createEmulator({ motion: { epoch: 1.5 } })).toThrow(/epoch/);
    expect(() => createEmulator({ motion: { clock: 5 as unknown as () => number } })).toThrow(/clock/);
    expect(() => createEmulator({ motion: { clock: () => Number.NaN } })).toThrow(TypeError);
  });
});
