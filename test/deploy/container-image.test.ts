/**
 * The image, without Docker (no engine runs in CI): the Dockerfile's own steps are performed
 * here, each stage in an empty folder of its own, outside the repository, so that nothing
 * resolves from the project's node_modules. The final stage is then started with the image's
 * CMD and environment, probed with its HEALTHCHECK, queried in demo mode down every lazily
 * loaded path, and stopped with its STOPSIGNAL. A runtime import of a devDependency fails it.
 * The RUN steps use this machine's node; the image runs on its base image's Node, so the CMD and
 * HEALTHCHECK run under both (that one fetched from the npm registry when the machine has another).
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { isBuiltin } from 'node:module';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The base image of every stage, and so the Node the image runs on. */
const BASE_IMAGE = 'node:24-bookworm-slim';
const IMAGE_MAJOR = Number(/^node:(\d+)-/.exec(BASE_IMAGE)![1]);
const MACHINE_MAJOR = Number(process.versions.node.split('.')[0]);

const fetched = new Map<number, Promise<string>>();
/**
 * The path of a node binary of this major version: the machine's own, or the npm registry's
 * `node` package through npx (about 5 s the first time, from npx's cache afterwards).
 */
function nodeBinary(major: number): Promise<string> {
  if (major === MACHINE_MAJOR) return Promise.resolve(process.execPath);
  let binary = fetched.get(major);
  if (binary === undefined) {
    // Outside the repository, so that the project's own package.json plays no part.
    binary = run('npx', ['-y', '-p', `node@${major}`, 'node', '-p', 'process.execPath'], {
      cwd: tmpdir(),
      env: { ...process.env, npm_config_update_notifier: 'false' },
    }).then(({ stdout }) => stdout.trim());
    fetched.set(major, binary);
  }
  return binary;
}

/** The runtimes the image's CMD is started with: the machine's node and the image's, once each. */
const RUNTIMES: Array<[label: string, major: number]> = [...new Map([
  [MACHINE_MAJOR, `Node ${MACHINE_MAJOR}, this machine's`],
  [IMAGE_MAJOR, `Node ${IMAGE_MAJOR}, the image's`],
])].map(([major, label]) => [label, major]);

interface Stage {
  name: string | undefined;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
  healthcheck?: string[];
  stopSignal?: string;
  runs: string[];
}

/** The Dockerfile as instructions: comments dropped, continuation lines joined. */
function instructions(text: string): Array<[string, string]> {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return [keyword!.toUpperCase(), rest.join(' ')];
    });
}

/** Performs the Dockerfile's steps; returns every stage, the last being the image. */
async function build(dockerfile: string, base: string): Promise<Stage[]> {
  const stages: Stage[] = [];
  const inStage = (stage: Stage, path: string) => join(stage.root, path.startsWith('/') ? path : join(stage.workdir, path));
  for (const [keyword, args] of instructions(dockerfile)) {
    const stage = stages.at(-1)!;
    switch (keyword) {
      case 'FROM': {
        const name = /\sAS\s+(\S+)$/i.exec(args)?.[1];
        const root = join(base, `stage-${stages.length}`);
        mkdirSync(root);
        stages.push({ name, root, workdir: '/', env: {}, runs: [] });
        break;
      }
      case 'WORKDIR':
        stage.workdir = resolve(stage.workdir, args);
        mkdirSync(inStage(stage, '/'), { recursive: true });
        break;
      case 'ENV':
        for (const [, key, value] of args.matchAll(/(\w+)=(\S+)/g)) stage.env[key!] = value!;
        break;
      case 'COPY': {
        const words = args.split(/\s+/);
        const fromName = words[0]!.startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
        const from = fromName === undefined ? undefined : stages.find((s) => s.name === fromName);
        if (fromName !== undefined && from === undefined) throw new Error(`COPY --from=${fromName}: no such stage`);
        const dest = inStage(stage, words.pop()!);
        for (const source of words) {
          const path = from ? join(from.root, source) : join(ROOT, source);
          const target = statSync(path).isDirectory() ? dest : join(dest, basename(path));
          mkdirSync(dirname(target), { recursive: true });
          cpSync(path, target, { recursive: true });
        }
        break;
      }
      case 'RUN':
        stage.runs.push(args);
        await run('sh', ['-c', args], {
          cwd: inStage(stage, '.'),
          env: { PATH: process.env['PATH'], HOME: process.env['HOME'], npm_config_update_notifier: 'false', ...stage.env },
          maxBuffer: 64 * 1024 * 1024,
        });
        break;
      case 'USER':
        stage.user = args;
        break;
      case 'CMD':
        stage.cmd = JSON.parse(args) as string[];
        break;
      case 'HEALTHCHECK':
        stage.healthcheck = JSON.parse(args.replace(/^.*?\bCMD\s+/, '')) as string[];
        break;
      case 'STOPSIGNAL':
        stage.stopSignal = args;
        break;
      case 'EXPOSE':
        break;
      default:
        throw new Error(`the container test does not know ${keyword}: extend it or keep to the instructions it knows`);
    }
  }
  return stages;
}

/** Bare module names imported anywhere in the built output, static or dynamic. */
/**
 * What the bundle (scripts/build.mjs) still takes from node_modules when it runs: packages it
 * imports statically (esbuild writes `import ... from "x";`), and names given to createRequire.
 */
