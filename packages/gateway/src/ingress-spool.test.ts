import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InboundEvent } from '@gridbot/core';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngressSpool } from './ingress-spool.ts';

function message(id: string): InboundEvent {
  return {
    kind: 'message',
    channel: 'discord',
    chat: { jid: 'discord:1', platformChatId: '1', title: null, isGroup: true },
    sender: { platformUserId: '7', name: 'Ann', username: null, isBot: false },
    platformMessageId: id,
    text: `text ${id}`,
    replyTo: null,
    mentionsBot: false,
    sentAt: new Date('2026-12-01T10:00:00Z'),
    attachments: [],
  };
}

/** An ingress whose database can be switched off: it refuses like pg does when Postgres is down. */
function fakeIngress() {
  const committed: string[] = [];
  const state = { down: false };
  const handle = async (event: InboundEvent) => {
    if (state.down)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
        code: 'ECONNREFUSED',
      });
    committed.push(event.platformMessageId);
  };
  return { committed, state, handle };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spool-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const logger = pino({ level: 'silent' });

describe('IngressSpool', () => {
  it('commits directly while Postgres answers, and writes nothing to disk', async () => {
    const ingress = fakeIngress();
    const spool = new IngressSpool({ dir, handle: ingress.handle, logger });
    await spool.open();
    await spool.accept(message('a'));
    expect(ingress.committed).toEqual(['a']);
    expect(await readdir(dir)).toEqual([]);
    await spool.close();
  });

  it('spools while Postgres is away, keeps later events behind earlier ones, and commits all in order once it is back', async () => {
    const ingress = fakeIngress();
    const spool = new IngressSpool({ dir, handle: ingress.handle, logger, retryMs: 20 });
    await spool.open();
    ingress.state.down = true;
    await spool.accept(message('a'));
    await spool.accept(message('b'));
    const [file] = await readdir(dir);
    const lines = (await readFile(join(dir, file!), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).platformMessageId)).toEqual(['a', 'b']);
    ingress.state.down = false;
    // Postgres is back, but 'a' and 'b' still wait: 'c' must not overtake them.
    await spool.accept(message('c'));
    await expect.poll(() => ingress.committed, { timeout: 2_000 }).toEqual(['a', 'b', 'c']);
    await expect.poll(() => readdir(dir), { timeout: 2_000 }).toEqual([]);
    expect(spool.backlog).toBe(0);
    await spool.close();
  });

  it("adopts a dead process's spool and commits it before new events; a torn last line is skipped", async () => {
    const dead = join(dir, `${hostname()}-999999-abcdef.jsonl`);
    await writeFile(
      dead,
      `${JSON.stringify(message('old-1'))}\n${JSON.stringify(message('old-2'))}\n{"kind":"mess`,
    );
    const ingress = fakeIngress();
    const spool = new IngressSpool({ dir, handle: ingress.handle, logger, retryMs: 20 });
    await spool.open();
    await spool.accept(message('new'));
    await expect
      .poll(() => ingress.committed, { timeout: 2_000 })
      .toEqual(['old-1', 'old-2', 'new']);
    await expect.poll(() => readdir(dir), { timeout: 2_000 }).toEqual([]);
    await spool.close();
  });

  it('keeps every kind of event it spooled: a button press and an edit come back as they went', async () => {
    const press: InboundEvent = {
      kind: 'action',
      channel: 'discord',
      chat: { jid: 'discord:1', platformChatId: '1', title: null, isGroup: true },
      sender: { platformUserId: '7', name: 'Ann', username: null, isBot: false },
      actionId: '1300000000000000001',
      actionToken: 'itoken-1',
      platformMessageId: 'press-on-this',
      data: 'approve:12',
    };
    const edit: InboundEvent = {
      kind: 'edit',
      channel: 'discord',
      chat: { jid: 'discord:1', platformChatId: '1', title: null, isGroup: true },
      platformMessageId: 'edited',
      text: 'fixed',
      editedAt: new Date('2026-12-01T10:05:00Z'),
    };
    // What a process that died left in its spool comes back exactly as it went in.
    const dead = join(dir, `${hostname()}-999998-abcdef.jsonl`);
    await writeFile(dead, `${JSON.stringify(press)}\n${JSON.stringify(edit)}\n`);
    const seen: InboundEvent[] = [];
    const spool = new IngressSpool({
      dir,
      handle: async (event) => {
        seen.push(event);
      },
      logger,
      retryMs: 20,
    });
    await spool.open();
    await expect.poll(() => seen.length, { timeout: 2_000 }).toBe(2);
    expect(seen).toEqual([press, edit]);
    await spool.close();
  });

  it('passes on a failure that is not an outage, as the adapter expects', async () => {
    const spool = new IngressSpool({
      dir,
      handle: async () => {
        throw new Error('invalid chat');
      },
      logger,
    });
    await spool.open();
    await expect(spool.accept(message('x'))).rejects.toThrow('invalid chat');
    expect(await readdir(dir)).toEqual([]);
    await spool.close();
  });
});
