import { DEFAULT_BEHAVIOUR, resolveConfig } from '@gridbot/core';
import { isSearchable, listMessages, searchMessages } from '@gridbot/db';
import type { ChatCommand, CommandContext } from './chat-command.ts';
import { formatHistory, type HistoryFormat } from './format-history.ts';

const USAGE =
  'Usage: /history search <words> (the best matches in this chat) or /history export [md|jsonl] (the whole history as a file).';
/** Matches `/history search` answers with. */
const SEARCH_RESULTS = 5;
/** Characters of a matching message shown. */
const SNIPPET = 200;

/**
 * `/history search <words>` finds this chat's messages by full-text search (every stored
 * message, also those before a `/reset`); `/history export [md|jsonl]` sends the whole
 * history as a file, refused with the sizes when it is over the channel's file limit.
 */
export const historyCommand: ChatCommand = {
  name: 'history',
  usage: '/history search <words> | /history export [md|jsonl]',
  summary: "finds this chat's messages, or sends its whole history as a file",
  pattern: /^\/history(@\w+)?(?:\s+([\s\S]*))?$/i,
  async run(context) {
    const [, sub = '', rest = ''] = /^(\S*)\s*([\s\S]*)$/.exec(context.match[2]?.trim() ?? '')!;
    switch (sub.toLowerCase()) {
      case 'search':
        return search(context, rest.trim());
      case 'export':
        return exportHistory(context, rest.trim().toLowerCase());
      default:
        return context.reply(USAGE);
    }
  },
};

async function search({ db, thread, reply }: CommandContext, words: string): Promise<void> {
  if (words === '')
    return reply('Usage: /history search <words>, e.g. /history search invoice march');
  if (!(await isSearchable(db, words)))
    return reply(`There is nothing to search for in "${words}": give a word or two.`);
  const matches = await searchMessages(db, thread.id, words, SEARCH_RESULTS);
  if (matches.length === 0) return reply(`No message of this chat matches "${words}".`);
  const { timezone } = resolveConfig(DEFAULT_BEHAVIOUR, {}, thread.config);
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const lines = matches.map(
    (m, i) => `${i + 1}. ${format.format(m.sentAt)}, ${m.senderName}: ${snippet(m.content, words)}`,
  );
  return reply([`Best matches for "${words}" (${timezone}):`, ...lines].join('\n'));
}

async function exportHistory(context: CommandContext, argument: string): Promise<void> {
  const { db, thread, reply, maxDocumentBytes } = context;
  if (argument !== '' && argument !== 'md' && argument !== 'jsonl')
    return reply(
      `"${argument}" is not an export format: use /history export md or /history export jsonl.`,
    );
  const format: HistoryFormat = argument === 'jsonl' ? 'jsonl' : 'md';
  const messages = await listMessages(db, thread.id);
  if (messages.length === 0) return reply('This chat has no stored messages to export yet.');
  const file = formatHistory(messages, format, {
    jid: thread.jid,
    title: thread.title,
    exportedAt: new Date(),
  });
  const bytes = Buffer.byteLength(file.content);
  if (bytes > maxDocumentBytes) {
    return reply(
      `This chat's history is ${megabytes(bytes)} as ${format}, more than the ${megabytes(maxDocumentBytes)} a file sent here may have, so it was not sent.${format === 'md' ? '' : ' The md export is a little smaller.'} An operator can export it from the database (gridbot backup).`,
    );
  }
  const first = messages[0]!.sent_at.toISOString().slice(0, 10);
  const last = messages.at(-1)!.sent_at.toISOString().slice(0, 10);
  await context.replyWithDocument(
    `History of this chat: ${messages.length} message${messages.length === 1 ? '' : 's'}, ${first} to ${last} (${format}).`,
    file,
  );
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The message on one line, cut around the first searched word it contains. */
function snippet(content: string, words: string): string {
  const flat = content.replace(/\s+/g, ' ').trim();
  if (flat.length <= SNIPPET) return flat;
  const lower = flat.toLowerCase();
  const at = words
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .map((w) => lower.indexOf(w))
    .filter((i) => i >= 0)
    .sort((a, b) => a - b)[0];
  const start = Math.max(0, Math.min((at ?? 0) - SNIPPET / 4, flat.length - SNIPPET));
  return `${start > 0 ? '…' : ''}${flat.slice(start, start + SNIPPET)}${start + SNIPPET < flat.length ? '…' : ''}`;
}
