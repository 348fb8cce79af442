import type { MessageAction } from '@gridbot/core';
import { looksLikeMarkdown } from '../markdown-marks.ts';

type Rec = Record<string, unknown>;
const isRecord = (value: unknown): value is Rec =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An outgoing message: its `msg_type` and its `content` (a JSON string, as the API takes it). */
export interface FeishuContent {
  msgType: 'text' | 'post' | 'interactive';
  content: string;
}

/**
 * One chunk as Feishu shows it: plain text, a `post` with one `md` element when it has
 * Markdown marks (Feishu renders that subset), or a card (`interactive`) with the text
 * and a button per action, whose press comes back as `card.action.trigger` with
 * `value.action` the action's id.
 */
export function outgoingContent(
  text: string,
  actions: readonly MessageAction[] | undefined,
): FeishuContent {
  if (actions && actions.length > 0)
    return { msgType: 'interactive', content: JSON.stringify(card(text, actions)) };
  if (looksLikeMarkdown(text)) {
    return {
      msgType: 'post',
      content: JSON.stringify({ zh_cn: { title: '', content: [[{ tag: 'md', text }]] } }),
    };
  }
  return { msgType: 'text', content: JSON.stringify({ text }) };
}

/** A card (schema 1.0) with the text and, when given, one button per action. */
export function card(text: string, actions: readonly MessageAction[] = []): Rec {
  return {
    config: { wide_screen_mode: true, update_multi: true },
    elements: [
      { tag: 'markdown', content: text },
      ...(actions.length > 0
        ? [
            {
              tag: 'action',
              actions: actions.map((action) => ({
                tag: 'button',
                text: { tag: 'plain_text', content: action.label },
                type:
                  action.style === 'danger'
                    ? 'danger'
                    : action.style === 'primary'
                      ? 'primary'
                      : 'default',
                value: { action: action.id },
              })),
            },
          ]
        : []),
    ],
  };
}

/** The text of a received `post` (with or without its language wrapper), one line per paragraph. */
export function postText(content: Rec): string {
  const inner = Array.isArray(content.content)
    ? content
    : (Object.values(content).find((v) => isRecord(v) && Array.isArray(v.content)) as
        | Rec
        | undefined);
  if (!inner) return '';
  const lines: string[] = [];
  if (typeof inner.title === 'string' && inner.title !== '') lines.push(inner.title);
  for (const paragraph of inner.content as unknown[]) {
    if (!Array.isArray(paragraph)) continue;
    lines.push(
      paragraph
        .map((element) => {
          if (!isRecord(element)) return '';
          if (element.tag === 'text' || element.tag === 'md') return String(element.text ?? '');
          if (element.tag === 'a')
            return `${String(element.text ?? '')} (${String(element.href ?? '')})`;
          if (element.tag === 'at') return `@${String(element.user_name ?? 'someone')}`;
          if (element.tag === 'code_block') return String(element.text ?? '');
          return '';
        })
        .join(''),
    );
  }
  return lines.join('\n').trim();
}

/** The image keys of a received `post`, for its pictures. */
export function postImages(content: Rec): string[] {
  const keys: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) for (const v of value) walk(v);
    else if (isRecord(value)) {
      if (value.tag === 'img' && typeof value.image_key === 'string') keys.push(value.image_key);
      for (const v of Object.values(value)) if (typeof v === 'object') walk(v);
    }
  };
  walk(content);
  return keys;
}
