/**
 * The worker drives Docker through a socket proxy (DOCKER_HOST=tcp://…) that lets through
 * only the container endpoints the runtime uses and, like HAProxy, cuts a request the engine
 * leaves silent for a while. A chat is answered by a container agent that thinks longer
 * than that idle timeout: nothing the worker asks for is refused, and the cut `wait` does
 * not cost the agent its run.
 */
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSocketProxy, RUNTIME_ENDPOINTS } from '../support/docker-socket-proxy.ts';
import { PipelineHarness } from '../support/pipeline-harness.ts';
import type { ChatSpec } from '../support/telegram-fake.ts';
import { waitFor } from '../support/wait-for.ts';

let h: PipelineHarness;
let proxy: DockerSocketProxy;

beforeAll(async () => {
  proxy = await DockerSocketProxy.start(RUNTIME_ENDPOINTS, { idleMs: 1_500 });
  h = await PipelineHarness.create();
  await h.start(['gateway', '--channel', 'telegram']);
  await h.start(['worker'], {
    AGENT_RUNTIME: 'docker',
    DOCKER_HOST: proxy.url,
    AGENT_COMMAND: 'node /opt/fixtures/slow-answer.mjs',
    AGENT_IDLE_MS: '0',
  });
});

afterAll(async () => {
  await h?.close();
  await proxy?.close();
});

describe('a worker behind a Docker socket proxy', () => {
  it('answers through a container, asking only for allowed endpoints, and survives a cut wait', async () => {
    const chat: ChatSpec = {
      chatId: -531800,
      type: 'group',
      title: 'proxied',
      userId: 958,
      firstName: 'Oli',
    };
    const thread = await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
    await h.telegram.say(chat, '@Andy take your time');
    const reply = await waitFor(
      'the answer',
      () => h.telegram.botMessages(chat.chatId)[0]?.text,
      30_000,
    );
    expect(reply).toBe('slow but sure');
    const [run] = await h.db.db
      .selectFrom('agent_runs')
      .select(['status', 'container'])
      .where('thread_id', '=', thread.id)
      .execute();
    expect(run).toMatchObject({
      status: 'succeeded',
      container: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // Everything went through the proxy, and nothing was refused.
    expect(proxy.calls).toContain('POST /containers/create');
    expect(proxy.calls).toContain('POST /containers/<id>/attach');
    expect(proxy.denied).toEqual([]);
    // The 4-second run outlived the 1.5-second idle timeout: its wait was cut and resumed.
    expect(proxy.calls.filter((c) => c === 'POST /containers/<id>/wait').length).toBeGreaterThan(1);
    await waitFor('the container removed', () => proxy.calls.includes('DELETE /containers/<id>'));
  });
});
