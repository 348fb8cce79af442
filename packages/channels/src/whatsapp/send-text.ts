import { GridBotError, type Jid, type MessageAction, parseJid } from '@gridbot/core';
import type { SendOptions } from '../channel-adapter.ts';
import type { GraphClient } from './graph-client.ts';
import { BUTTON_ID_PREFIX, GROUP_ID, GROUP_PREFIX, WA_ID } from './normalize-webhook.ts';
import { markdownToWhatsApp } from './whatsapp-format.ts';

/** Largest body of an interactive (reply buttons) message. */
const INTERACTIVE_BODY_MAX = 1024;
/** Reply buttons one message may hold, and the longest title of one. */
const MAX_BUTTONS = 3;
const BUTTON_TITLE_MAX = 20;

/** Who a WhatsApp JID sends to: a person (`whatsapp:<wa_id>`) or a group (`whatsapp:g.<id>`). */
export interface WhatsAppTarget {
  recipient_type: 'individual' | 'group';
  to: string;
}

/** The recipient of a WhatsApp JID; throws for another channel's or a malformed one. */
export function whatsappTarget(jid: Jid): WhatsAppTarget {
  const { channel, chatId, subId } = parseJid(jid);
  if (channel !== 'whatsapp' || subId !== null) {
    throw new GridBotError(
      `Cannot send to ${jid} with the WhatsApp adapter: not a whatsapp chat JID.`,
    );
  }
  if (chatId.startsWith(GROUP_PREFIX) && GROUP_ID.test(chatId.slice(GROUP_PREFIX.length))) {
    return { recipient_type: 'group', to: chatId.slice(GROUP_PREFIX.length) };
  }
  if (!WA_ID.test(chatId)) {
    throw new GridBotError(
      `Cannot send to ${jid}: a WhatsApp chat is a phone number's digits (whatsapp:15550001234) or a group (whatsapp:g.<group id>).`,
    );
  }
  return { recipient_type: 'individual', to: chatId };
}

interface SendAnswer {
  messages?: { id?: unknown }[];
}

/** Posts one message body to `/{phone-number-id}/messages` and returns its `wamid`. */
export async function postWhatsAppMessage(
  graph: GraphClient,
  phoneNumberId: string,
  jid: Jid,
  message: Record<string, unknown>,
  replyTo: string | null,
): Promise<string> {
  const sent = await graph.post<SendAnswer>(`${phoneNumberId}/messages`, {
    messaging_product: 'whatsapp',
    ...whatsappTarget(jid),
    ...(replyTo !== null && { context: { message_id: replyTo } }),
    ...message,
  });
  const id = sent.messages?.[0]?.id;
  if (typeof id !== 'string' || id === '') {
    throw new GridBotError(`WhatsApp accepted a message to ${jid} but returned no message id.`);
  }
  return id;
}

/** Reply buttons (at most three, titles cut to 20 characters) under `body`. */
export function buttonsMessage(body: string, actions: readonly MessageAction[]) {
  return {
    type: 'interactive',
    interactive: {
      type: 'button',
      body: { text: body },
      action: {
        buttons: actions.slice(0, MAX_BUTTONS).map((action) => ({
          type: 'reply',
          reply: {
            id: `${BUTTON_ID_PREFIX}${action.id}`,
            title: action.label.slice(0, BUTTON_TITLE_MAX),
          },
        })),
      },
    },
  };
}

/**
 * Sends one chunk (at most 4096 characters) as WhatsApp-formatted text, link previews off,
 * as a reply (`context`) to `replyTo` when given. With `actions`, the chunk goes out with
 * reply buttons: WhatsApp caps such a body at 1024 characters, so a longer chunk is sent as
 * text first and the buttons follow under a short line; the id returned is the buttons'
 * message, which a press names. More than three buttons are cut to three (`/approve <id>`
 * still decides). Errors are mapped by the Graph client.
 */
export async function sendWhatsAppText(
  graph: GraphClient,
  phoneNumberId: string,
  jid: Jid,
  text: string,
  options: SendOptions,
): Promise<string> {
  const body = markdownToWhatsApp(text);
  const actions = options.actions ?? [];
  if (actions.length > 0 && body.length <= INTERACTIVE_BODY_MAX) {
    return postWhatsAppMessage(
      graph,
      phoneNumberId,
      jid,
      buttonsMessage(body, actions),
      options.replyTo,
    );
  }
  const id = await postWhatsAppMessage(
    graph,
    phoneNumberId,
    jid,
    { type: 'text', text: { body, preview_url: false } },
    options.replyTo,
  );
  if (actions.length === 0) return id;
  return postWhatsAppMessage(
    graph,
    phoneNumberId,
    jid,
    buttonsMessage('Your choice:', actions),
    null,
  );
}
