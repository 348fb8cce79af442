import { ConfigError } from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseEnvShape, parseEnv } from './env.ts';

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
