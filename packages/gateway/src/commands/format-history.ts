import type { Message } from '@gridbot/db';

/** The formats `/history export` writes. */
export type HistoryFormat = 'md' | 'jsonl';

/** What the file is named after. */
export interface HistoryHeading {
  jid: string;
  title: string | null;
  exportedAt: Date;
}

type ExportedMessage = Pick<
  Message,
  'id' | 'role' | 'sender_name' | 'content' | 'sent_at' | 'reply_to' | 'platform_message_id'
>;

/**
 * A thread's messages as a file: `jsonl` has one JSON object per stored message, in order
 * (id, sent time, sender, role, text, platform ids), for programs; `md` a heading, then
 * each message as a level-3 heading (sender, role unless a person's, UTC time) followed by
 * its text, for people.
 */
export function formatHistory(
  messages: readonly ExportedMessage[],
  format: HistoryFormat,
  heading: HistoryHeading,
): { fileName: string; mimeType: string; content: string } {
  const stamp = heading.exportedAt.toISOString().slice(0, 10);
  const base = `history-${heading.jid.replace(/[^A-Za-z0-9_-]+/g, '_')}-${stamp}`;
  if (format === 'jsonl') {
    const lines = messages.map((m) =>
      JSON.stringify({
        id: m.id,
        sentAt: m.sent_at.toISOString(),
        sender: m.sender_name,
        role: m.role,
        text: m.content,
        platformMessageId: m.platform_message_id,
        replyTo: m.reply_to,
      }),
    );
    return {
      fileName: `${base}.jsonl`,
      mimeType: 'application/x-ndjson',
      content: lines.map((line) => `${line}\n`).join(''),
    };
  }
  const title = heading.title ? `${heading.title} (${heading.jid})` : heading.jid;
  const parts = [
    `# History of ${title}`,
    '',
    `Exported ${utc(heading.exportedAt)}, ${messages.length} message${messages.length === 1 ? '' : 's'}.`,
    '',
  ];
  for (const m of messages) {
    const who =
      m.role === 'user' || m.sender_name === m.role
        ? m.sender_name
        : `${m.sender_name} (${m.role})`;
    parts.push(`### ${who} · ${utc(m.sent_at)}`, '', m.content, '');
  }
  return { fileName: `${base}.md`, mimeType: 'text/markdown', content: parts.join('\n') };
}

/** `2026-12-02 13:58:01 UTC`. */
function utc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
