import { GridBotError } from '@gridbot/core';

/** A credential or id an adapter cannot start without, trimmed; throws `message` when absent or malformed. */
export function requiredOption(
  value: string | undefined,
  pattern: RegExp,
  message: string,
): string {
  if (typeof value !== 'string' || !pattern.test(value.trim())) throw new GridBotError(message);
  return value.trim();
}

/** `promise`, or a `GridBotError` saying `platform` did not answer within `ms`. */
export function withStartTimeout<T>(promise: Promise<T>, ms: number, platform: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new GridBotError(`${platform} did not answer within ${ms} ms.`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
