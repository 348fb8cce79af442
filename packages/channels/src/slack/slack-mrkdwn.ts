import {
  convertMarkdownLines,
  EMPHASIS,
  outsideCodeSpans,
  singleCharEmphasis,
} from '../markdown-lines.ts';

const BULLET = /^(\s*)[-*+]\s+/;

/**
 * The three characters Slack reads as control sequences (`<@U…>`, `<!channel>`, links):
 * escaping them everywhere means nothing the assistant writes pings anyone or forms a link
 * it did not mean.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function prose(text: string): string {
  const linked = escapeSlack(text).replace(EMPHASIS.link, (_raw, label: string, url: string) =>
    label.trim() === '' ? `<${url}>` : `<${url}|${label.replace(/\|/g, '/')}>`,
  );
  return singleCharEmphasis(linked);
}

/**
 * Converts the Markdown GridBot writes into Slack `mrkdwn`: `**bold**` → `*bold*`,
 * `*italic*` → `_italic_`, `~~strike~~` → `~strike~`, `[text](url)` → `<url|text>`,
 * headings → bold lines, `-`/`*` list items → `•`; fenced code keeps its fences without
 * the language (Slack shows it as text) and inline code stays as it is. `&`, `<` and `>` are
 * escaped everywhere, code included, as Slack requires, so `<!channel>` or `<@U…>` written by
 * the assistant never pings. Pure.
 */
export function markdownToMrkdwn(markdown: string): string {
  return convertMarkdownLines(markdown, {
    code: escapeSlack,
    heading: (text) =>
      `*${outsideCodeSpans(text, prose, escapeSlack).replace(/^\*(.*)\*$/, '$1')}*`,
    prose: (line) => outsideCodeSpans(line.replace(BULLET, '$1• '), prose, escapeSlack),
  });
}
