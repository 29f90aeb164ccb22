/**
 * The deployment files under deploy/, checked without Docker or a cluster (CI has neither):
 * they must configure the gateway the way src/config.ts reads it, probe the endpoints DESIGN.md
 * defines on the port it listens on, give a stopping replica the time its shutdown takes, and
 * carry Server-Sent Events and WebSocket through the load balancer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { BlockList } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig, VARIABLES, type Config } from '../../src/config.ts';

// Parsed YAML is untyped by nature; the assertions are the types.
type Yaml = any;
type Env = Record<string, string>;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');
const KNOWN = new Set(VARIABLES.map((v) => v.name));

/** Stand-ins for values only a real Secret holds: each must itself be valid. */
const SECRET_PLACEHOLDERS: Env = {
  REDIS_URL: 'redis://placeholder.invalid:6379',
  MODELARTS_TOKEN: 'placeholder-token',
  MODELARTS_AK: 'placeholder-ak',
  MODELARTS_SK: 'placeholder-sk',
  MODELARTS_SECURITY_TOKEN: 'placeholder-security-token',
};

const documents = new Map(
  (readdirSync(DEPLOY, { recursive: true }) as string[])
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => [file, parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8'))] as const),
);
const yamlOf = (file: string): Yaml[] => [...(documents.get(file) ?? [])].map((doc) => doc.toJS());
const kubernetes: Yaml[] = [...documents.keys()].filter((f) => f.startsWith('kubernetes/')).flatMap(yamlOf);
const compose: Yaml = yamlOf('compose.yaml')[0];
const configmapText = readFileSync(join(DEPLOY, 'kubernetes/configmap.yaml'), 'utf8');
const nginx = parseNginx(readFileSync(join(DEPLOY, 'nginx.conf'), 'utf8'));
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** The one object of a kind (and name), failing when there are none or several. */
function only(kind: string, name?: string): Yaml {
  const found = kubernetes.filter((o) => o?.kind === kind && (name === undefined || o.metadata?.name === name));
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0];
}

/** The final stage's ENV: what every container starts with before deploy/ adds to it. */
function imageEnv(): Env {
  const finalStage = dockerfile.split(/^FROM\s/m).at(-1)!;
  const env: Env = {};
  for (const [, line] of finalStage.matchAll(/^ENV\s+(.+)$/gm)) {
    for (const [, key, value] of line!.matchAll(/(\w+)=(\S+)/g)) env[key!] = value!;
  }
  return env;
}

/** Seconds in an nginx time ("1h", "90s", "75") or a compose duration ("1m30s", "500ms"). */
function seconds(text: string): number {
  const parts = [...String(text).matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)?/g)];
  expect(parts.length, `a duration: ${text}`).toBeGreaterThan(0);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };
  return parts.reduce((sum, [, n, u]) => sum + Number(n) * unit[(u ?? 's') as keyof typeof unit], 0);
}

/** loadConfig on the environment a container gets, failing with every problem it reports. */
function configFor(env: Env): Config {
  for (const name of Object.keys(env)) expect(KNOWN.has(name), `${name} is not a variable src/config.ts reads`).toBe(true);
  return loadConfig({ ...imageEnv(), ...env });
}

/** How many seconds a preStop hook sleeps before SIGTERM reaches the process. */
function preStopSeconds(hook: Yaml): number {
  if (hook === undefined) return 0;
  if (hook.sleep) return hook.sleep.seconds;
  const sleep = /\bsleep\s+(\d+)/.exec((hook.exec?.command ?? []).join(' '))?.[1];
  expect(sleep, `a preStop hook this test understands: ${JSON.stringify(hook)}`).toBeDefined();
  return Number(sleep);
}

/** The compose services: gateways (built here), the Redis and the nginx in front. */
function composeServices() {
  const services: Record<string, Yaml> = compose?.services ?? {};
  const names = Object.keys(services);
  return {
    services,
    gateways: names.filter((name) => services[name].build !== undefined),
    redis: names.find((name) => /^redis:/.test(services[name].image ?? '')),
    lb: names.find((name) => /^nginx:/.test(services[name].image ?? '')),
  };
}

