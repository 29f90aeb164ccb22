import { pino, type Logger } from 'pino';

/**
 * JSON lines on stdout. Credentials never reach a log line: the paths below are censored
 * wherever a header or config record is logged by mistake.
 *
 * Written synchronously: pino's default asynchronous stdout reports a flush as done while a
 * write is still in flight, so the last lines before process.exit could come out of order
 * (seen in test/server/readiness-and-shutdown.test.ts) or be lost in a crash. One write per
 * line costs a few microseconds; a stalled log reader slows the gateway down rather than
 * growing its memory.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          'token', 'sk', 'ak',
          '*.token', '*.sk', '*.ak',
          'headers.authorization', 'headers["x-auth-token"]',
          '*.headers.authorization', '*.headers["x-auth-token"]',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * An error as a log field: name, code, and (for a malformed upstream body) where it broke.
 * Never the stack, a body or the cause chain. The message only when there is no code: system
 * and undici errors, which carry one, put addresses and host names in their messages.
 */
export function errorForLog(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err).slice(0, 200) };
  const { code, detail } = err as { code?: unknown; detail?: unknown };
  if (code !== undefined) return { name: err.name, code, detail };
  return { name: err.name, message: err.message, detail };
}
