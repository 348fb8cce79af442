import { ConfigError } from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import { parseGatewayEnv } from '../env.ts';
import { discordShard } from './discord.ts';

const base = { DATABASE_URL: 'postgres://localhost/x' };
const shardOf = (env: Record<string, string>) => discordShard(parseGatewayEnv({ ...base, ...env }));

describe('the Discord shard of a gateway', () => {
  it('is none by default: one connection takes every guild', () => {
    expect(shardOf({})).toBeUndefined();
    expect(shardOf({ DISCORD_SHARD_COUNT: '1', DISCORD_SHARD_ID: '0' })).toBeUndefined();
  });

  it('is DISCORD_SHARD_ID of DISCORD_SHARD_COUNT, or the ordinal ending a StatefulSet pod name', () => {
    expect(shardOf({ DISCORD_SHARD_COUNT: '4', DISCORD_SHARD_ID: '3' })).toEqual({
      id: 3,
      count: 4,
    });
    expect(shardOf({ DISCORD_SHARD_COUNT: '4', HOSTNAME: 'gridbot-gateway-discord-2' })).toEqual({
      id: 2,
      count: 4,
    });
    // An explicit id wins over the pod name.
    expect(
      shardOf({
        DISCORD_SHARD_COUNT: '4',
        DISCORD_SHARD_ID: '1',
        HOSTNAME: 'gridbot-gateway-discord-2',
      }),
    ).toEqual({ id: 1, count: 4 });
  });

  it('names the variable when the shard is missing or not one of the count', () => {
    expect(() => shardOf({ DISCORD_SHARD_COUNT: '3', HOSTNAME: 'worker-host' })).toThrow(
      /DISCORD_SHARD_ID is not set: with DISCORD_SHARD_COUNT=3 .* \(0 to 2\)/,
    );
    expect(() => shardOf({ DISCORD_SHARD_COUNT: '2', DISCORD_SHARD_ID: '2' })).toThrow(ConfigError);
    expect(() => shardOf({ DISCORD_SHARD_COUNT: '2', DISCORD_SHARD_ID: '2' })).toThrow(
      'DISCORD_SHARD_ID=2 is not a shard of DISCORD_SHARD_COUNT=2',
    );
    expect(() => shardOf({ DISCORD_SHARD_ID: '1' })).toThrow('DISCORD_SHARD_ID=1 is not a shard');
    expect(() => parseGatewayEnv({ ...base, DISCORD_SHARD_COUNT: 'two' })).toThrow(
      /DISCORD_SHARD_COUNT/,
    );
  });
});
