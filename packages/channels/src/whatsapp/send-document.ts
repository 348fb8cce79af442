import { GridBotError, type Jid } from '@gridbot/core';
import type { OutboundDocument, SendOptions } from '../channel-adapter.ts';
import type { GraphClient } from './graph-client.ts';
import { postWhatsAppMessage } from './send-text.ts';

/** WhatsApp's limit for a document message (100 MB). */
export const WHATSAPP_MAX_DOCUMENT_BYTES = 100 * 1024 * 1024;
/** Longest caption of a media message. */
const CAPTION_MAX = 1024;

/**
 * Uploads the file (`/{phone-number-id}/media`, multipart) and sends it as a document
 * message with its caption; returns the message's `wamid`.
 */
export async function sendWhatsAppDocument(
  graph: GraphClient,
  phoneNumberId: string,
  jid: Jid,
  document: OutboundDocument,
  options: SendOptions,
): Promise<string> {
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', document.mimeType);
  form.set(
    'file',
    new Blob([new Uint8Array(document.data)], { type: document.mimeType }),
    document.fileName,
  );
  const uploaded = await graph.postForm<{ id?: unknown }>(`${phoneNumberId}/media`, form);
  if (typeof uploaded.id !== 'string') {
    throw new GridBotError(`WhatsApp accepted ${document.fileName} but returned no media id.`);
  }
  return postWhatsAppMessage(
    graph,
    phoneNumberId,
    jid,
    {
      type: 'document',
      document: {
        id: uploaded.id,
        filename: document.fileName,
        ...(document.caption && { caption: document.caption.slice(0, CAPTION_MAX) }),
      },
    },
    options.replyTo,
  );
}
