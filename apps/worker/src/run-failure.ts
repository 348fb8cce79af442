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

/** Agent failures that a retry would only repeat. */
const FINAL_AGENT_CODES = new Set(['timeout', 'oom', 'stopped', 'line_too_long', 'malformed']);
/** Configuration problems the user or operator must fix first. */
const FINAL_ERRORS = new Set([
  'MountRefusedError',
  'InvalidFolderNameError',
  'MountAllowlistError',
]);

/** Classifies a run's error for retry and for the one line the thread hears. */
export function classifyRunFailure(error: unknown): RunFailure {
  const message = error instanceof Error ? error.message : String(error);
  const short = message.split('\n')[0]!.slice(0, 300);
  if (error instanceof RunCancelledError) {
    return { retryable: false, notice: `Stopped. ${short}`, advanceCursor: true };
  }
  if (error instanceof RunLimitError) {
    // A retry would hit the same limit; the messages count as answered.
    return { retryable: false, notice: `Stopped: ${short}.`, advanceCursor: true };
  }
  if (error instanceof AgentProtocolError && FINAL_AGENT_CODES.has(error.code)) {
    return {
      retryable: false,
      notice: `Sorry, I could not answer: ${short}.`,
      advanceCursor: true,
    };
  }
  if (error instanceof LlmUnavailableError) {
    // The provider already retried; the messages stay unanswered for when it is back.
    return {
      retryable: false,
      notice: `Sorry, I could not answer: ${short}`,
      advanceCursor: false,
    };
  }
  if (error instanceof GridBotError && error.name === 'WorkspaceFullError') {
    // Nothing to retry until an operator makes room; the messages wait for that.
    return { retryable: false, notice: `Sorry, I could not start: ${short}`, advanceCursor: false };
  }
  if (error instanceof GridBotError && FINAL_ERRORS.has(error.name)) {
    return { retryable: false, notice: `Sorry, I could not start: ${short}`, advanceCursor: true };
  }
  return {
    retryable: true,
    notice: `Sorry, I could not answer this time (${short}). Please try again.`,
    advanceCursor: true,
  };
}
