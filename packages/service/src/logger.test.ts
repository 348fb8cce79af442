import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { isSecretKey } from './redact-line.ts';

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
  it('writes lines for people with LOG_FORMAT=pretty, still without secrets or repeated keys', () => {
    const { lines, destination } = capture();
    const secret = 'pretty-secret-value-42';
    const log = createLogger({
      level: 'info',
      name: 'worker',
      format: 'pretty',
      secrets: [secret],
      destination,
    });
    log
      .child({ role: 'start' })
      .child({ role: 'worker' })
      .warn({ threadId: 7 }, `lease lost ${secret}`);
    const out = lines.join('');
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN \(worker\): lease lost \[REDACTED\]\n/);
    expect(out).toContain('threadId: 7');
    expect(out.match(/role:/g)).toHaveLength(1);
    expect(out).toContain('role: "worker"');
    expect(out).not.toContain('{"level"');
  });

  it('never repeats a key in a JSON line (a child binding over its parent’s wins)', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', name: 'gridbot', destination });
    log.child({ role: 'dashboard' }).child({ role: 'gateway-web' }).info('ready');
    const out = lines.join('');
    expect(out.match(/"role"/g)).toHaveLength(1);
    expect(JSON.parse(out).role).toBe('gateway-web');
  });

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

  it('removes secret-named fields at any depth, also inside an error and a child binding', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', name: 'test', destination });
    const error = Object.assign(new Error('request failed'), {
      config: {
        url: 'https://api.example.test/v1',
        headers: { authorization: 'Bearer hdr-secret-1', 'x-api-key': 'hdr-secret-2' },
      },
      response: { headers: { 'set-cookie': ['sid=hdr-secret-3'] } },
    });
    log.child({ client: { credentials: { user: 'u', pass: 'hdr-secret-4' } } }).error(
      {
        err: error,
        deep: { a: [{ b: { c: { client_secret: 'hdr-secret-5', DB_PASSWORD: 'hdr-secret-6' } } }] },
        request: { headers: { cookie: 'sid=hdr-secret-7' } },
        usage: { tokens: 1234, inputTokens: 10, max_tokens: 99 },
      },
      'call failed',
    );
    const out = lines.join('');
    for (let i = 1; i <= 7; i++) expect(out).not.toContain(`hdr-secret-${i}`);
    const line = JSON.parse(out);
    expect(line.err.config.headers).toEqual({
      authorization: '[REDACTED]',
      'x-api-key': '[REDACTED]',
    });
    expect(line.err.message).toBe('request failed');
    expect(line.err.config.url).toBe('https://api.example.test/v1');
    // Counts of model tokens are not secrets and stay readable.
    expect(line.usage).toEqual({ tokens: 1234, inputTokens: 10, max_tokens: 99 });
  });

  it('removes a known secret however it is escaped: in JSON, in JSON inside JSON, in a URL', () => {
    const { lines, destination } = capture();
    const secret = 'p@ss"wo\\rd/é';
    const log = createLogger({ level: 'info', name: 'test', secrets: [secret], destination });
    const body = JSON.stringify({ note: secret });
    log.info({
      raw: `x${secret}x`,
      body,
      nested: JSON.stringify({ body }),
      url: `postgres://gridbot:${encodeURIComponent(secret)}@db:5432/gridbot`,
    });
    const out = lines.join('');
    const escaped = JSON.stringify(secret).slice(1, -1);
    for (const form of [
      secret,
      escaped,
      JSON.stringify(escaped).slice(1, -1),
      encodeURIComponent(secret),
      'wo\\rd',
      'wo\\\\rd',
    ])
      expect(out).not.toContain(form);
    expect(JSON.parse(out).url).toBe('postgres://gridbot:[REDACTED]@db:5432/gridbot');
  });

  it('tells secret field names from ordinary ones', () => {
    for (const key of ['token', 'botToken', 'BOT_TOKEN', 'apiKey', 'api_key', 'x-api-key'])
      expect(isSecretKey(key), key).toBe(true);
    for (const key of ['authorization', 'Cookie', 'set-cookie', 'password', 'clientSecret'])
      expect(isSecretKey(key), key).toBe(true);
    for (const key of ['tokens', 'inputTokens', 'max_tokens', 'tokenCount', 'key', 'name'])
      expect(isSecretKey(key), key).toBe(false);
  });
});
