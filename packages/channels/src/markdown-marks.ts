/** Headings, list items, quotes, code fences, bold, inline code and links. */
const MARKS = /(^|\n)\s*(#{1,6} |[-*] |\d+\. |> |```)|\*\*[^*]+\*\*|`[^`]+`|\[[^\]]+\]\([^)]+\)/;

/**
 * Whether a reply is written in Markdown, for the platforms that send Markdown as a
 * message type of its own (DingTalk, Feishu, WeCom) and plain text otherwise.
 */
export function looksLikeMarkdown(text: string): boolean {
  return MARKS.test(text);
}
