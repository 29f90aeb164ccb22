import { pino, type Logger } from 'pino';

/**
 * JSON lines on stdout. Credentials never reach a log line: the paths below are censored
 * wherever a header or config record is logged by mistake.
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
    destination,
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
