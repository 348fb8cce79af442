/** Opening or closing code fence: three or more backticks (or tildes), as CommonMark reads it. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$/;

/** How a platform's flavour writes each kind of Markdown line. */
export interface MarkdownLineRules {
  /** A line inside a fenced code block. */
  code(line: string): string;
  /** A heading's text, without its `#`s. */
  heading(text: string): string;
  /** Any other line. */
  prose(line: string): string;
}

/**
 * Walks Markdown line by line for a chat platform's flavour: fenced code keeps bare ```
 * fences (the language dropped, as chat apps show it as text) around lines given to
 * `rules.code`; headings and other lines go to their rules. A block left open (a chunk cut
 * inside it: egress reopens fences per chunk) is closed, so the chunk stays balanced. Pure.
 */
export function convertMarkdownLines(markdown: string, rules: MarkdownLineRules): string {
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
        out.push(rules.code(line));
      }
      continue;
    }
    const heading = HEADING.exec(line);
    out.push(heading ? rules.heading(heading[1]!) : rules.prose(line));
  }
  if (fence !== null) out.push('```');
  return out.join('\n');
}

/** Applies `transform` to the prose of a line, and `code` to its inline code spans. */
export function outsideCodeSpans(
  line: string,
  transform: (prose: string) => string,
  code: (span: string) => string = (span) => span,
): string {
  return line
    .split(/(`+[^`]*`+)/)
    .map((part, index) => (index % 2 === 1 ? code(part) : transform(part)))
    .join('');
}

/** `**bold**`/`__bold__`, `*italic*` and `~~strike~~`, as the Slack and WhatsApp flavours share. */
export const EMPHASIS = {
  bold: /\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__/g,
  italic: /(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])/g,
  strike: /~~(?=\S)(.+?)(?<=\S)~~/g,
  link: /!?\[([^\]\n]*)\]\(([^()\s]+)\)/g,
} as const;

/** Stands in for a bold `*` while single stars become italics. */
const BOLD_MARK = '\u0001';

/** `**b**` → `*b*`, `*i*` → `_i_`, `~~s~~` → `~s~`: the emphasis Slack and WhatsApp both write. */
export function singleCharEmphasis(text: string): string {
  return text
    .replace(EMPHASIS.bold, (_raw, a?: string, b?: string) => `${BOLD_MARK}${a ?? b}${BOLD_MARK}`)
    .replace(EMPHASIS.italic, '_$1_')
    .replace(EMPHASIS.strike, '~$1~')
    .replaceAll(BOLD_MARK, '*');
}
