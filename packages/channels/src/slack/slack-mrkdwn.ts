/** Opening or closing code fence: three or more backticks (or tildes), as CommonMark reads it. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$/;
const BULLET = /^(\s*)[-*+]\s+/;
const IMAGE_OR_LINK = /!?\[([^\]\n]*)\]\(([^()\s]+)\)/g;
const BOLD = /\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__/g;
const ITALIC = /(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])/g;
const STRIKE = /~~(?=\S)(.+?)(?<=\S)~~/g;
/** Stands in for a bold `*` while single stars become italics. */
const BOLD_MARK = '\u0001';

/**
 * The three characters Slack reads as control sequences (`<@U…>`, `<!channel>`, links):
 * escaping them everywhere means nothing the assistant writes pings anyone or forms a link
 * it did not mean.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Applies `transform` to the prose of a line, leaving inline code spans (only escaped). */
function outsideCodeSpans(line: string, transform: (prose: string) => string): string {
  const parts = line.split(/(`+[^`]*`+)/);
  return parts
    .map((part, index) => (index % 2 === 1 ? escapeSlack(part) : transform(part)))
    .join('');
}

function prose(text: string): string {
  let out = escapeSlack(text);
  out = out.replace(IMAGE_OR_LINK, (_raw, label: string, url: string) =>
    label.trim() === '' ? `<${url}>` : `<${url}|${label.replace(/\|/g, '/')}>`,
  );
  out = out.replace(BOLD, (_raw, a?: string, b?: string) => `${BOLD_MARK}${a ?? b}${BOLD_MARK}`);
  out = out.replace(ITALIC, '_$1_');
  out = out.replace(STRIKE, '~$1~');
  return out.replaceAll(BOLD_MARK, '*');
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
  let fence: string | null = null;
  const out: string[] = [];
  for (const line of markdown.split('\n')) {
    const opener = FENCE.exec(line);
    if (fence === null && opener) {
      fence = opener[1]!;
      out.push('```');
      continue;
    }
    if (fence !== null) {
      if (
        opener &&
        opener[1]!.startsWith(fence[0]!) &&
        opener[1]!.length >= fence.length &&
        line.trim() === opener[1]
      ) {
        fence = null;
        out.push('```');
      } else {
        out.push(escapeSlack(line));
      }
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      out.push(`*${outsideCodeSpans(heading[1]!, prose).replace(/^\*(.*)\*$/, '$1')}*`);
      continue;
    }
    out.push(outsideCodeSpans(line.replace(BULLET, '$1• '), prose));
  }
  // A chunk cut inside a code block (egress reopens fences per chunk) stays balanced.
  if (fence !== null) out.push('```');
  return out.join('\n');
}
