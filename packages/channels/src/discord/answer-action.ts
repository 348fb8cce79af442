import type { ActionAnswer, InboundAction, MessageAction } from '@gridbot/core';
import { type REST, Routes } from 'discord.js';
import { formatDiscordMessage } from './discord-markdown.ts';
import { CUSTOM_ID_PREFIX } from './normalize-interaction.ts';

/** Interaction callback types (Discord, Receiving and Responding). */
const CHANNEL_MESSAGE_WITH_SOURCE = 4;
const UPDATE_MESSAGE = 7;
/** Message flag: only the person who pressed sees it. */
const EPHEMERAL = 64;
const BUTTON_STYLE = { primary: 1, secondary: 2, danger: 4 } as const;

/** Buttons as one action row of message components; a press carries `gridbot:<id>`. */
export function actionRow(actions: readonly MessageAction[]) {
  return {
    type: 1,
    components: actions.map((action) => ({
      type: 2,
      style: BUTTON_STYLE[action.style ?? 'secondary'],
      label: action.label.slice(0, 80),
      custom_id: `${CUSTOM_ID_PREFIX}${action.id}`,
    })),
  };
}

/**
 * Answers a button interaction within its 3-second deadline, with one callback: an edit
 * (type 7, UPDATE_MESSAGE: the new text, no components) when the answer edits, else an
 * ephemeral reply (type 4, flag 64) that only the presser sees. The callback needs no bot
 * token: the interaction's token is the credential.
 */
export async function answerDiscordAction(
  rest: REST,
  action: InboundAction,
  answer: ActionAnswer,
  maxLength: number,
): Promise<void> {
  const body =
    answer.edit === null
      ? {
          type: CHANNEL_MESSAGE_WITH_SOURCE,
          data: {
            content: formatDiscordMessage(answer.text, maxLength),
            flags: EPHEMERAL,
            allowed_mentions: { parse: [] },
          },
        }
      : {
          type: UPDATE_MESSAGE,
          data: {
            content: formatDiscordMessage(answer.edit, maxLength),
            components: [],
            allowed_mentions: { parse: [] },
          },
        };
  await rest.post(Routes.interactionCallback(action.actionId, action.actionToken ?? ''), {
    body,
    auth: false,
  });
}
