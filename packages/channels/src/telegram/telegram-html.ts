/** Opening fence: three or more backticks and an optional info string (language first). */
const FENCE_OPEN = /^ {0,3}(`{3,})[ \t]*([^`]*)$/;
const LANGUAGE = /^[A-Za-z0-9_+#.-]{1,32}$/;
const LINK_URL = /^(?:https?:\/\/|tg:\/\/|mailto:)\S+$/i;
const ESCAPABLE = '\\`*_[]()#+-.!>~|{}';
const WHITESPACE = /\s/;
const ALNUM = /[\p{L}\p{N}]/u;

/** Escapes the three characters Telegram's HTML parse mode treats as markup. */
export function escapeTelegramHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const escapeAttribute = (text: string): string =>
  escapeTelegramHtml(text).replaceAll('"', '&quot;');
const isSpace = (char: string | undefined): boolean => char === undefined || WHITESPACE.test(char);
const isAlnum = (char: string | undefined): boolean => char !== undefined && ALNUM.test(char);

/** Length of the run of `char` starting at `at`. */
function runLength(text: string, at: number, char: string): number {
  let end = at;
  while (text[end] === char) end += 1;
  return end - at;
}

/** The end (exclusive) of the code span opening at `at`, or -1 if it is never closed. */
function codeSpanEnd(text: string, at: number): number {
  const ticks = runLength(text, at, '`');
  let search = at + ticks;
  for (;;) {
    const next = text.indexOf('`', search);
    if (next === -1) return -1;
    const run = runLength(text, next, '`');
    if (run === ticks) return next + run;
    search = next + run;
  }
}

/** Whether `delim` (`**`, `*` or `_`) at `at` may close an emphasis opened before `min`. */
function canClose(text: string, at: number, delim: string, min: number): boolean {
  if (at <= min || !text.startsWith(delim, at)) return false;
  const before = text[at - 1];
  const after = text[at + delim.length];
  if (isSpace(before)) return false;
  if (delim === '**') return after !== '*'; // in `***`, the last two stars close the bold
  if (before === delim || after === delim) return false;
  return delim === '*' || !isAlnum(after);
}

/** Finds the closing `delim` for an emphasis whose content starts at `from`, or -1. */
function findClose(text: string, from: number, delim: string): number {
  let at = from;
  while (at < text.length) {
    const char = text[at];
    if (char === '\\') {
      at += 2;
    } else if (char === '`') {
      const end = codeSpanEnd(text, at);
      at = end === -1 ? at + runLength(text, at, '`') : end;
    } else if (canClose(text, at, delim, from)) {
      return at;
    } else if (delim.length === 1 && text[at + 1] === char && char === delim) {
      at += runLength(text, at, char); // a `**` run inside `*italic*` belongs to a nested bold
    } else {
      at += 1;
    }
  }
  return -1;
}

/** Whether a single `*` or `_` at `at` may open italic. */
function canOpenItalic(text: string, at: number): boolean {
  const char = text[at];
  const before = text[at - 1];
  const after = text[at + 1];
  if (isSpace(after) || after === char || before === char) return false;
  return char === '*' || !isAlnum(before);
}

/** Parses `[text](url)` at `at`; null when it is not a well-formed link to an allowed URL. */
function parseLink(text: string, at: number): { label: string; url: string; end: number } | null {
  const close = text.indexOf('](', at + 1);
  if (close === -1 || text.slice(at + 1, close).includes('[')) return null;
  let depth = 1;
  let end = close + 2;
  for (; end < text.length && depth > 0; end += 1) {
    if (text[end] === '(') depth += 1;
    if (text[end] === ')') depth -= 1;
  }
  if (depth !== 0) return null;
  const url = text.slice(close + 2, end - 1).trim();
  if (!LINK_URL.test(url)) return null;
  return { label: text.slice(at + 1, close), url, end };
}

/** Converts one line of inline Markdown; every tag it opens it closes. */
function convertInline(text: string, allowLinks: boolean): string {
  let out = '';
  let at = 0;
  while (at < text.length) {
    const char = text[at] as string;
    const next = text[at + 1];
    if (char === '\\' && next !== undefined && ESCAPABLE.includes(next)) {
      out += escapeTelegramHtml(next);
      at += 2;
      continue;
    }
    if (char === '`') {
      const ticks = runLength(text, at, '`');
      const end = codeSpanEnd(text, at);
      if (end === -1) {
        out += text.slice(at, at + ticks);
        at += ticks;
        continue;
      }
      let code = text.slice(at + ticks, end - ticks);
      if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ')) code = code.slice(1, -1);
      out += `<code>${escapeTelegramHtml(code)}</code>`;
      at = end;
      continue;
    }
    if (char === '*' && next === '*' && !isSpace(text[at + 2])) {
      const close = findClose(text, at + 2, '**');
      if (close !== -1) {
        out += `<b>${convertInline(text.slice(at + 2, close), allowLinks)}</b>`;
        at = close + 2;
        continue;
      }
    }
    if ((char === '*' || char === '_') && canOpenItalic(text, at)) {
      const close = findClose(text, at + 1, char);
      if (close !== -1) {
        out += `<i>${convertInline(text.slice(at + 1, close), allowLinks)}</i>`;
        at = close + 1;
        continue;
      }
    }
    if (char === '[' && allowLinks) {
      const link = parseLink(text, at);
      if (link !== null) {
        const label =
          link.label.trim() === ''
            ? escapeTelegramHtml(link.url)
            : convertInline(link.label, false);
        out += `<a href="${escapeAttribute(link.url)}">${label}</a>`;
        at = link.end;
        continue;
      }
    }
    // Copy a run of repeated delimiters at once so `***` is not re-read one star at a time.
    const run = char === '*' || char === '_' ? runLength(text, at, char) : 1;
    out += escapeTelegramHtml(text.slice(at, at + run));
    at += run;
  }
  return out;
}

function codeBlock(lines: string[], info: string): string {
  const language = info.trim().split(/\s+/)[0] ?? '';
  const code = escapeTelegramHtml(lines.join('\n'));
  return LANGUAGE.test(language)
    ? `<pre><code class="language-${language}">${code}</code></pre>`
    : `<pre>${code}</pre>`;
}

/**
 * Converts the Markdown subset assistants write (**bold**, *italic* or _italic_,
 * `inline code`, fenced code blocks with a language, [links](https://…)) into Telegram's
 * HTML parse mode. Everything else is escaped and shown literally; unbalanced markers stay
 * literal text, and an unclosed code fence runs to the end, so the output always has
 * balanced tags.
 */
export function markdownToTelegramHtml(markdown: string): string {
  const lines = markdown.split('\n');
  const out: string[] = [];
  let at = 0;
  while (at < lines.length) {
    const line = lines[at] as string;
    const fence = FENCE_OPEN.exec(line);
    if (fence === null) {
      out.push(convertInline(line, true));
      at += 1;
      continue;
    }
    const ticks = (fence[1] as string).length;
    const closing = new RegExp(`^ {0,3}\`{${ticks},}[ \\t]*$`);
    let end = at + 1;
    while (end < lines.length && !closing.test(lines[end] as string)) end += 1;
    out.push(codeBlock(lines.slice(at + 1, end), fence[2] ?? ''));
    at = end + 1;
  }
  return out.join('\n');
}
