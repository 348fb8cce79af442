import { AgentProtocolError, GridBotError, RunCancelledError } from '@gridbot/core';
import { LlmUnavailableError } from '@gridbot/llm';
import { RunLimitError } from './run-limit-error.ts';

/** How a failed run is handled: retried by the queue, or told to the thread at once. */
export interface RunFailure {
  /** Worth another attempt (a crash may be transient); false when a retry would fail the same way. */
  retryable: boolean;
  /** One line for the thread. */
  notice: string;
  /** False keeps the run's messages unanswered for a later run (the fault was not theirs). */
  advanceCursor: boolean;
}

/**
 * Agent failures that a retry would only repeat, with what the chat hears about each. The
 * worker's own messages for `timeout` and `oom` say the limit and nothing else, so they are
 * told as they are; the others get a fixed line (the details are in the run's record).
 */
const FINAL_AGENT_CODES: Record<string, ((message: string) => string) | string> = {
  timeout: (message) => message,
  oom: (message) => message,
  stopped: 'the agent was stopped',
  line_too_long: 'the agent sent a line over 1 MiB',
  malformed: 'the agent did not speak the protocol',
};
/** Configuration problems the user or operator must fix first. */
const FINAL_ERRORS = new Set([
  'MountRefusedError',
  'InvalidFolderNameError',
  'MountAllowlistError',
]);

/**
 * Classifies a run's error for retry and for the one line the thread hears. That line
 * never carries an error's own text (a stack, a path, an agent's stderr, a provider's
 * answer): only lines written for the chat (a stop, a limit, a provider that is down)
 * are told as they are; anything else is a short line with the run id, under which the
 * dashboard and the logs keep the details.
 */
export function classifyRunFailure(error: unknown, runId: number): RunFailure {
  const message = error instanceof Error ? error.message : String(error);
  const short = message.split('\n')[0]!.slice(0, 300);
  const run = `run ${runId}`;
  if (error instanceof RunCancelledError) {
    return { retryable: false, notice: `Stopped. ${short}`, advanceCursor: true };
  }
  if (error instanceof RunLimitError) {
    // A retry would hit the same limit; the messages count as answered.
    return { retryable: false, notice: `Stopped: ${short}.`, advanceCursor: true };
  }
  const told = error instanceof AgentProtocolError ? FINAL_AGENT_CODES[error.code] : undefined;
  if (told !== undefined) {
    const why = typeof told === 'string' ? told : told(short);
    return {
      retryable: false,
      notice: `Sorry, I could not answer: ${why.replace(/\.$/, '')} (${run}).`,
      advanceCursor: true,
    };
  }
  if (error instanceof LlmUnavailableError) {
    // The provider already retried; the messages stay unanswered for when it is back.
    return {
      retryable: false,
      notice: `Sorry, I could not answer: ${short.replace(/\.$/, '')} (${run}).`,
      advanceCursor: false,
    };
  }
  if (error instanceof GridBotError && error.name === 'WorkspaceFullError') {
    // Nothing to retry until an operator makes room; the messages wait for that.
    return { retryable: false, notice: `Sorry, I could not start: ${short}`, advanceCursor: false };
  }
  if (error instanceof GridBotError && FINAL_ERRORS.has(error.name)) {
    return {
      retryable: false,
      notice: `Sorry, I could not start: this chat's sandbox settings were refused; an admin finds why under ${run} in the dashboard.`,
      advanceCursor: true,
    };
  }
  return {
    retryable: true,
    notice: `Sorry, I could not answer this time (${run}). Please try again.`,
    advanceCursor: true,
  };
}
