import { describe, expect, it } from 'vitest';
import { formatHistory } from './format-history.ts';

const at = (iso: string) => new Date(iso);
const messages = [
  {
    id: 10,
    role: 'user' as const,
    sender_name: 'Alice',
    content: 'Hello\nsecond line',
    sent_at: at('2026-12-01T09:00:00Z'),
    reply_to: null,
    platform_message_id: '1',
  },
  {
    id: 11,
    role: 'assistant' as const,
    sender_name: 'Andy',
    content: 'Hi "Alice"',
    sent_at: at('2026-12-01T09:00:05Z'),
    reply_to: '1',
    platform_message_id: 'a-11',
  },
];
const heading = { jid: 'telegram:-100', title: 'Team', exportedAt: at('2026-12-02T10:00:00Z') };

describe('formatHistory', () => {
  it('writes one JSON line per message, in order, that parses back to the message', () => {
    const file = formatHistory(messages, 'jsonl', heading);
    expect(file.fileName).toBe('history-telegram_-100-2026-12-02.jsonl');
    const lines = file.content.trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        id: 10,
        sentAt: '2026-12-01T09:00:00.000Z',
        sender: 'Alice',
        role: 'user',
        text: 'Hello\nsecond line',
        platformMessageId: '1',
        replyTo: null,
      },
      {
        id: 11,
        sentAt: '2026-12-01T09:00:05.000Z',
        sender: 'Andy',
        role: 'assistant',
        text: 'Hi "Alice"',
        platformMessageId: 'a-11',
        replyTo: '1',
      },
    ]);
  });

  it('writes Markdown with a heading per message and its text below', () => {
    const file = formatHistory(messages, 'md', heading);
    expect(file.mimeType).toBe('text/markdown');
    expect(file.content).toBe(
      [
        '# History of Team (telegram:-100)',
        '',
        'Exported 2026-12-02 10:00:00 UTC, 2 messages.',
        '',
        '### Alice · 2026-12-01 09:00:00 UTC',
        '',
        'Hello\nsecond line',
        '',
        '### Andy (assistant) · 2026-12-01 09:00:05 UTC',
        '',
        'Hi "Alice"',
        '',
      ].join('\n'),
    );
  });
});
