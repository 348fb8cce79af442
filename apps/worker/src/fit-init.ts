import { type InitializeParams, MAX_LINE_BYTES } from '@gridbot/core';
import type { Logger } from 'pino';

/** Room kept for the request's envelope and for the notes this adds. */
const ENVELOPE_BYTES = 4 * 1024;

/** What had to be left out of `initialize` so that it fits one protocol line. */
export interface LeftOut {
  threadMemory: number;
  globalMemory: number;
  history: number;
}

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * `initialize` as it can be sent: one line of at most `maxBytes`. A thread whose memory or
 * history outgrew that would otherwise fail every run. Leaves out the oldest memory entries
 * (of the larger memory first), then the oldest history, and tells the agent in a memory
 * note how many entries it does not see. The new messages and the rest are never cut:
 * what still does not fit fails the run as before, with its reason.
 */
export function fitInitToLine(
  init: InitializeParams,
  log: Pick<Logger, 'warn'>,
  maxBytes: number = MAX_LINE_BYTES,
): InitializeParams {
  const budget = maxBytes - ENVELOPE_BYTES;
  let size = bytesOf(init);
  if (size <= budget) return init;
  const thread = [...init.memory.thread];
  const global = [...init.memory.global];
  const history = [...init.history];
  const leftOut: LeftOut = { threadMemory: 0, globalMemory: 0, history: 0 };
  // Each removed element saves its JSON and a comma.
  const sizeOfList = (list: readonly unknown[]) => list.reduce<number>((n, e) => n + bytesOf(e), 0);
  let threadBytes = sizeOfList(thread);
  let globalBytes = sizeOfList(global);
  while (size > budget && thread.length + global.length > 0) {
    const fromThread = global.length === 0 || (thread.length > 0 && threadBytes >= globalBytes);
    const list = fromThread ? thread : global;
    const saved = bytesOf(list.shift()) + 1;
    size -= saved;
    if (fromThread) {
      threadBytes -= saved - 1;
      leftOut.threadMemory += 1;
    } else {
      globalBytes -= saved - 1;
      leftOut.globalMemory += 1;
    }
  }
  while (size > budget && history.length > 0) {
    size -= bytesOf(history.shift()) + 1;
    leftOut.history += 1;
  }
  const note = (count: number) =>
    `(${count} older entries are left out of this run: this memory is more than one run can take. Remove or shorten entries with memory.write.)`;
  if (leftOut.threadMemory > 0) thread.unshift(note(leftOut.threadMemory));
  if (leftOut.globalMemory > 0) global.unshift(note(leftOut.globalMemory));
  log.warn({ leftOut, maxBytes }, 'initialize is over one protocol line; oldest context left out');
  return { ...init, memory: { thread, global }, history };
}
