import { createLogger } from '@gridbot/service';
import { describe, expect, it } from 'vitest';
import { configuredChannels, createAdapter } from '../create-adapter.ts';
import { parseGatewayEnv } from '../env.ts';

const base = { DATABASE_URL: 'postgres://localhost/x' };
const FEISHU = { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718', FEISHU_APP_SECRET: 'feishu-secret-0123' };
const DINGTALK = {
  DINGTALK_CLIENT_ID: 'dingappkey0001',
  DINGTALK_CLIENT_SECRET: 'dingtalk-secret-0123',
};

describe('the Feishu and DingTalk settings', () => {
  it('make gridbot start run each channel once both its credentials are set', () => {
    expect(configuredChannels(parseGatewayEnv(base))).toEqual([]);
    expect(
      configuredChannels(parseGatewayEnv({ ...base, FEISHU_APP_ID: FEISHU.FEISHU_APP_ID })),
    ).toEqual([]);
    expect(configuredChannels(parseGatewayEnv({ ...base, ...FEISHU, ...DINGTALK }))).toEqual([
      'feishu',
      'dingtalk',
    ]);
  });

  it('name the variable that is wrong', () => {
    expect(() => parseGatewayEnv({ ...base, FEISHU_APP_ID: 'not-an-app-id' })).toThrow(
      /FEISHU_APP_ID/,
    );
    expect(() => parseGatewayEnv({ ...base, FEISHU_DOMAIN: 'open.feishu.cn' })).toThrow(
      /FEISHU_DOMAIN/,
    );
    expect(() => parseGatewayEnv({ ...base, FEISHU_ALLOWED_USERS: 'alice' })).toThrow(
      /FEISHU_ALLOWED_USERS/,
    );
    expect(() => parseGatewayEnv({ ...base, DINGTALK_ALLOWED_USERS: 'a b' })).toThrow(
      /DINGTALK_ALLOWED_USERS/,
    );
    expect(
      parseGatewayEnv({ ...base, FEISHU_ALLOWED_USERS: 'ou_abc123, ou_def456' })
        .FEISHU_ALLOWED_USERS,
    ).toEqual(new Set(['ou_abc123', 'ou_def456']));
  });

  it('refuse to build a gateway without its credentials, or an HTTP-mode Feishu one without its checks', async () => {
    const logger = createLogger({ level: 'silent', name: 't', destination: { write: () => {} } });
    await expect(
      createAdapter(
        'dingtalk',
        parseGatewayEnv({ ...base, DINGTALK_CLIENT_ID: 'dingappkey0001' }),
        logger,
      ),
    ).rejects.toThrow(/DINGTALK_CLIENT_SECRET is not set/);
    await expect(
      createAdapter('feishu', parseGatewayEnv({ ...base, ...FEISHU, FEISHU_MODE: 'http' }), logger),
    ).rejects.toThrow(/FEISHU_VERIFICATION_TOKEN is not set: FEISHU_MODE=http checks every event/);
  });
});
