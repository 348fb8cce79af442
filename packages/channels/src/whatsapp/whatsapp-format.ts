import {
  convertMarkdownLines,
  EMPHASIS,
  outsideCodeSpans,
  singleCharEmphasis,
} from '../markdown-lines.ts';

const BULLET = /^(\s*)[*+]\s+/;

function prose(text: string): string {
  const linked = text.replace(EMPHASIS.link, (_raw, label: string, url: string) =>
    label.trim() === '' || label.trim() === url ? url : `${label} (${url})`,
  );
  return singleCharEmphasis(linked);
}

/**
 * Converts the Markdown GridBot writes into WhatsApp's formatting subset: `**bold**` →
 * `*bold*`, `*italic*` → `_italic_`, `~~strike~~` → `~strike~`, `[text](url)` → `text (url)`
 * (WhatsApp links bare URLs itself), headings → bold lines, `*`/`+` list items → `-`; fenced
 * code keeps its fences without the language (WhatsApp shows ``` blocks in monospace) and
 * inline code stays as it is. Pure.
 */
export function markdownToWhatsApp(markdown: string): string {
  return convertMarkdownLines(markdown, {
    code: (line) => line,
    heading: (text) => `*${outsideCodeSpans(text, prose).replace(/^\*(.*)\*$/, '$1')}*`,
    prose: (line) => outsideCodeSpans(line.replace(BULLET, '$1- '), prose),
  });
}
