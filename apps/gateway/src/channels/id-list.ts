import { z } from 'zod';

/** A comma-separated list of numeric platform user ids (Telegram, Discord), as a set. */
export const numericIdList = z
  .string()
  .regex(/^\s*-?\d+(\s*,\s*-?\d+)*\s*$/, {
    message: 'expected comma-separated numeric user ids, e.g. 12345,67890',
  })
  .transform((value) => new Set(value.split(',').map((id) => id.trim())));

/** A comma-separated list of Slack user ids (`U012AB3CD`, `W…` on Enterprise Grid), as a set. */
export const slackIdList = z
  .string()
  .regex(/^\s*[UW][A-Z0-9]{2,20}(\s*,\s*[UW][A-Z0-9]{2,20})*\s*$/, {
    message:
      'expected comma-separated Slack user ids like U012AB3CD (profile → ⋮ → Copy member ID), not names or numbers',
  })
  .transform((value) => new Set(value.split(',').map((id) => id.trim())));

/**
 * A comma-separated list of WhatsApp numbers in international form (`+49 151 1234567`,
 * `4915112345678`), as a set of `wa_id`s (digits only).
 */
export const whatsappIdList = z
  .string()
  .regex(/^\s*\+?[\d ()-]{5,25}(\s*,\s*\+?[\d ()-]{5,25})*\s*$/, {
    message:
      'expected comma-separated phone numbers in international form with country code, e.g. +4915112345678,+15550009876',
  })
  .transform((value) => new Set(value.split(',').map((id) => id.replace(/\D/g, ''))));

/** A comma-separated list of DingTalk staff ids (`manager4321`, the user id in the admin console), as a set. */
export const staffIdList = z
  .string()
  .regex(/^\s*[A-Za-z0-9_.@-]{1,64}(\s*,\s*[A-Za-z0-9_.@-]{1,64})*\s*$/, {
    message:
      'expected comma-separated DingTalk user ids (staff ids from the admin console), e.g. manager4321,staff7788',
  })
  .transform((value) => new Set(value.split(',').map((id) => id.trim())));

/** A comma-separated list of Feishu open ids (`ou_…`), as a set. */
export const openIdList = z
  .string()
  .regex(/^\s*ou_[A-Za-z0-9]{1,64}(\s*,\s*ou_[A-Za-z0-9]{1,64})*\s*$/, {
    message: 'expected comma-separated Feishu open ids like ou_7d8a6e6df7621556ce0d21922b676706',
  })
  .transform((value) => new Set(value.split(',').map((id) => id.trim())));

/** A comma-separated list of WeCom user ids (the account in the admin console), as a set. */
export const weComIdList = z
  .string()
  .regex(/^\s*[A-Za-z0-9_.@-]{1,64}(\s*,\s*[A-Za-z0-9_.@-]{1,64})*\s*$/, {
    message:
      'expected comma-separated WeCom user ids (the account of each member in the admin console), e.g. LiuQi,ChenBa',
  })
  .transform((value) => new Set(value.split(',').map((id) => id.trim())));