function runtimePackages(dir: string): { imported: Set<string>; required: Set<string> } {
  const imported = new Set<string>();
  const required = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    if (!entry.endsWith('.js')) continue;
    const text = readFileSync(join(dir, entry), 'utf8');
    // Node's own modules, with or without `node:` (the OpenTelemetry exporters' ES builds name them bare).
    for (const [, spec] of text.matchAll(/^import [^;\n]* from "([^".][^"]*)";$/gm)) if (!isBuiltin(spec!)) imported.add(spec!);
    for (const [, spec] of text.matchAll(/createRequire\(import\.meta\.url\)\("([^"]+)"\)/g)) required.add(spec!);
  }
  return { imported, required };
}

describe('the container image, built and run without Docker', () => {
  let base: string;
  let image: Stage;
  let app: string;
  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'image-'));
    const stages = await build(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'), base);
    image = stages.at(-1)!;
    app = join(image.root, image.workdir);
  }, 300_000);
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('is multi-stage, non-root, production, health-checked, and starts node itself', () => {
    const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(instructions(text).filter(([k]) => k === 'FROM').length).toBeGreaterThanOrEqual(2);
    expect(image.user).toBe('node');
    expect(image.env['NODE_ENV']).toBe('production');
    expect(image.healthcheck?.[0]).toBe('node');
    expect(image.stopSignal).toBe('SIGTERM');
    expect(image.cmd?.[0]).toBe('node'); // exec form: node is PID 1 and gets the signal
    expect(text).toMatch(/npm ci --omit=dev/);
  });

  it(`runs every stage on ${BASE_IMAGE}, while package.json still allows Node 20.18.1`, () => {
    const bases = instructions(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
      .filter(([keyword]) => keyword === 'FROM')
      .map(([, args]) => args.split(/\s+/)[0]);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toBe(BASE_IMAGE);
    // The image moved on; people running from source on Node 20 did not.
    const { engines } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: Record<string, string> };
    expect(engines['node']).toBe('>=20.18.1');
  });

  it('holds the compiled output and production dependencies only', () => {
    for (let dir = dirname(app); dir !== dirname(dir); dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), `${dir}/node_modules would leak into resolution`).toBe(false);
    }
    expect(existsSync(join(app, 'dist/src/main.js'))).toBe(true);
    expect(existsSync(join(app, 'src'))).toBe(false);
    const { devDependencies, dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    for (const name of ['typescript', 'vitest', 'tsx', 'playwright-core']) {
      expect(devDependencies).toHaveProperty(name);
      expect(existsSync(join(app, 'node_modules', name)), name).toBe(false);
    }
    for (const name of Object.keys(dependencies!)) expect(existsSync(join(app, 'node_modules', name)), name).toBe(true);
  });

  it('is one bundle that imports no package, and resolves the one it requires by name from the image alone', async () => {
    const { imported, required } = runtimePackages(join(app, 'dist'));
    expect([...imported]).toEqual([]);
    expect([...required]).toEqual(['lossless-json']);
    const script = `for (const p of ${JSON.stringify([...required])}) import.meta.resolve(p);`;
    await expect(run(process.execPath, ['--input-type=module', '-e', script], { cwd: app })).resolves.toBeDefined();
  });

  it.each(RUNTIMES)('starts with its CMD in demo mode, answers, passes its HEALTHCHECK, and exits 0 on its STOPSIGNAL, under %s', async (_label, major) => {
    const node = await nodeBinary(major);
    expect((await run(node, ['--version'])).stdout).toMatch(new RegExp(`^v${major}\\.`));
    const [command, ...args] = image.cmd!;
    expect(command).toBe('node');
    const child = spawn(node, args, {
      cwd: app,
      env: { PATH: process.env['PATH'], ...image.env, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'close');
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    try {
      const port = await vi.waitFor(() => {
        const port = /"port":(\d+),"msg":"listening/.exec(stdout)?.[1];
        if (!port) throw new Error(`not listening yet: ${stderr}`);
        return port;
      }, { timeout: 20_000, interval: 50 });
      const origin = `http://127.0.0.1:${port}`;

      const [health, ...check] = image.healthcheck!;
      expect(health).toBe('node');
      await expect(run(node, check, { env: { PATH: process.env['PATH'], PORT: port } })).resolves.toBeDefined();
      expect((await fetch(`${origin}/ready`)).status).toBe(200);

      const query = '{ trainingJobs(perPage: 2) { totalCount jobs { id status createdAt duration } } }';
      const fast = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      expect(((await fast.json()) as any).data.trainingJobs.jobs).toHaveLength(2);
      // GET goes through yoga, loaded on first need: its packages must be in the image.
      const viaYoga = await fetch(`${origin}/graphql?query=${encodeURIComponent(query)}`, { headers: { 'x-graphql-csrf': '1' } });
      expect(((await viaYoga.json()) as any).data.trainingJobs.totalCount).toBeGreaterThan(0);
      const graphiql = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
      expect(graphiql.status).toBe(200);
      expect(await graphiql.text()).toContain('GraphiQL');
      const metrics = await (await fetch(`${origin}/metrics`)).text();
      expect(metrics).toContain('gateway_graphql_requests_total{operation="anonymous",outcome="ok"} 2');
      // The running gateway's own word for the Node it runs on (prom-client's default metrics).
      expect(metrics).toMatch(new RegExp(`^nodejs_version_info\\{[^}]*major="${major}"`, 'm'));

      child.kill(image.stopSignal as NodeJS.Signals);
      expect(await exited).toEqual([0, null]);
      expect(stderr).toBe('');
      expect(stdout).toContain('"msg":"stopped"');
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
