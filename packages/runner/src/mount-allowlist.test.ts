import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_BLOCKED_PATTERNS,
  loadMountAllowlist,
  type MountAllowlist,
} from './mount-allowlist.ts';
import { checkMounts, type RequestedMount } from './mount-check.ts';
import { InvalidFolderNameError, MountAllowlistError, MountRefusedError } from './mount-errors.ts';
import { validateFolderName } from './mount-paths.ts';

let base: string;
let home: string;
let shared: string;
let rw: string;
let outside: string;
let allowlist: MountAllowlist;

async function refusal(promise: Promise<unknown>): Promise<MountRefusedError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MountRefusedError);
  return error as MountRefusedError;
}

function check(requested: RequestedMount[], list: MountAllowlist | null = allowlist) {
  return checkMounts(requested, list, { homeDir: home, allowlistPath: '/etc/gb/allow.json' });
}

beforeAll(async () => {
  // realpath: on macOS the temp dir itself sits behind a symlink.
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gridbot-mounts-')));
  home = path.join(base, 'home');
  shared = path.join(base, 'srv', 'shared');
  rw = path.join(base, 'srv', 'rw');
  outside = path.join(base, 'outside');
  for (const dir of [
    path.join(home, '.ssh'),
    path.join(home, '.SSH-backup'),
    path.join(home, 'projects', 'site'),
    path.join(shared, 'docs'),
    path.join(shared, 'reports'),
    path.join(shared, 'my_credentials', 'notes'),
    path.join(shared, 'app', '.env.production'),
    path.join(shared, 'secret-stuff-here'),
    path.join(shared, 'writable', 'out'),
    path.join(shared, 'with space'),
    path.join(base, 'srv', 'shared-other'),
    path.join(rw, 'docs'),
    path.join(rw, 'ro-inner', 'x'),
    outside,
  ]) {
    await mkdir(dir, { recursive: true });
  }
  await writeFile(path.join(shared, 'id_rsa.pub'), 'ssh-rsa AAAA');
  await symlink(path.join(home, '.ssh'), path.join(home, 'ok-link'));
  await symlink(outside, path.join(shared, 'escape'));
  await symlink(path.join(shared, 'docs'), path.join(shared, 'docs-link'));
  await symlink(shared, path.join(base, 'shared-root-link'));
  allowlist = {
    allowedRoots: [
      { path: shared, allowReadWrite: false },
      { path: path.join(shared, 'writable'), allowReadWrite: true },
      { path: rw, allowReadWrite: true },
      { path: path.join(rw, 'ro-inner'), allowReadWrite: false },
      { path: '~', allowReadWrite: false, description: 'home, to prove patterns still apply' },
      { path: path.join(base, 'does-not-exist'), allowReadWrite: true },
    ],
    blockedPatterns: ['secret-stuff'],
  };
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('loadMountAllowlist', () => {
  it('returns null when the file does not exist (extra mounts disabled)', async () => {
    expect(await loadMountAllowlist(path.join(base, 'nope.json'))).toBeNull();
  });

  it('reads a valid file, defaulting blockedPatterns to none', async () => {
    const file = path.join(base, 'valid.json');
    await writeFile(
      file,
      JSON.stringify({
        allowedRoots: [{ path: '~/shared', allowReadWrite: true, description: 'd' }],
      }),
    );
    expect(await loadMountAllowlist(file)).toEqual({
      allowedRoots: [{ path: '~/shared', allowReadWrite: true, description: 'd' }],
      blockedPatterns: [],
    });
  });

  it('refuses malformed JSON, naming the file', async () => {
    const file = path.join(base, 'malformed.json');
    await writeFile(file, '{"allowedRoots": [');
    const error = await loadMountAllowlist(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MountAllowlistError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('not valid JSON');
  });

  it.each([
    ['[]', 'top level is not an object'],
    ['{}', '"allowedRoots" must be an array'],
    ['{"allowedRoots": [{"path": "srv", "allowReadWrite": false}]}', 'must be absolute'],
    ['{"allowedRoots": [{"path": "/srv"}]}', 'allowedRoots[0].allowReadWrite'],
    ['{"allowedRoots": [], "blockedPattern": ["x"]}', 'unknown key "blockedPattern"'],
    ['{"allowedRoots": [], "blockedPatterns": ["a/b"]}', 'blockedPatterns[0]'],
    ['{"allowedRoots": [], "blockedPatterns": "x"}', '"blockedPatterns" must be an array'],
    ['{"allowedRoots": [3]}', 'allowedRoots[0] is not an object'],
    ['{"allowedRoots": [{"path": "", "allowReadWrite": true}]}', 'allowedRoots[0].path must be'],
    [
      '{"allowedRoots": [{"path": "/srv", "allowReadWrite": true, "mode": "rw"}]}',
      'allowedRoots[0] has unknown key "mode"',
    ],
    [
      '{"allowedRoots": [{"path": "/srv", "allowReadWrite": true, "description": 1}]}',
      'allowedRoots[0].description must be a string',
    ],
    ['{"allowedRoots": [], "blockedPatterns": [""]}', 'blockedPatterns[0] must be a non-empty'],
  ])('refuses the wrong shape %s', async (json, problem) => {
    const file = path.join(base, 'shape.json');
    await writeFile(file, json);
    const error = await loadMountAllowlist(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MountAllowlistError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain(problem);
  });
});

describe('checkMounts', () => {
  it('returns validated mounts with real host paths under /workspace/extra', async () => {
    const mounts = await check([
      { hostPath: path.join(shared, 'docs-link') },
      { hostPath: path.join(rw, 'docs'), containerPath: 'data/rw-docs', readOnly: false },
    ]);
    expect(mounts).toEqual([
      {
        hostPath: path.join(shared, 'docs'),
        requestedPath: path.join(shared, 'docs-link'),
        containerPath: '/workspace/extra/docs',
        readOnly: true,
      },
      {
        hostPath: path.join(rw, 'docs'),
        requestedPath: path.join(rw, 'docs'),
        containerPath: '/workspace/extra/data/rw-docs',
        readOnly: false,
      },
    ]);
  });

  it('expands ~ in the host path and matches roots through their real path', async () => {
    const viaLinkedRoot = {
      ...allowlist,
      allowedRoots: [{ path: path.join(base, 'shared-root-link'), allowReadWrite: false }],
    };
    expect(await check([{ hostPath: '~/projects/site' }])).toEqual([
      {
        hostPath: path.join(home, 'projects', 'site'),
        requestedPath: '~/projects/site',
        containerPath: '/workspace/extra/site',
        readOnly: true,
      },
    ]);
    expect(await check([{ hostPath: path.join(shared, 'reports') }], viaLinkedRoot)).toHaveLength(
      1,
    );
  });

  it('allows no mounts without an allowlist, naming where it should be', async () => {
    expect(await check([], null)).toEqual([]);
    const error = await refusal(check([{ hostPath: path.join(shared, 'docs') }], null));
    expect(error.reason).toContain('no mount allowlist at /etc/gb/allow.json');
    expect(error.hostPath).toBe(path.join(shared, 'docs'));
  });

  it.each(['srv/shared/docs', '~other/docs', './docs'])(
    'refuses the relative host path %s',
    async (hostPath) => {
      const error = await refusal(check([{ hostPath }]));
      expect(error.reason).toContain('must be absolute');
      expect(error.message).toContain(hostPath);
    },
  );

  it('refuses a host path that does not exist', async () => {
    const error = await refusal(check([{ hostPath: path.join(shared, 'missing') }]));
    expect(error.reason).toContain('does not exist');
  });

  it('refuses a symlink into a blocked directory even under an allowed root', async () => {
    const error = await refusal(check([{ hostPath: '~/ok-link' }]));
    expect(error.reason).toContain('".ssh"');
    expect(error.hostPath).toBe('~/ok-link');
  });

  it.each([
    ['my_credentials/notes', 'credentials'],
    ['app/.env.production', '.env'],
    ['id_rsa.pub', 'id_rsa'],
    ['secret-stuff-here', 'secret-stuff'],
  ])('refuses %s for the blocked pattern %s anywhere in the path', async (sub, pattern) => {
    const error = await refusal(check([{ hostPath: path.join(shared, sub) }]));
    expect(error.reason).toContain(`blocked pattern ${JSON.stringify(pattern)}`);
  });

  it('matches blocked patterns ignoring case (case-insensitive host filesystems)', async () => {
    const error = await refusal(check([{ hostPath: path.join(home, '.SSH-backup') }]));
    expect(error.reason).toContain('".ssh"');
    expect(DEFAULT_BLOCKED_PATTERNS).toContain('.ssh');
  });

  it('refuses a symlink escaping the allowed root without revealing its target', async () => {
    const error = await refusal(check([{ hostPath: path.join(shared, 'escape') }]));
    expect(error.reason).toContain('not under an allowed root');
    expect(error.message).not.toContain(outside);
  });

  it('refuses a sibling that only shares the root as a string prefix', async () => {
    const error = await refusal(check([{ hostPath: path.join(base, 'srv', 'shared-other') }]));
    expect(error.reason).toContain('not under an allowed root');
  });

  it.each(['..', '../x', 'a/../b', '.', '/abs', 'a//b', 'a/', 'sp ace'])(
    'refuses the container path %s',
    async (containerPath) => {
      const error = await refusal(check([{ hostPath: path.join(shared, 'docs'), containerPath }]));
      expect(error.reason).toContain('container path');
    },
  );

  it('refuses a default container path that is not a valid name', async () => {
    const error = await refusal(check([{ hostPath: path.join(shared, 'with space') }]));
    expect(error.reason).toContain('container path "with space" is invalid');
  });

  it('refuses read-write under a read-only root and grants it under a read-write one', async () => {
    const error = await refusal(check([{ hostPath: path.join(shared, 'docs'), readOnly: false }]));
    expect(error.reason).toContain(`read-write not allowed under ${shared}`);
    const [granted] = await check([{ hostPath: path.join(rw, 'docs'), readOnly: false }]);
    expect(granted?.readOnly).toBe(false);
  });

  it('lets the deepest matching root decide read-write', async () => {
    const [inner] = await check([
      { hostPath: path.join(shared, 'writable', 'out'), readOnly: false },
    ]);
    expect(inner?.readOnly).toBe(false);
    const error = await refusal(
      check([{ hostPath: path.join(rw, 'ro-inner', 'x'), readOnly: false }]),
    );
    expect(error.reason).toContain('read-write not allowed under');
  });

  it('refuses two mounts with the same container path', async () => {
    const error = await refusal(
      check([{ hostPath: path.join(shared, 'docs') }, { hostPath: path.join(rw, 'docs') }]),
    );
    expect(error.hostPath).toBe(path.join(rw, 'docs'));
    expect(error.reason).toContain('/workspace/extra/docs is already used');
  });
});

describe('validateFolderName', () => {
  it.each(['a', 'team-chat_2', '0', 'x'.repeat(64)])('accepts %s', (name) => {
    expect(validateFolderName(name)).toBe(name);
  });

  it.each(['', '-x', '_x', '..', 'a/b', 'a.b', 'x'.repeat(65), 'abc\n', 'é'])(
    'refuses %j',
    (name) => {
      expect(() => validateFolderName(name)).toThrow(InvalidFolderNameError);
    },
  );
});
