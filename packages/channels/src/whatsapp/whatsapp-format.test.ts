import { describe, expect, it } from 'vitest';
import { markdownToWhatsApp } from './whatsapp-format.ts';

describe('markdownToWhatsApp', () => {
  it('turns bold, italic, strike and links into WhatsApp formatting', () => {
    expect(markdownToWhatsApp('**bold** and *italic* and ~~gone~~')).toBe(
      '*bold* and _italic_ and ~gone~',
    );
    expect(markdownToWhatsApp('__also bold__')).toBe('*also bold*');
    expect(markdownToWhatsApp('see [the docs](https://example.com/a?b=1&c=2)')).toBe(
      'see the docs (https://example.com/a?b=1&c=2)',
    );
    expect(markdownToWhatsApp('[https://x.test](https://x.test)')).toBe('https://x.test');
  });

  it('turns headings into bold lines and keeps lists as WhatsApp writes them', () => {
    expect(markdownToWhatsApp('# Title\n## **Sub**\n- one\n* two\n  + nested\n1. first')).toBe(
      '*Title*\n*Sub*\n- one\n- two\n  - nested\n1. first',
    );
  });

  it('keeps code blocks and inline code as they are, dropping the language tag', () => {
    const input = '```ts\nconst a = **b** < c && d;\n```\nuse `**x**` here';
    expect(markdownToWhatsApp(input)).toBe('```\nconst a = **b** < c && d;\n```\nuse `**x**` here');
  });

  it('closes a code block a chunk cut open', () => {
    expect(markdownToWhatsApp('```\nlet x = 1;')).toBe('```\nlet x = 1;\n```');
  });
});
