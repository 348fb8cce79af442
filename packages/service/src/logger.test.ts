import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('never writes a known secret, by field or inside a message', () => {
    const { lines, destination } = capture();
    const secret = '123456:ABCdefSECRET';
    const log = createLogger({ level: 'info', name: 'test', secrets: [secret], destination });
    log.info(
      { token: 'other-token-value', url: `https://api.telegram.org/bot${secret}/getMe` },
      `failed ${secret}`,
    );
    const out = lines.join('');
    expect(out).not.toContain(secret);
    expect(out).not.toContain('other-token-value');
    expect(out).toContain('[REDACTED]');
    expect(JSON.parse(out)).toMatchObject({ name: 'test', level: 30 });
  });
});
