/** Credentials never reach a log line, an error message or a response. */
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startStack } from '../support/stack.ts';

const TOKEN = 'MIIZ-secret-caller-token';
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';

it('censors credentials a log call is handed by mistake', () => {
  const lines: string[] = [];
  const log = createLogger('info', new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  log.info({ token: TOKEN, sk: SK, config: { token: TOKEN, sk: SK }, headers: { authorization: `Bearer ${TOKEN}`, 'x-auth-token': TOKEN } }, 'oops');
  expect(lines.join('')).not.toContain(TOKEN);
  expect(lines.join('')).not.toContain(SK);
  expect(lines.join('')).toContain('[redacted]');
});

it('logs failures with tokens and AK/SK in play without a trace of either', async () => {
  const token = await startStack();
  const aksk = await startStack({ aksk: { ak: 'QTWAOYTTINDUT2QVKYUC', sk: SK }, tokens: { mode: 'aksk' }, emulator: { aksk: { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'a-different-secret' } } });
  try {
    token.emulator.setFault({ status: 500, error: { shape: 'modelarts', code: 'ModelArts.0010' } });
    const answers = [
      await token.gql('{ trainingJobs { totalCount } }', undefined, { 'x-auth-token': TOKEN }),
      await token.gql('{ trainingJobs { totalCount } }', undefined, { authorization: `Bearer ${TOKEN}` }),
      await aksk.gql('{ trainingJobs { totalCount } }', undefined, {}),
    ];
    const logs = JSON.stringify([...token.logs, ...aksk.logs]);
    expect(token.logs.length + aksk.logs.length).toBeGreaterThan(0);
    for (const secret of [TOKEN, SK]) {
      expect(logs).not.toContain(secret);
      expect(JSON.stringify(answers.map((a) => a.body))).not.toContain(secret);
    }
    expect(answers[2]?.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  } finally {
    await Promise.all([token.close(), aksk.close()]);
  }
});
