import { HARNESS_DASHBOARD_TOKEN } from './pipeline-harness.ts';
import { waitFor } from './wait-for.ts';

/** One server-sent event of a web chat, with its parsed data and when it came. */
export interface WebChatEvent {
  event: string;
  data: Record<string, unknown>;
  at: number;
}

/**
 * A web chat's event stream (`/api/chat/<id>/events`), read as the page reads it: every
 * event after `ready`, in order. Resolves once the stream is ready.
 */
export async function watchWebChat(
  dashboard: string,
  chatId: string,
): Promise<{ events: WebChatEvent[]; close(): void }> {
  const abort = new AbortController();
  const events: WebChatEvent[] = [];
  const response = await fetch(`${dashboard}/api/chat/${chatId}/events`, {
    headers: { authorization: `Bearer ${HARNESS_DASHBOARD_TOKEN}` },
    signal: abort.signal,
  });
  let ready = false;
  void (async () => {
    let buffer = '';
    for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === 'ready') ready = true;
        else if (event && data) events.push({ event, data: JSON.parse(data), at: Date.now() });
      }
    }
  })().catch(() => {});
  await waitFor('the event stream', () => ready);
  return { events, close: () => abort.abort() };
}
