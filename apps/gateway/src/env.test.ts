import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGatewayEnv } from './env.ts';

const base = { DATABASE_URL: 'postgres://localhost/x' };

describe('the plugin settings', () => {
  it('split PLUGINS and read PLUGIN_CONFIG inline or from a file', () => {
    const env = parseGatewayEnv({
      ...base,
      PLUGINS: ' auto-reply , ./plugins/mine.ts,',
      PLUGIN_CONFIG: '{"auto-reply": {"rules": []}}',
    });
    expect(env.PLUGINS).toEqual(['auto-reply', './plugins/mine.ts']);
    expect(env.PLUGIN_CONFIG).toEqual({ 'auto-reply': { rules: [] } });
    expect(env.PLUGIN_HOOK_TIMEOUT_MS).toBe(5_000);

    const file = join(mkdtempSync(join(tmpdir(), 'gridbot-plugins-')), 'plugins.json');
    writeFileSync(file, '{"mention": {"triggerWords": ["hey bot"]}}');
    expect(parseGatewayEnv({ ...base, PLUGIN_CONFIG: file }).PLUGIN_CONFIG).toEqual({
      mention: { triggerWords: ['hey bot'] },
    });
    expect(parseGatewayEnv(base)).toMatchObject({ PLUGINS: [], PLUGIN_CONFIG: {} });
  });

  it('name the variable and the mistake', () => {
    expect(() => parseGatewayEnv({ ...base, PLUGINS: 'mention,mention' })).toThrow(
      /PLUGINS: lists "mention" twice/,
    );
    expect(() => parseGatewayEnv({ ...base, PLUGIN_CONFIG: '{"mention": ' })).toThrow(
      /PLUGIN_CONFIG: is not valid JSON/,
    );
    expect(() => parseGatewayEnv({ ...base, PLUGIN_CONFIG: '{}' })).not.toThrow();
    expect(() => parseGatewayEnv({ ...base, PLUGIN_CONFIG: '/nowhere/plugins.json' })).toThrow(
      /PLUGIN_CONFIG: expected a JSON object keyed by plugin name, or the path of a file holding one; cannot read "\/nowhere\/plugins.json": ENOENT/,
    );
    expect(() => parseGatewayEnv({ ...base, PLUGIN_CONFIG: '{"a": 1}x' })).toThrow(
      /PLUGIN_CONFIG: is not valid JSON/,
    );
  });
});
