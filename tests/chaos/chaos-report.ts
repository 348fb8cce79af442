/**
 * What the fault-injection suite counts, from what the platform saw and what Postgres
 * recorded. Pure, so the counting itself is unit tested.
 */

/** A user message of the load: one unique token, acknowledged by the gateway at `ackAt`. */
export interface SentMessage {
  chatId: number;
  token: string;
  /** Order within the chat. */
  seq: number;
  ackAt: number;
}

export interface ReplySeen {
  chatId: number;
  text: string;
  at: number;
  /** The platform's id for it, when known. */
  messageId?: number;
}

export interface RunRecord {
  threadId: number;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
}

/** One injected fault: when it struck and when the system was whole again. */
export interface FaultRecord {
  kind: string;
  at: number;
  healedAt: number;
}

export interface RecoveryStat {
  kind: string;
  at: number;
  /** Threads that had work pending at the fault or got some during it. */
  affected: number;
  /** Per affected thread: ms from the fault's healing to the next reply answering its work. */
  latenciesMs: number[];
  /** Affected threads never answered after the fault. */
  unanswered: number;
}

export interface ChaosReport {
  sent: number;
  answered: number;
  lost: string[];
  answeredTwice: string[];
  identicalRepliesTwice: number;
  /**
   * Of those, replies whose first copy reached the platform in the moment before the gateway
   * was killed: sent, but the process died before it could record the send, so the next
   * gateway sent it again. A platform without an idempotency key (Telegram) makes this
   * window unavoidable; it is counted apart, with its tokens, and reported.
   */
  resentAcrossGatewayKill: string[];
  orderViolations: number;
  overlappingRuns: number;
  recovery: RecoveryStat[];
  /** Over every (fault, affected thread) pair. */
  recoveryP50Ms: number;
  recoveryP99Ms: number;
  recoveryMaxMs: number;
}

const TOKEN = /\btok-\d+-\d+\b/g;

/** The load tokens a text quotes. */
export function tokensIn(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Successful runs of one thread whose time spans overlap (the lease forbids it). */
export function countOverlaps(runs: RunRecord[]): number {
  const byThread = new Map<number, RunRecord[]>();
  for (const run of runs) {
    if (run.status !== 'succeeded' || !run.finishedAt) continue;
    const list = byThread.get(run.threadId) ?? [];
    list.push(run);
    byThread.set(run.threadId, list);
  }
  let overlaps = 0;
  for (const list of byThread.values()) {
    list.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.startedAt.getTime() < list[i - 1]!.finishedAt!.getTime()) overlaps++;
    }
  }
  return overlaps;
}

function recoveryOf(
  fault: FaultRecord,
  sent: SentMessage[],
  firstAnswer: Map<string, number>,
): RecoveryStat {
  // Work pending at the fault, or arriving while it lasted, by chat.
  const pending = new Map<number, SentMessage[]>();
  for (const message of sent) {
    const answeredAt = firstAnswer.get(message.token);
    const open =
      message.ackAt <= fault.healedAt && (answeredAt === undefined || answeredAt > fault.at);
    if (!open) continue;
    const list = pending.get(message.chatId) ?? [];
    list.push(message);
    pending.set(message.chatId, list);
  }
  const latenciesMs: number[] = [];
  let unanswered = 0;
  for (const messages of pending.values()) {
    const answers = messages
      .map((m) => firstAnswer.get(m.token))
      .filter((at): at is number => at !== undefined);
    if (answers.length === 0) {
      unanswered++;
      continue;
    }
    latenciesMs.push(Math.max(0, Math.min(...answers) - fault.healedAt));
  }
  return { kind: fault.kind, at: fault.at, affected: pending.size, latenciesMs, unanswered };
}

/**
 * Without the outbox's record: how close before a gateway kill a send must be to fall in
 * the unrecordable window.
 */
const SEND_WINDOW_MS = 50;
/** With it: a send no outbox row recorded, followed this soon by a gateway kill. */
const UNRECORDED_WINDOW_MS = 5_000;

