import { describe, expect, it } from 'vitest';
import { markdownToMrkdwn } from './slack-mrkdwn.ts';

describe('markdownToMrkdwn', () => {
  it('turns bold, italic, strike and links into Slack mrkdwn', () => {
    expect(markdownToMrkdwn('**bold** and *italic* and ~~gone~~')).toBe(
      '*bold* and _italic_ and ~gone~',
    );
    expect(markdownToMrkdwn('__also bold__')).toBe('*also bold*');
    expect(markdownToMrkdwn('see [the docs](https://example.com/a?b=1&c=2)')).toBe(
      'see <https://example.com/a?b=1&amp;c=2|the docs>',
    );
    expect(markdownToMrkdwn('![a chart](https://example.com/c.png)')).toBe(
      '<https://example.com/c.png|a chart>',
    );
  });

  it('turns headings into bold lines and list items into bullets', () => {
    expect(markdownToMrkdwn('# Title\n## **Sub**\n- one\n* two\n  + nested')).toBe(
      '*Title*\n*Sub*\n• one\n• two\n  • nested',
    );
  });

  it('keeps code blocks and inline code, dropping the language tag', () => {
    const input = '```ts\nconst a = **b** < c && d;\n```\nuse `**x**` here';
    expect(markdownToMrkdwn(input)).toBe(
      '```\nconst a = **b** &lt; c &amp;&amp; d;\n```\nuse `**x**` here',
    );
  });

  it('closes a code block a chunk left open', () => {
    expect(markdownToMrkdwn('```\nstill code')).toBe('```\nstill code\n```');
  });

  it('escapes control sequences so nothing pings', () => {
    expect(markdownToMrkdwn('hey <!channel> and <@U0ALICE001>')).toBe(
      'hey &lt;!channel&gt; and &lt;@U0ALICE001&gt;',
    );
  });

  it('leaves arithmetic stars and snake_case alone', () => {
    expect(markdownToMrkdwn('2 * 3 * 4 and snake_case_name')).toBe('2 * 3 * 4 and snake_case_name');
  });
});
