import { describe, expect, it } from 'vitest';
import { formatDiscordMessage, markdownToDiscord } from './discord-markdown.ts';

const ZWSP = '\u200b';

describe('markdownToDiscord', () => {
  it('passes the Markdown Discord shares through unchanged', () => {
    const text = [
      '# Title',
      '**bold**, *italic*, _italic_, `code`, [docs](https://example.com)',
      '> quoted',
      '- one',
      '1. two',
      '```ts',
      'const a = 1 < 2;',
      '```',
    ].join('\n');
    expect(markdownToDiscord(text)).toBe(text);
  });

  it('turns deep headings into level 3 and images into links', () => {
    expect(markdownToDiscord('#### Notes\n###### tiny')).toBe('### Notes\n### tiny');
    expect(markdownToDiscord('see ![a cat](https://x.test/cat.png)')).toBe(
      'see [a cat](https://x.test/cat.png)',
    );
    expect(markdownToDiscord('![](https://x.test/cat.png)')).toBe('https://x.test/cat.png');
  });

  it('defuses @everyone and @here in prose, in any case', () => {
    expect(markdownToDiscord('hey @everyone and @here, @Everyone!')).toBe(
      `hey @${ZWSP}everyone and @${ZWSP}here, @${ZWSP}Everyone!`,
    );
    expect(markdownToDiscord('@everyone', 'fullwidth')).toBe('\uff20everyone');
  });

  it('leaves code blocks and inline code exactly as written', () => {
    const text = [
      'ping `@everyone` or ``a `@here` b``',
      '```',
      '@everyone #### not a heading ![x](y)',
      '```',
      '~~~',
      '@here',
      '~~~',
      'but @here',
    ].join('\n');
    expect(markdownToDiscord(text)).toBe(
      [
        'ping `@everyone` or ``a `@here` b``',
        '```',
        '@everyone #### not a heading ![x](y)',
        '```',
        '~~~',
        '@here',
        '~~~',
        `but @${ZWSP}here`,
      ].join('\n'),
    );
  });

  it('treats an unclosed backtick as text and an unclosed fence as code to the end', () => {
    expect(markdownToDiscord('a ` @here')).toBe(`a \` @${ZWSP}here`);
    expect(markdownToDiscord('```\n@here')).toBe('```\n@here');
  });
});

describe('formatDiscordMessage', () => {
  it('keeps a full-length chunk within the limit by using the same-length guard', () => {
    const text = `@everyone ${'a'.repeat(1990)}`;
    expect(text.length).toBe(2000);
    const out = formatDiscordMessage(text, 2000);
    expect(out.length).toBe(2000);
    expect(out.startsWith('\uff20everyone')).toBe(true);
    expect(formatDiscordMessage('@here hi', 2000)).toBe(`@${ZWSP}here hi`);
  });
});