/** A compose service's environment, as it is when the shell sets none of the ${...} variables. */
function environment(service: Yaml): Env {
  const entries: Array<[string, unknown]> = Array.isArray(service.environment)
    ? service.environment.map((line: string) => [line.split('=', 1)[0], line.slice(line.indexOf('=') + 1)])
    : Object.entries(service.environment ?? {});
  return Object.fromEntries(
    entries.map(([name, value]) => {
      const text = String(value ?? '').replace(/\$\{\w+(?::?-([^}]*))?\}/g, (_all, fallback?: string) => fallback ?? '');
      expect(text.replaceAll('$$', ''), `${name}: interpolation this test understands`).not.toContain('$');
      return [name, text.replaceAll('$$', '$')];
    }),
  );
}

describe('deploy/ YAML', () => {
  it('parses every file, multi-document ones included, without errors or warnings', () => {
    expect([...documents.keys()]).toEqual(expect.arrayContaining(['compose.yaml', 'kubernetes/deployment.yaml']));
    for (const [file, docs] of documents) {
      expect(docs.length, file).toBeGreaterThan(0);
      for (const doc of docs) {
        expect(doc.errors.map((e) => e.message), file).toEqual([]);
        expect(doc.warnings.map((e) => e.message), file).toEqual([]);
      }
    }
  });
});

