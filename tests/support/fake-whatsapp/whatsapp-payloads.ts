/**
 * WhatsApp Cloud API webhook bodies for tests, shaped as the webhook reference documents
 * them (`object: whatsapp_business_account`, `entry[].changes[].value`).
 */
export const PHONE_NUMBER_ID = '106540352242922';
export const DISPLAY_NUMBER = '15550001234';
export const VERIFIED_NAME = 'GridBot Test';
export const WABA_ID = '102290129340398';
export const ALICE = { waId: '4915112345678', name: 'Alice' };
export const BOB = { waId: '4915187654321', name: 'Bob' };
/** A group the business number belongs to (Groups API ids are opaque). */
export const GROUP_ID = 'Y2FwaV9ncm91cDoxNTU1MDAwMTIzNDoxMjAzNjM0MDQ2OTQyMzM4MjA';

type Rec = Record<string, unknown>;

let counter = 0;
/** A fresh inbound message id (`wamid.…`). */
export function nextMessageId(): string {
  counter += 1;
  return `wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFDNB${Date.now().toString(36).toUpperCase()}${counter}`;
}

const nowSeconds = () => String(Math.floor(Date.now() / 1000));

/** A webhook body with one `messages` change. */
export function webhookBody(value: Rec, field = 'messages'): Rec {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: DISPLAY_NUMBER, phone_number_id: PHONE_NUMBER_ID },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

export interface MessageSpec {
  from?: { waId: string; name: string };
  id?: string;
  /** In a group: its id. */
  groupId?: string;
  /** Replying to this message (`context`), sent by `contextFrom` (default: the business). */
  context?: { id: string; from?: string };
  extra?: Rec;
}

/** An inbound message of `type` with its type object. */
export function inboundMessage(type: string, content: Rec, spec: MessageSpec = {}): Rec {
  const from = spec.from ?? ALICE;
  return webhookBody({
    contacts: [{ profile: { name: from.name }, wa_id: from.waId }],
    messages: [
      {
        from: from.waId,
        id: spec.id ?? nextMessageId(),
        timestamp: nowSeconds(),
        type,
        [type]: content,
        ...(spec.groupId && { group_id: spec.groupId }),
        ...(spec.context && {
          context: { from: spec.context.from ?? DISPLAY_NUMBER, id: spec.context.id },
        }),
        ...spec.extra,
      },
    ],
  });
}

/** A text message. */
export function textMessage(text: string, spec: MessageSpec = {}): Rec {
  return inboundMessage('text', { body: text }, spec);
}

/** A press on a reply button GridBot sent (`interactive.button_reply`). */
export function buttonReply(messageId: string, buttonId: string, spec: MessageSpec = {}): Rec {
  return webhookBody({
    contacts: [{ profile: { name: (spec.from ?? ALICE).name }, wa_id: (spec.from ?? ALICE).waId }],
    messages: [
      {
        from: (spec.from ?? ALICE).waId,
        id: spec.id ?? nextMessageId(),
        timestamp: nowSeconds(),
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: buttonId, title: 'Pressed' } },
        context: { from: DISPLAY_NUMBER, id: messageId },
        ...(spec.groupId && { group_id: spec.groupId }),
      },
    ],
  });
}

/** An edit of the earlier message `originalId`, now reading `text`. */
export function editMessage(originalId: string, text: string, spec: MessageSpec = {}): Rec {
  return inboundMessage(
    'edit',
    { original_message_id: originalId, message: { type: 'text', text: { body: text } } },
    spec,
  );
}

/** A receipt for the business's message `id`. */
export function statusUpdate(
  id: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  recipient: string = ALICE.waId,
  errors?: { code: number; title: string; details?: string }[],
): Rec {
  return webhookBody({
    statuses: [
      {
        id,
        status,
        timestamp: nowSeconds(),
        recipient_id: recipient,
        // A group's receipts name the group (Groups API); a person's, their wa_id.
        ...(!/^\d+$/.test(recipient) && { recipient_type: 'group' }),
        ...(errors && {
          errors: errors.map((error) => ({
            code: error.code,
            title: error.title,
            message: error.title,
            error_data: { details: error.details ?? error.title },
          })),
        }),
      },
    ],
  });
}

/** What Meta sends for a message the business itself sent from the WhatsApp Business app. */
export function businessEcho(text: string): Rec {
  return webhookBody(
    {
      message_echoes: [
        {
          from: DISPLAY_NUMBER,
          to: ALICE.waId,
          id: nextMessageId(),
          timestamp: nowSeconds(),
          type: 'text',
          text: { body: text },
        },
      ],
    },
    'smb_message_echoes',
  );
}
