import { GridBotError } from '@gridbot/core';
import type { FetchedFile } from './channel-adapter.ts';

/** The most a downloaded attachment may hold; the gateway's own limit is usually lower. */
export const MAX_FETCHED_FILE_BYTES = 25 * 1024 * 1024;

/**
 * Downloads a platform's file (with the headers it needs, e.g. a bearer token), refusing
 * one larger than `maxBytes` without reading it all. `what` names it in errors, never the
 * URL (it may carry a token, as Telegram's file URLs do).
 */
export async function fetchFile(
  url: string,
  what: string,
  options: { headers?: Record<string, string>; maxBytes?: number; timeoutMs?: number } = {},
): Promise<FetchedFile> {
  const maxBytes = options.maxBytes ?? MAX_FETCHED_FILE_BYTES;
  const response = await fetch(url, {
    ...(options.headers && { headers: options.headers }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  }).catch((error: Error) => {
    throw new GridBotError(`Could not download ${what}: ${error.message}`, { cause: error });
  });
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new GridBotError(`Could not download ${what}: HTTP ${response.status}.`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body.cancel();
    throw new GridBotError(`${what} is larger than ${maxBytes} bytes.`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > maxBytes) throw new GridBotError(`${what} is larger than ${maxBytes} bytes.`);
    chunks.push(chunk);
  }
  return {
    data: new Uint8Array(Buffer.concat(chunks)),
    mimeType: response.headers.get('content-type')?.split(';')[0]?.trim() || null,
  };
}
