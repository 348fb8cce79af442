import { z } from 'zod';

/** A comma-separated list of numeric platform user ids (Telegram, Discord), as a set. */
export const numericIdList = z
  .string()
  .regex(/^\s*-?\d+(\s*,\s*-?\d+)*\s*$/, {
    message: 'expected comma-separated numeric user ids, e.g. 12345,67890',
  })
  .transform((value) => new Set(value.split(',').map((id) => id.trim())));
