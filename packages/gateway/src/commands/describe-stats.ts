import { DEFAULT_BEHAVIOUR, estimateCost, resolveConfig } from '@gridbot/core';
import { type Database, type Thread, threadStats } from '@gridbot/db';
import type { Kysely } from 'kysely';

const count = new Intl.NumberFormat('en-US');

/**
 * The `/stats` answer: the thread's messages (people, assistant), runs by status, tokens in
 * and out with a cost estimate from list prices (none for a model whose price is not
 * known), and its first and last message in the thread's time zone.
 */
export async function describeStats(db: Kysely<Database>, thread: Thread): Promise<string> {
  const stats = await threadStats(db, thread.id);
  const { timezone } = resolveConfig(DEFAULT_BEHAVIOUR, {}, thread.config);
  const when = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const lines = ['Statistics of this chat'];
  const { user, assistant } = stats.messages;
  lines.push(
    `Messages: ${count.format(user)} from people, ${count.format(assistant)} from the assistant`,
  );
  const runs = Object.entries(stats.runs).sort(([a], [b]) => a.localeCompare(b));
  const totalRuns = runs.reduce((sum, [, n]) => sum + n, 0);
  lines.push(
    totalRuns === 0
      ? 'Runs: none yet'
      : `Runs: ${count.format(totalRuns)} (${runs.map(([status, n]) => `${count.format(n)} ${status.replaceAll('_', ' ')}`).join(', ')})`,
  );
  const input = stats.tokens.reduce((sum, t) => sum + t.input, 0);
  const output = stats.tokens.reduce((sum, t) => sum + t.output, 0);
  lines.push(`Tokens: ${count.format(input)} in, ${count.format(output)} out`);
  for (const t of stats.tokens.length > 1 ? stats.tokens : []) {
    lines.push(
      `  ${t.model} (${t.provider}): ${count.format(t.input)} in, ${count.format(t.output)} out`,
    );
  }
  lines.push(costLine(stats.tokens));
  lines.push(
    stats.firstActivity && stats.lastActivity
      ? `First activity: ${when.format(stats.firstActivity)}; last: ${when.format(stats.lastActivity)} (${timezone})`
      : 'No activity yet',
  );
  return lines.join('\n');
}

/** The estimate over every model with a known price, naming those without one. */
function costLine(tokens: { model: string; input: number; output: number }[]): string {
  if (tokens.length === 0) return 'Estimated cost: nothing used yet';
  let total = 0;
  const unpriced: string[] = [];
  for (const t of tokens) {
    const cost = estimateCost(t.model, t.input, t.output);
    if (cost === null) unpriced.push(t.model);
    else total += cost;
  }
  if (unpriced.length === tokens.length)
    return `Estimated cost: unknown (no price listed for ${unpriced.join(', ')})`;
  const amount = total > 0 && total < 0.01 ? '< $0.01' : `$${total.toFixed(2)}`;
  return `Estimated cost: ${amount} at list prices (an estimate, not a bill${unpriced.length > 0 ? `; without ${unpriced.join(', ')}, whose price is not listed` : ''})`;
}