export function buildReport(input: {
  sent: SentMessage[];
  replies: ReplySeen[];
  runs: RunRecord[];
  faults: FaultRecord[];
  /**
   * The platform message ids the outbox rows recorded as sent. A copy whose first send is
   * not among them, with a gateway killed just after, is that window for certain: the
   * platform took it and the gateway died before it could record it.
   */
  recordedMessageIds?: ReadonlySet<string>;
}): ChaosReport {
  const gatewayKills = input.faults.filter((f) => f.kind === 'kill-gateway').map((f) => f.at);
  const firstCopyAt = new Map<string, number>();
  const firstCopyId = new Map<string, string>();
  const resent = new Set<string>();
  const { sent, replies } = input;
  const known = new Map(sent.map((m) => [m.token, m]));
  const answers = new Map<string, number>();
  const firstAnswer = new Map<string, number>();
  const seenTexts = new Map<string, number>();
  let identicalRepliesTwice = 0;
  let orderViolations = 0;
  const lastSeq = new Map<number, number>();
  for (const reply of [...replies].sort((a, b) => a.at - b.at)) {
    const key = `${reply.chatId}\u0000${reply.text}`;
    const copies = (seenTexts.get(key) ?? 0) + 1;
    seenTexts.set(key, copies);
    if (copies === 1) {
      firstCopyAt.set(key, reply.at);
      if (reply.messageId !== undefined) firstCopyId.set(key, String(reply.messageId));
    }
    const first = firstCopyAt.get(key)!;
    const firstId = firstCopyId.get(key);
    const recorded = input.recordedMessageIds;
    const inWindow =
      recorded && firstId !== undefined
        ? !recorded.has(firstId) &&
          gatewayKills.some((kill) => first <= kill && kill - first <= UNRECORDED_WINDOW_MS)
        : gatewayKills.some((kill) => first <= kill && kill - first <= SEND_WINDOW_MS);
    if (copies > 1 && inWindow) for (const token of tokensIn(reply.text)) resent.add(token);
    else if (copies > 1) identicalRepliesTwice++;
    for (const token of new Set(tokensIn(reply.text))) {
      const message = known.get(token);
      if (!message || message.chatId !== reply.chatId) continue;
      answers.set(token, (answers.get(token) ?? 0) + 1);
      if (!firstAnswer.has(token)) firstAnswer.set(token, reply.at);
      const previous = lastSeq.get(reply.chatId) ?? -1;
      if (message.seq < previous) orderViolations++;
      lastSeq.set(reply.chatId, Math.max(previous, message.seq));
    }
  }
  const recovery = input.faults.map((fault) => recoveryOf(fault, sent, firstAnswer));
  const all = recovery.flatMap((r) => r.latenciesMs);
  return {
    sent: sent.length,
    answered: sent.filter((m) => answers.has(m.token)).length,
    lost: sent.filter((m) => !answers.has(m.token)).map((m) => m.token),
    answeredTwice: [...answers]
      .filter(([token, n]) => n > 1 && !resent.has(token))
      .map(([token]) => token),
    identicalRepliesTwice,
    resentAcrossGatewayKill: [...resent],
    orderViolations,
    overlappingRuns: countOverlaps(input.runs),
    recovery,
    recoveryP50Ms: percentile(all, 50),
    recoveryP99Ms: percentile(all, 99),
    recoveryMaxMs: all.length === 0 ? 0 : Math.max(...all),
  };
}

/** The report as lines for the test output and the closing note. */
export function formatReport(report: ChaosReport): string {
  const lines = [
    `sent ${report.sent}, answered ${report.answered}, lost ${report.lost.length}, answered twice ${report.answeredTwice.length}, identical replies sent twice ${report.identicalRepliesTwice}`,
    `order violations ${report.orderViolations}, overlapping successful runs ${report.overlappingRuns}`,
    `resent because the gateway was killed between sending and recording (Telegram has no idempotency key): ${report.resentAcrossGatewayKill.length}${report.resentAcrossGatewayKill.length ? ` (${report.resentAcrossGatewayKill.join(' ')})` : ''}`,
    `recovery after a fault (affected threads' next answer): p50 ${report.recoveryP50Ms} ms, p99 ${report.recoveryP99Ms} ms, max ${report.recoveryMaxMs} ms`,
  ];
  for (const r of report.recovery) {
    const worst = r.latenciesMs.length === 0 ? 0 : Math.max(...r.latenciesMs);
    lines.push(
      `  ${r.kind.padEnd(18)} affected ${String(r.affected).padStart(3)}  p50 ${String(percentile(r.latenciesMs, 50)).padStart(6)} ms  max ${String(worst).padStart(6)} ms${r.unanswered ? `  unanswered ${r.unanswered}` : ''}`,
    );
  }
  if (report.lost.length > 0) lines.push(`lost: ${report.lost.slice(0, 50).join(' ')}`);
  if (report.answeredTwice.length > 0)
    lines.push(`answered twice: ${report.answeredTwice.slice(0, 50).join(' ')}`);
  return lines.join('\n');
}
