/** Opening or closing code fence: three or more backticks (or tildes), as CommonMark reads it. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** `@everyone` and `@here`, in any case (Discord itself only pings the lowercase forms). */
const MASS_MENTION = /@(everyone|here)/gi;
/** `![alt](url)`: Discord does not render images inline from Markdown. */
const IMAGE = /!\[([^\]\n]*)\]\(([^()\s]+)\)/g;
/** Headings Discord does not render (it knows `#` to `###`). */
const DEEP_HEADING = /^(\s{0,3})#{4,6}(?=\s)/;
const ZERO_WIDTH_SPACE = '\u200b';
const FULLWIDTH_AT = '\uff20';

/**
 * How `@everyone` / `@here` are defused: `zero-width` inserts U+200B after the `@` (looks
 * unchanged, one character longer); `fullwidth` swaps the `@` for U+FF20 (same length).
 */
export type MassMentionGuard = 'zero-width' | 'fullwidth';

/** Applies `transform` to the prose of a line, leaving inline code spans untouched. */
function outsideCodeSpans(line: string, transform: (prose: string) => string): string {
  let out = '';
  let at = 0;
  while (at < line.length) {
    const open = line.indexOf('`', at);
    if (open === -1) break;
    let ticks = 1;
    while (line[open + ticks] === '`') ticks += 1;
    const fence = '`'.repeat(ticks);
    let close = line.indexOf(fence, open + ticks);
    // A longer run is not a closing delimiter; look further.
    while (close !== -1 && line[close + ticks] === '`') {
      let run = ticks;
      while (line[close + run] === '`') run += 1;
      close = line.indexOf(fence, close + run);
    }
    if (close === -1) {
      out += transform(line.slice(at, open + ticks));
      at = open + ticks;
      continue;
    }
    out += transform(line.slice(at, open)) + line.slice(open, close + ticks);
    at = close + ticks;
  }
  return out + transform(line.slice(at));
}

/**
 * Converts the Markdown GridBot writes into Discord's, which is nearly the same: bold,
 * italic, inline code, fenced code blocks, links, quotes and lists pass through unchanged.
 * Level 4–6 headings become level 3, images become links, and `@everyone` / `@here` outside
 * code are defused so they never ping (sending also sets `allowed_mentions.parse` to `[]`;
 * this keeps them from even looking like a ping). Code is never changed. The output is never
 * longer than the input with `guard: 'fullwidth'`.
 */
export function markdownToDiscord(
  markdown: string,
  guard: MassMentionGuard = 'zero-width',
): string {
  const defuse =
    guard === 'zero-width'
      ? (prose: string) => prose.replace(MASS_MENTION, `@${ZERO_WIDTH_SPACE}$1`)
      : (prose: string) => prose.replace(MASS_MENTION, `${FULLWIDTH_AT}$1`);
  const prose = (text: string): string =>
    defuse(
      text.replace(IMAGE, (_match, alt: string, url: string) =>
        alt.trim() === '' ? url : `[${alt}](${url})`,
      ),
    );

  const out: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const marker = FENCE.exec(line)?.[1];
    if (fence !== null) {
      // Inside a code block until a fence of the same character, at least as long.
      if (
        marker !== undefined &&
        marker[0] === fence[0] &&
        marker.length >= fence.length &&
        line.trim() === marker
      ) {
        fence = null;
      }
      out.push(line);
      continue;
    }
    if (marker !== undefined) {
      fence = marker;
      out.push(line);
      continue;
    }
    out.push(outsideCodeSpans(line.replace(DEEP_HEADING, '$1###'), prose));
  }
  return out.join('\n');
}

/**
 * {@link markdownToDiscord}, kept within `maxLength`: when the zero-width guard would push
 * a chunk that fitted over the limit, the same-length full-width guard is used instead.
 */
export function formatDiscordMessage(markdown: string, maxLength: number): string {
  const text = markdownToDiscord(markdown, 'zero-width');
  return text.length <= maxLength ? text : markdownToDiscord(markdown, 'fullwidth');
}
