import { AgentProtocolError, AgentStartError, RunCancelledError } from '@gridbot/core';
import { LlmUnavailableError } from '@gridbot/llm';
import { MountRefusedError, WorkspaceFullError } from '@gridbot/runner';
import { describe, expect, it } from 'vitest';
import { classifyRunFailure } from './run-failure.ts';

const RUN = 42;

describe('classifyRunFailure', () => {
  it('retries crashes, not timeouts, OOM kills or refused mounts', () => {
    expect(
      classifyRunFailure(new AgentProtocolError('exited', 'agent exited with code 3'), RUN)
        .retryable,
    ).toBe(true);
    expect(classifyRunFailure(new Error('connection reset'), RUN).retryable).toBe(true);
    const timeout = classifyRunFailure(
      new AgentProtocolError('timeout', 'agent did not finish within 2000 ms'),
      RUN,
    );
    expect(timeout).toEqual({
      retryable: false,
      notice: 'Sorry, I could not answer: agent did not finish within 2000 ms (run 42).',
      advanceCursor: true,
    });
    expect(
      classifyRunFailure(new AgentProtocolError('oom', 'agent ran out of memory'), RUN).retryable,
    ).toBe(false);
    const refused = new MountRefusedError('/etc', 'not under an allowed root');
    expect(classifyRunFailure(refused, RUN)).toMatchObject({ retryable: false });
    expect(classifyRunFailure(refused, RUN).notice).toContain('could not start');
  });

  it('refuses a full workspace once, without retrying, and keeps its messages for later', () => {
    const full = classifyRunFailure(new WorkspaceFullError(1024 * 1024 * 1024, 2 ** 31), RUN);
    expect(full).toMatchObject({ retryable: false, advanceCursor: false });
    expect(full.notice).toMatch(
      /^Sorry, I could not start: this chat's workspace takes more than 1024 MB of disk, the cap \(AGENT_WORKSPACE_MAX_MB\)\. Nothing was deleted/,
    );
  });

  it('tells a stop as a stop, once, and moves on', () => {
    expect(classifyRunFailure(new RunCancelledError('Ann'), RUN)).toEqual({
      retryable: false,
      notice: 'Stopped. Ann asked to stop this run',
      advanceCursor: true,
    });
  });

  it('retries an agent that could not start (the engine may be back next time)', () => {
    for (const code of [
      'docker_unavailable',
      'image_missing',
      'start_failed',
      'spawn_failed',
    ] as const) {
      const failure = classifyRunFailure(
        new AgentStartError(code, 'Could not start the agent container: engine busy'),
        RUN,
      );
      expect(failure, code).toEqual({
        retryable: true,
        notice: 'Sorry, I could not answer this time (run 42). Please try again.',
        advanceCursor: true,
      });
    }
  });

  it('keeps messages unanswered when the model provider is down', () => {
    const failure = classifyRunFailure(
      new LlmUnavailableError(
        'anthropic',
        500,
        'The model provider (anthropic) is not answering: HTTP 500.',
      ),
      RUN,
    );
    expect(failure).toEqual({
      retryable: false,
      notice:
        'Sorry, I could not answer: The model provider (anthropic) is not answering: HTTP 500 (run 42).',
      advanceCursor: false,
    });
  });

  it('never tells the chat an internal error: no message, stack, path, stderr or host detail', () => {
    const stack = new Error('ECONNREFUSED 10.0.0.5:5432 at /srv/gridbot/node_modules/pg/x.js');
    const crash = new AgentProtocolError(
      'exited',
      'agent exited with code 1. Last stderr:\nTypeError: boom\n    at /workspace/run.js:3',
    );
    const stopped = new AgentProtocolError('stopped', 'agent was stopped: container 9f3c removed');
    const mount = new MountRefusedError('/home/ops/.ssh', 'matches the blocked pattern .ssh');
    for (const error of [stack, crash, stopped, mount]) {
      const { notice } = classifyRunFailure(error, RUN);
      expect(notice).toContain('run 42');
      expect(notice).not.toContain('\n');
      for (const leak of ['ECONNREFUSED', '/srv', 'stderr', 'TypeError', '9f3c', '.ssh', '/home'])
        expect(notice, `${error.message} → ${notice}`).not.toContain(leak);
    }
  });
});
