import { ConfigError } from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseEnvShape, parseEnv, secret, secretsNamedIn, secretsOf } from './env.ts';

const schema = z.object(baseEnvShape);

describe('parseEnv', () => {
  it('names every bad variable and what it expects', () => {
    try {
      parseEnv(schema, { DATABASE_URL: 'mysql://x', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain('DATABASE_URL: expected a postgres or postgresql URL');
      expect(message).toContain('REDIS_URL: expected a redis or rediss URL');
      expect(message).toContain('LOG_LEVEL');
      expect((error as ConfigError).variables.sort()).toEqual([
        'DATABASE_URL',
        'LOG_LEVEL',
        'REDIS_URL',
      ]);
    }
  });

  it('applies defaults and treats empty values as unset', () => {
    const env = parseEnv(schema, {
      DATABASE_URL: 'postgres://localhost/x',
      REDIS_URL: '',
      ASSISTANT_NAME: '',
    });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env).toMatchObject({
      QUEUE_PREFIX: '{gridbot}',
      ASSISTANT_NAME: 'Andy',
      LOG_LEVEL: 'info',
    });
  });
});

describe('secretsOf', () => {
  const schema = z.object({
    ...baseEnvShape,
    TOKEN: secret(z.string().min(1).optional()),
    NAME: z.string().optional(),
  });

  it('lists the values of secret variables and the passwords inside URLs, nothing else', () => {
    const env = parseEnv(schema, {
      DATABASE_URL: 'postgres://gridbot:s%40cret@db:5432/gridbot',
      REDIS_URL: 'redis://:redis-pass@cache:6379',
      TOKEN: 'tok-123',
      NAME: 'Andy',
    });
    expect(secretsOf(schema, env).sort()).toEqual(['redis-pass', 's@cret', 'tok-123']);
  });

  it('skips secrets that are not set and URLs without a password', () => {
    const env = parseEnv(schema, { DATABASE_URL: 'postgres://db:5432/gridbot' });
    expect(secretsOf(schema, env)).toEqual([]);
  });
});

describe('secretsNamedIn', () => {
  it("finds other roles' secrets by their names, and passwords in any URL", () => {
    expect(
      secretsNamedIn({
        DISCORD_BOT_TOKEN: 'discord-token-of-another-role',
        SLACK_SIGNING_SECRET: 'slack-signing-secret-value',
        PLUGIN_API_KEY: 'plugin-key-123456',
        S3_URL: 'https://backup:s3-password-value@s3.example.com/bucket',
        MAX_TOKENS: '4096',
        LOG_LEVEL: 'info',
        SHORT_TOKEN: 'abc',
      }).sort(),
    ).toEqual(
      [
        'discord-token-of-another-role',
        'plugin-key-123456',
        's3-password-value',
        'slack-signing-secret-value',
      ].sort(),
    );
  });
});
