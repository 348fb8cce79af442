import { describe, expect, it } from 'vitest';
import { markdownToTelegramHtml as html } from './telegram-html.ts';

/** Checks that every tag opened is closed, in order. */
function balanced(markup: string): boolean {
  const stack: string[] = [];
  for (const [, closing, name] of markup.matchAll(/<(\/?)([a-z]+)[^>]*>/g)) {
    if (closing === '') stack.push(name as string);
    else if (stack.pop() !== name) return false;
  }
  return stack.length === 0;
}

describe('markdownToTelegramHtml', () => {
  it('escapes characters that HTML would swallow', () => {
    expect(html('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(html('type <b>not bold</b> please')).toBe('type &lt;b&gt;not bold&lt;/b&gt; please');
    expect(html('AT&amp;T')).toBe('AT&amp;amp;T');
  });

  it('converts bold, italic, inline code and links', () => {
    expect(html('**bold** and *italic* and _also_')).toBe(
      '<b>bold</b> and <i>italic</i> and <i>also</i>',
    );
    expect(html('run `ls -la <dir>` now')).toBe('run <code>ls -la &lt;dir&gt;</code> now');
    expect(html('see [the docs](https://example.com/a?b=1&c="2")')).toBe(
      'see <a href="https://example.com/a?b=1&amp;c=&quot;2&quot;">the docs</a>',
    );
    expect(html('*a **b** c*')).toBe('<i>a <b>b</b> c</i>');
    expect(html('***both***')).toBe('<b><i>both</i></b>');
  });

  it('keeps fenced code blocks verbatim, with their language', () => {
    const input = 'Try:\n```python\nif a < b and c:\n    print("**x**")\n```\ndone';
    expect(html(input)).toBe(
      'Try:\n<pre><code class="language-python">if a &lt; b and c:\n    print("**x**")</code></pre>\ndone',
    );
    expect(html('```\nplain\n```')).toBe('<pre>plain</pre>');
  });

  it('leaves identifiers, arithmetic and bullets alone', () => {
    expect(html('call snake_case_name or __init__')).toBe('call snake_case_name or __init__');
    expect(html('2 * 3 * 4')).toBe('2 * 3 * 4');
    expect(html('* one\n* two')).toBe('* one\n* two');
    expect(html('[x](javascript:alert(1))')).toBe('[x](javascript:alert(1))');
    expect(html('\\*not italic\\*')).toBe('*not italic*');
  });

  it.each([
    '**bold',
    '`code',
    '*half **open',
    '_a *b_ c*',
    '[link](https://x.com',
    '```js\nconst unclosed = 1 < 2;',
    '***triple***',
    '**a `**` b**',
  ])('produces balanced tags for unbalanced input %j', (input) => {
    const output = html(input);
    expect(balanced(output)).toBe(true);
    expect(output).not.toMatch(/<(?!\/?(b|i|code|pre|a)\b)/);
  });

  it('shows unbalanced markers literally', () => {
    expect(html('**bold')).toBe('**bold');
    expect(html('`code')).toBe('`code');
    expect(html('```js\nx < 1')).toBe('<pre><code class="language-js">x &lt; 1</code></pre>');
  });
});
