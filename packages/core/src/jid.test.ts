import { describe, expect, it } from 'vitest';
import { InvalidJidError } from './errors.ts';
import { buildJid, parseJid } from './jid.ts';

describe('jid', () => {
  it('parses channel, chat and sub-thread', () => {
    expect(parseJid('telegram:-1001234')).toEqual({
      channel: 'telegram',
      chatId: '-1001234',
      subId: null,
    });
    expect(parseJid('discord:987654321:1122')).toEqual({
      channel: 'discord',
      chatId: '987654321',
      subId: '1122',
    });
  });

  it('builds what it parses', () => {
    expect(buildJid('telegram', -1001234)).toBe('telegram:-1001234');
    expect(buildJid('discord', '1', '2')).toBe('discord:1:2');
  });

  it.each([
    ['', 'two or three parts'],
    ['telegram', 'two or three parts'],
    ['telegram:', 'platform id'],
    ['Telegram:1', 'channel'],
    ['telegram:abc', 'integer'],
    ['telegram:1:2:3', 'two or three parts'],
    ['web:has space', 'invalid characters'],
  ])('rejects %j', (input, reason) => {
    expect(() => parseJid(input)).toThrow(InvalidJidError);
    expect(() => parseJid(input)).toThrow(reason);
  });
});
