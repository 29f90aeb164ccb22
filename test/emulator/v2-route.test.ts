// The emulator's v2 route, POST /v2/{project_id}/training-job-searches (DESIGN.md "The
// emulator serves v2 too"): the same data set as v1 under the phase rule, UUID ids, v2's limits
// and error bodies, both readings of `offset`, and faults matched by the body.
import { describe, expect, it } from 'vitest';
import { createEmulator, defaultJobs } from '../../src/emulator/index.ts';
import { AUTH, call, emu, raw, useEmulator } from './support.ts';

useEmulator();

const V2_PATH = '/v2/proj-1/training-job-searches';
const search = async (body: unknown, base = emu.url) => {
  const res = await fetch(`${base}${V2_PATH}`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

// DESIGN.md's rule, restated here so the test does not read it from the code it checks.
const PHASE_OF: Record<number, string> = {};
for (const [phase, codes] of Object.entries({
  Creating: [1, 2, 4, 18], Pending: [7], Running: [8, 15, 19], Terminating: [9], Completed: [10, 20],
  Failed: [3, 5, 6, 11, 16, 17, 21, 22], Abnormal: [14, 0], Terminated: [12, 13],
})) for (const code of codes) PHASE_OF[code] = phase;

describe('the v2 route', () => {
  it('lists the same jobs as v1, newest first, each with the phase of its v1 code and a UUID id', async () => {
    const v1 = await call('per_page=1000&sortBy=create_time&order=desc');
    const v2 = await search({ offset: 0, limit: 50, sort_by: 'create_time', order: 'desc', workspace_id: '0' });
    expect(v2.status).toBe(200);
    const v1Jobs = (v1.body.jobs as Array<{ job_name: string; status: number; create_time: number; duration: number }>).slice(0, 50);
    expect(v2.body.count).toBe(v1.body.job_total_count);
    expect(v2.body.total).toBe(defaultJobs().length);
    expect(v2.body.items.map((i: any) => [i.metadata.name, i.metadata.create_time, i.status.phase, i.status.duration])).toEqual(
      v1Jobs.map((j) => [j.job_name, j.create_time, PHASE_OF[j.status], j.duration]),
    );
    const ids = v2.body.items.map((i: any) => i.metadata.id);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(v2.body).toMatchObject({ limit: 50, offset: 0, sort_by: 'create_time', order: 'desc', workspace_id: '0' });
  });

  it('filters by phases with `in` and by name with `like`, case-insensitively', async () => {
    const all = await search({ offset: 0, limit: 50, filters: [{ key: 'phase', operator: 'in', value: ['Failed', 'Abnormal'] }] });
    expect(all.body.count).toBeGreaterThan(0);
    for (const item of all.body.items) expect(['Failed', 'Abnormal']).toContain(item.status.phase);
    const named = await search({ offset: 0, limit: 50, filters: [{ key: 'name', operator: 'like', value: ['OCR'] }] });
    expect(named.body.count).toBeGreaterThan(0);
    for (const item of named.body.items) expect(item.metadata.name.toLowerCase()).toContain('ocr');
  });

  it('reads offset as a page index by default, and as a record index when told', async () => {
    const byPage = await search({ offset: 2, limit: 7, order: 'asc' });
    const reference = await search({ offset: 0, limit: 50, order: 'asc' });
    expect(byPage.body.items.map((i: any) => i.metadata.id)).toEqual(reference.body.items.slice(14, 21).map((i: any) => i.metadata.id));
    const other = await createEmulator({ v2Offset: 'record' }).listen();
    try {
      const byRecord = await search({ offset: 2, limit: 7, order: 'asc' }, other.url);
      expect(byRecord.body.items.map((i: any) => i.metadata.id)).toEqual(reference.body.items.slice(2, 9).map((i: any) => i.metadata.id));
    } finally {
      await other.close();
    }
  });

  it('answers an empty default workspace with an empty page, not an error', async () => {
    const empty = await createEmulator({ jobs: [] }).listen();
    try {
      const res = await search({ offset: 0, limit: 10, workspace_id: '0' }, empty.url);
      expect(res).toEqual({ status: 200, body: expect.objectContaining({ total: 0, count: 0, items: [] }) });
    } finally {
      await empty.close();
    }
  });

  it.each([
    ['a body that is not JSON', '{"offset":', 'ModelArts.2787'],
    ['a JSON array', '[]', 'ModelArts.2787'],
    ['a negative offset', { offset: -1, limit: 1 }, 'ModelArts.2788'],
    ['a fractional offset', { offset: 1.5, limit: 1 }, 'ModelArts.2788'],
    ['a limit of 0', { offset: 0, limit: 0 }, 'ModelArts.2788'],
    ['a limit over 50', { offset: 0, limit: 51 }, 'ModelArts.2816'],
    ['another sort key', { sort_by: 'name' }, 'ModelArts.2790'],
    ['an order of neither', { order: 'up' }, 'ModelArts.2788'],
    ['an unknown workspace', { workspace_id: 'nowhere' }, 'ModelArts.0102'],
    ['filters that are no array', { filters: {} }, 'ModelArts.2788'],
    ['an unknown filter key', { filters: [{ key: 'owner', operator: 'in', value: ['x'] }] }, 'ModelArts.2789'],
    ['an operator the key does not take', { filters: [{ key: 'phase', operator: 'like', value: ['Running'] }] }, 'ModelArts.2808'],
    ['an undocumented operator', { filters: [{ key: 'name', operator: 'eq', value: ['x'] }] }, 'ModelArts.2808'],
    ['an empty value list', { filters: [{ key: 'phase', operator: 'in', value: [] }] }, 'ModelArts.2809'],
    ['a value that is no string', { filters: [{ key: 'phase', operator: 'in', value: [8] }] }, 'ModelArts.2809'],
  ])('refuses %s with 400 and a v2 error body', async (_what, body, code) => {
    const res = await search(body);
    expect(res).toEqual({ status: 400, body: { error_code: code, error_msg: expect.any(String), error_solution: expect.any(String) } });
  });

  it('refuses a body that is not UTF-8, which a signature could not cover', async () => {
    const res = await raw(V2_PATH, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0xff, 0x7d]) });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).error_code).toBe('ModelArts.2787');
  });

  it('answers GET on the v2 path with 405 and Allow: POST, and POST on the v1 path with Allow: GET', async () => {
    const get = await call('', { path: V2_PATH });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const post = await call('', { method: 'POST' });
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('logs the body exactly as received', async () => {
    await search('{"offset":0,"limit":1,"filters":[{"key":"name","operator":"like","value":["中文"]}]}');
    expect(emu.requests.at(-1)).toMatchObject({ method: 'POST', path: V2_PATH, query: '', body: '{"offset":0,"limit":1,"filters":[{"key":"name","operator":"like","value":["中文"]}]}' });
  });

  it('matches a fault by the body’s fields and its filters’ values', async () => {
    emu.setFault([
      { when: { phase: 'Failed,Abnormal' }, status: 503, error: { shape: 'v2', code: 'ModelArts.0010' } },
      { when: { offset: '3', limit: '5' }, status: 429, error: { shape: 'apigw', code: 'APIG.0308' } },
    ]);
    expect((await search({ offset: 0, limit: 5, filters: [{ key: 'phase', operator: 'in', value: ['Failed', 'Abnormal'] }] })).status).toBe(503);
    expect((await search({ offset: 0, limit: 5, filters: [{ key: 'phase', operator: 'in', value: ['Failed'] }] })).status).toBe(200);
    expect((await search({ offset: 3, limit: 5 })).status).toBe(429);
    expect((await search({ offset: 3, limit: 6 })).status).toBe(200);
  });
});
