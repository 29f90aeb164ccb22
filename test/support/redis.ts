/**
 * A real redis-server (Debian's package; `npm test` installs it when missing, see
 * scripts/ensure-packages.sh) as a child process on a free port, with the faults the fleet
 * tests need: killed, paused (a Redis that accepts and never answers) and started again on the
 * same port.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './process.ts';

const REDIS_SERVER = process.env['REDIS_SERVER_PATH'] ?? '/usr/bin/redis-server';

export interface RedisOptions {
  /** Also listen with TLS (a self-signed certificate for 127.0.0.1): `url` is then rediss://. */
  tls?: boolean;
  /** requirepass: `url` then carries it. */
  password?: string;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** With tls: the certificate clients must trust (NODE_EXTRA_CA_CERTS). */
  readonly caFile: string | undefined;
  /** Sends one command (inline protocol) on a connection of its own; resolves with the raw reply. */
  command(...args: string[]): Promise<string>;
  /** SIGKILL: connections drop at once. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open and nothing answers. */
  pause(): void;
  resume(): void;
  /** Starts again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Resolves once the server answers PING. */
async function answering(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (/^(\+PONG|-NOAUTH)/.test(await send(port, ['PING']).catch(() => ''))) return;
    await sleep(25);
  }
  throw new Error(`redis-server did not answer on port ${port}`);
}

/** One command in RESP, one reply read until it stops arriving for a moment. */
function send(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    let quiet: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      reply += chunk;
      clearTimeout(quiet);
      quiet = setTimeout(() => {
        socket.destroy();
        resolve(reply);
      }, 20);
    });
    socket.setTimeout(2000, () => {
      socket.destroy();
      reject(new Error('redis: no reply'));
    });
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

/** A self-signed certificate and key for 127.0.0.1, made by openssl in a folder of their own. */
function certificate(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const tls = options.tls ? { port: await freePort(), ...certificate() } : undefined;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'];
  if (tls) args.push('--tls-port', String(tls.port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-auth-clients', 'no');
  if (options.password) args.push('--requirepass', options.password);
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    await answering(port);
  };
  await launch();
  const exit = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  };
  return {
    port,
    url: tls ? `rediss://${auth}127.0.0.1:${tls.port}` : `redis://${auth}127.0.0.1:${port}`,
    caFile: tls?.cert,
    command: (...args) => send(port, args),
    kill: () => exit('SIGKILL'),
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    restart: launch,
    async stop() {
      child.kill('SIGCONT');
      await exit('SIGKILL');
    },
  };
}