describe('Kubernetes manifests', () => {
  /** The gateway's Deployment, its pod template and container, and the environment it gets. */
  function gateway() {
    const deployment = only('Deployment');
    const pod = deployment.spec.template;
    const container = pod.spec.containers.find((c: Yaml) => c.name === 'gateway');
    expect(container, 'a container named gateway').toBeDefined();
    const portOf = (port: number | string): number =>
      typeof port === 'number' ? port : container.ports.find((p: Yaml) => p.name === port)?.containerPort;
    // ConfigMaps through envFrom, then env; values from Secrets as placeholders.
    const env: Env = {};
    const fromSecrets: string[] = [];
    for (const source of container.envFrom ?? []) {
      expect(source.secretRef, 'envFrom a Secret would hide which variables it sets').toBeUndefined();
      Object.assign(env, only('ConfigMap', source.configMapRef.name).data);
    }
    for (const { name, value, valueFrom } of container.env ?? []) {
      if (valueFrom?.secretKeyRef) {
        expect(SECRET_PLACEHOLDERS, `a placeholder for the secret ${name}`).toHaveProperty(name);
        env[name] = SECRET_PLACEHOLDERS[name]!;
        fromSecrets.push(name);
      } else if (valueFrom?.configMapKeyRef) {
        env[name] = only('ConfigMap', valueFrom.configMapKeyRef.name).data[valueFrom.configMapKeyRef.key];
      } else {
        expect(valueFrom, `${name}: a value this test understands`).toBeUndefined();
        env[name] = value;
      }
    }
    return { deployment, pod, container, portOf, env, fromSecrets };
  }

  it('sets only variables src/config.ts reads, as strings, and the gateway starts with them', () => {
    const { env } = gateway();
    // The API server refuses ConfigMap data and env values that are not strings ("4000", not 4000).
    for (const [name, value] of Object.entries(env)) expect(typeof value, name).toBe('string');
    expect(() => configFor(env)).not.toThrow();
  });

  it('takes REDIS_URL, which may hold a password, from a Secret; the example Secret is valid and applied apart', () => {
    const { container, env, fromSecrets } = gateway();
    expect(fromSecrets).toContain('REDIS_URL');
    const ref = container.env.find((e: Yaml) => e.name === 'REDIS_URL').valueFrom.secretKeyRef;
    const secret = only('Secret', ref.name);
    expect(secret.stringData).toHaveProperty(ref.key);
    // Its placeholder must still be a URL the gateway accepts, naming the Redis Service.
    const config = configFor({ ...env, ...secret.stringData });
    expect(config.redis?.host).toBe(only('Service', 'redis').metadata.name);
    // `kubectl apply -f deploy/kubernetes/` (not recursive) must never overwrite a real Secret.
    const appliedTogether = [...documents.keys()].filter((f) => /^kubernetes\/[^/]+$/.test(f)).flatMap(yamlOf);
    expect(appliedTogether.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('reaches the managed Redis through an ExternalName Service called redis', () => {
    const redis = only('Service', 'redis');
    expect(redis.spec.type).toBe('ExternalName');
    expect(redis.spec.externalName).toMatch(/^[a-z0-9.-]+\.[a-z]{2,}$/);
  });

  it('probes /health for liveness and /ready for readiness, on the container port, which is PORT', () => {
    const { container, portOf, env } = gateway();
    const { port } = configFor(env);
    expect(container.ports.find((p: Yaml) => p.name === 'http')?.containerPort).toBe(port);
    expect(container.livenessProbe.httpGet.path).toBe('/health');
    expect(container.readinessProbe.httpGet.path).toBe('/ready');
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe].filter(Boolean)) {
      expect(portOf(probe.httpGet.port)).toBe(port);
    }
    // /ready says 503 while draining: a startup probe on it would fail a pod that is merely stopping.
    if (container.startupProbe) expect(container.startupProbe.httpGet.path).toBe('/health');
  });

  it('has a ClusterIP Service on port 80 that targets that port on the pods', () => {
    const { deployment, pod, portOf, env } = gateway();
    const selecting = kubernetes.filter((o) => o.kind === 'Service' && o.spec.type !== 'ExternalName');
    expect(selecting).toHaveLength(1);
    const service = selecting[0];
    expect(service.spec.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(service.spec.ports).toHaveLength(1);
    expect(service.spec.ports[0].port).toBe(80);
    expect(portOf(service.spec.ports[0].targetPort)).toBe(configFor(env).port);
    expect(pod.metadata.labels).toMatchObject(service.spec.selector);
    expect(pod.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
  });

  it('lets a stopping pod leave the Service, then finish its requests, before the kubelet kills it', () => {
    const { pod, container, env } = gateway();
    const { shutdownDelayMs, shutdownGraceMs } = configFor(env);
    const needed = (shutdownDelayMs + shutdownGraceMs) / 1000 + preStopSeconds(container.lifecycle?.preStop);
    expect(pod.spec.terminationGracePeriodSeconds ?? 30).toBeGreaterThan(needed);
    // The pod keeps serving until the readiness probe (Kubernetes' defaults: 10 s x 3) has
    // failed often enough to take it out of every endpoint list.
    const probe = container.readinessProbe;
    expect(shutdownDelayMs).toBeGreaterThan((probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3) * 1000);
  });

  it('scales the Deployment on CPU, and its disruption budget always lets a pod go', () => {
    const { deployment, pod } = gateway();
    const hpa = only('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.metrics).toContainEqual(
      expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu', target: expect.objectContaining({ type: 'Utilization' }) }) }),
    );
    expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);

    const pdb = only('PodDisruptionBudget');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pod.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    // At minAvailable = replicas no eviction is ever allowed, and node drains hang.
    expect(pdb.spec.minAvailable).toBeLessThan(Math.min(deployment.spec.replicas ?? 1, hpa.spec.minReplicas ?? 1));
  });

  it('requests resources, which the CPU autoscaler measures against', () => {
    const { container } = gateway();
    expect(container.resources?.requests).toEqual(expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }));
    expect(container.resources?.limits?.memory).toBeDefined();
  });

  it('runs as a non-root uid, with a read-only root and no privilege escalation', () => {
    const { pod, container } = gateway();
    const security = { ...pod.spec.securityContext, ...container.securityContext };
    expect(security.runAsNonRoot).toBe(true);
    // The image's USER is a name ("node"), which the kubelet cannot check against runAsNonRoot.
    expect(security.runAsUser).toBeGreaterThan(0);
    expect(security.readOnlyRootFilesystem).toBe(true);
    expect(security.allowPrivilegeEscalation).toBe(false);
  });

  it('carries TRUST_PROXY commented out, telling the operator to set the ingress controller\'s pod CIDR', () => {
    const { env } = gateway();
    // Which addresses an ingress connects from is the cluster's to say: trusting a guess would
    // let whoever else sits in it pick their own rate bucket.
    expect(env).not.toHaveProperty('TRUST_PROXY');
    const line = /^\s*#\s*TRUST_PROXY:\s*(\S+)\s*$/m.exec(configmapText);
    expect(line, 'a commented TRUST_PROXY line').not.toBeNull();
    // The comment right above it says what to put there.
    const above = configmapText.slice(0, line!.index).trimEnd().split('\n');
    const comment = above.slice(above.findLastIndex((l) => !/^\s*#/.test(l)) + 1).join(' ');
    expect(comment).toMatch(/ingress controller's pod CIDR/);
    // Uncommented as it stands, it is a value the gateway takes.
    expect(configFor({ ...env, TRUST_PROXY: line![1]! }).trustProxy).toEqual([line![1]]);
  });
});

describe('the compose file', () => {
  it('has exactly three gateway replicas built from the repository Dockerfile, one Redis and one load balancer', () => {
    const { services, gateways, redis, lb } = composeServices();
    expect(gateways).toHaveLength(3);
    for (const name of gateways) {
      const { build, deploy, scale } = services[name];
      expect(resolve(DEPLOY, build.context ?? build)).toBe(resolve(ROOT));
      expect(build.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
      // Replicas are counted as services; scaling one would make them more than three.
      expect(deploy?.replicas ?? scale ?? 1, name).toBe(1);
    }
    expect(redis).toBeDefined();
    expect(lb).toBeDefined();
    expect(services[lb!].ports).toContain('4000:80');
    expect(services[lb!].volumes).toContain('./nginx.conf:/etc/nginx/conf.d/default.conf:ro');
  });

  it('runs Redis without persistence: it holds a cache and a message bus', () => {
    const { services, redis } = composeServices();
    const command: string[] = services[redis!].command;
    expect(command[0]).toBe('redis-server');
    expect(command[command.indexOf('--save') + 1]).toBe('');
    expect(command[command.indexOf('--appendonly') + 1]).toBe('no');
  });

  it('sets only variables src/config.ts reads, the gateway starts with them, and REDIS_URL names the Redis service', () => {
    const { services, gateways, redis } = composeServices();
    for (const name of gateways) expect(configFor(environment(services[name])).redis?.host, name).toBe(redis);
  });

  it('health-checks /ready with the Dockerfile HEALTHCHECK one-liner (the slim image has no curl)', () => {
    const { services, gateways } = composeServices();
    const line = /^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])$/m.exec(dockerfile.replace(/\\\n\s*/g, ''))?.[1];
    const imageCheck = JSON.parse(line!) as string[];
    expect(imageCheck.join(' ')).toContain('/health');
    const expected = ['CMD', ...imageCheck.map((arg) => arg.replace('/health', '/ready'))];
    for (const name of gateways) expect(services[name].healthcheck.test, name).toEqual(expected);
  });

  it('gives nginx a fixed address on a fixed subnet, the one address every replica trusts', () => {
    const { services, gateways, lb } = composeServices();
    const networks = Object.entries(services[lb!].networks ?? {}) as Array<[string, Yaml]>;
    expect(networks, 'nginx on one network, with a fixed address').toHaveLength(1);
    const [network, { ipv4_address: address }] = networks[0]!;
    const subnets: string[] = (compose.networks?.[network]?.ipam?.config ?? []).map((c: Yaml) => c.subnet);
    expect(subnets, `a fixed subnet for ${network}`).toHaveLength(1);
    const [base, bits] = subnets[0]!.split('/');
    const subnet = new BlockList();
    subnet.addSubnet(base!, Number(bits));
    expect(subnet.check(address), `${address} in ${subnets[0]}`).toBe(true);
    for (const name of gateways) {
      // On that network too (the default one, unless they name others).
      expect(Object.keys(services[name].networks ?? { default: {} }), name).toContain(network);
      expect(configFor(environment(services[name])).trustProxy, name).toEqual([address]);
    }
  });

  it('gives a stopping replica longer than its shutdown delay and grace period', () => {
    const { services, gateways } = composeServices();
    for (const name of gateways) {
      const { shutdownDelayMs, shutdownGraceMs } = configFor(environment(services[name]));
      // Docker's default, 10 s, is below the gateway's default grace period alone.
      expect(seconds(services[name].stop_grace_period ?? '10s'), name).toBeGreaterThan((shutdownDelayMs + shutdownGraceMs) / 1000);
    }
  });
});

describe('nginx.conf', () => {
  const upstream = nginx.find((d) => d.name === 'upstream')!;
  const server = nginx.find((d) => d.name === 'server')!;
  const locations = server?.block?.filter((d) => d.name === 'location') ?? [];
  const maps = new Map(nginx.filter((d) => d.name === 'map').map((d) => [d.args[1], d]));

  /** The location nginx picks for a path: exact match first, else the longest prefix. */
  function locationFor(path: string): Directive | undefined {
    const exact = locations.find((l) => l.args[0] === '=' && l.args[1] === path);
    const prefixes = locations.filter((l) => l.args.length === 1 && path.startsWith(l.args[0]!));
    return exact ?? prefixes.sort((a, b) => b.args[0]!.length - a.args[0]!.length)[0];
  }
  /** A directive's value in a location, inherited from server and http level as nginx does. */
  function effective(location: Directive, name: string): string[] | undefined {
    for (const scope of [location.block!, server.block!, nginx]) {
      const found = scope.find((d) => d.name === name);
      if (found) return found.args;
    }
    return undefined;
  }
  /** proxy_set_header is all or nothing: a level that sets any inherits none from above. */
  function headers(location: Directive): Map<string, string> {
    for (const scope of [location.block!, server.block!, nginx]) {
      const set = scope.filter((d) => d.name === 'proxy_set_header');
      if (set.length > 0) return new Map(set.map((d) => [d.args[0]!.toLowerCase(), d.args[1]!]));
    }
    return new Map();
  }
  /** Where a header value comes from: the request variable itself, or one a map derives from it. */
  const source = (value: string | undefined): string | undefined => maps.get(value ?? '')?.args[0] ?? value;

  it('balances over the three compose replicas on PORT', () => {
    const { services, gateways } = composeServices();
    const servers = upstream.block!.filter((d) => d.name === 'server').map((d) => d.args[0]);
    expect(servers.sort()).toEqual(gateways.map((name) => `${name}:${configFor(environment(services[name])).port}`).sort());
    // The load balancer's published port (4000:80) lands where nginx listens.
    expect(server.block!.find((d) => d.name === 'listen')?.args[0]).toBe('80');
  });

  it.each(['/graphql', '/health', '/ready', '/metrics'])('proxies %s to the replicas with its X-Request-Id', (path) => {
    const location = locationFor(path);
    expect(location, path).toBeDefined();
    expect(location!.block!.find((d) => d.name === 'proxy_pass')?.args).toEqual([`http://${upstream.args[0]}`]);
    expect(source(headers(location!).get('x-request-id'))).toBe('$http_x_request_id');
  });

  it('streams Server-Sent Events on /graphql: HTTP/1.1, unbuffered, idle for longer than the 15 s keep-alive', () => {
    const graphql = locationFor('/graphql')!;
    expect(effective(graphql, 'proxy_http_version')).toEqual(['1.1']);
    expect(effective(graphql, 'proxy_buffering')).toEqual(['off']);
    const timeout = effective(graphql, 'proxy_read_timeout');
    expect(timeout, 'nginx default 60 s would end a quiet WebSocket').toBeDefined();
    expect(seconds(timeout![0]!)).toBeGreaterThan(15);
  });

  it.each(['/graphql', '/health', '/ready', '/metrics'])('appends the client to X-Forwarded-For on %s (on /graphql, for the WebSocket upgrade too)', (path) => {
    // One set of headers per location: the upgrade of /graphql is sent with the same ones.
    const sent = headers(locationFor(path)!);
    expect(sent.get('x-forwarded-for')).toBe('$proxy_add_x_forwarded_for');
    if (path === '/graphql') expect(sent.get('upgrade')).toBe('$http_upgrade');
  });

  it('upgrades WebSockets on /graphql, passing the Upgrade header on', () => {
    const sent = headers(locationFor('/graphql')!);
    expect(sent.get('upgrade')).toBe('$http_upgrade');
    const connection = sent.get('connection');
    expect(source(connection)).toBe('$http_upgrade');
    // The map must turn a present Upgrade header into "Connection: upgrade".
    expect(maps.get(connection!)!.block!.find((d) => d.name === 'default')?.args).toEqual(['upgrade']);
  });
});

interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}

/** nginx's configuration syntax: directives ending in `;` or holding a `{ ... }` block. */
function parseNginx(text: string): Directive[] {
  const tokens = text.replace(/#.*$/gm, '').match(/'[^']*'|"[^"]*"|[{};]|[^\s{};]+/g) ?? [];
  let i = 0;
  const block = (depth: number): Directive[] => {
    const out: Directive[] = [];
    while (i < tokens.length) {
      const words: string[] = [];
      while (i < tokens.length && !['{', '}', ';'].includes(tokens[i]!)) words.push(tokens[i++]!.replace(/^(['"])(.*)\1$/, '$2'));
      const end = tokens[i++];
      if (end === '}') {
        if (words.length > 0 || depth === 0) throw new Error(`nginx.conf: unexpected } after ${words.join(' ')}`);
        return out;
      }
      if (end === undefined) {
        if (words.length > 0 || depth > 0) throw new Error('nginx.conf: unterminated directive or block');
        return out;
      }
      const [name = '', ...args] = words;
      out.push(end === '{' ? { name, args, block: block(depth + 1) } : { name, args });
    }
    if (depth > 0) throw new Error('nginx.conf: unclosed block');
    return out;
  };
  return block(0);
}
