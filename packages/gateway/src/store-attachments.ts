import type { FetchedFile } from '@gridbot/channels';
import type { Attachment, InboundMessage } from '@gridbot/core';
import { type Database, insertArtifact, type Message, setMessageContent } from '@gridbot/db';
import type { ArtifactStore, Logger } from '@gridbot/service';
import { type Kysely, sql } from 'kysely';

/** How the gateway takes in the images people send, and how many. */
export interface ImageIntake {
  /** The adapter's download of an attachment. */
  fetch: (attachment: Attachment) => Promise<FetchedFile>;
  store: ArtifactStore;
  logger: Logger;
  /** Largest image kept (bytes). Default 10 MB. */
  maxBytes?: number;
  /** Images kept per message. Default 4. */
  perMessage?: number;
  /** Images kept per thread and day. Default 100. */
  perDay?: number;
}

/** What became of one attachment before its message was stored. */
export type Intake =
  | { storageKey: string; sizeBytes: number; mimeType: string }
  | { skipped: string };

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/**
 * Downloads the message's images into artifact storage, within the limits; anything else
 * (files, images over a limit or of another type, a failed download) stays a reference,
 * with the reason. Runs before the message's transaction: a download never holds one open.
 */
export async function takeInImages(
  db: Kysely<Database>,
  threadId: number,
  message: InboundMessage,
  intake: ImageIntake,
): Promise<(Intake | null)[]> {
  const maxBytes = intake.maxBytes ?? 10 * 1024 * 1024;
  const perMessage = intake.perMessage ?? 4;
  const perDay = intake.perDay ?? 100;
  const images = message.attachments.filter((a) => a.kind === 'image').length;
  const today =
    images === 0
      ? 0
      : Number(
          (
            await db
              .selectFrom('artifacts')
              .select(sql<string>`count(*)`.as('n'))
              .where('thread_id', '=', threadId)
              .where('kind', '=', 'image')
              .where('storage_key', 'is not', null)
              .where('created_at', '>', sql<Date>`now() - interval '1 day'`)
              .executeTakeFirstOrThrow()
          ).n,
        );
  let kept = 0;
  const out: (Intake | null)[] = [];
  for (const attachment of message.attachments) {
    if (attachment.kind !== 'image') {
      out.push(null);
      continue;
    }
    const skip = (reason: string) => out.push({ skipped: reason });
    if (kept >= perMessage) {
      skip(`more than ${perMessage} images in one message`);
      continue;
    }
    if (today + kept >= perDay) {
      skip(`this chat's limit of ${perDay} images a day was reached`);
      continue;
    }
    if (attachment.sizeBytes !== null && attachment.sizeBytes > maxBytes) {
      skip(`larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
      continue;
    }
    try {
      const file = await intake.fetch(attachment);
      const mimeType = (attachment.mimeType ?? file.mimeType ?? '').toLowerCase();
      const extension = EXTENSIONS[mimeType];
      if (!extension) {
        skip(`an image type the models do not read (${mimeType || 'unknown'})`);
        continue;
      }
      if (file.data.length > maxBytes) {
        skip(`larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
        continue;
      }
      const storageKey = await intake.store.put(threadId, file.data, extension);
      out.push({ storageKey, sizeBytes: file.data.length, mimeType });
      kept += 1;
    } catch (error) {
      intake.logger.warn(
        { err: error, threadId, platformFileId: attachment.platformFileId },
        'could not download an image; it is kept as a reference',
      );
      skip('it could not be downloaded');
    }
  }
  return out;
}

/**
 * Records each attachment as an artifact: a downloaded image by its storage key, anything
 * else by reference (the platform's file id, never the bytes), and appends the references
 * to the stored text so the agent and the history see them: `[image #12: 1280x853]`,
 * `[file #13: report.pdf, application/pdf]`, `[image #14: not seen: larger than 10 MB]`.
 */
export async function storeAttachments(
  trx: Kysely<Database>,
  stored: Message,
  message: InboundMessage,
  intakes: readonly (Intake | null)[] = [],
): Promise<Message> {
  const references: string[] = [];
  for (const [index, attachment] of message.attachments.entries()) {
    const intake = intakes[index] ?? null;
    const kept = intake !== null && 'storageKey' in intake ? intake : null;
    const { url, ...described } = attachment;
    const id = await insertArtifact(trx, {
      threadId: stored.thread_id,
      messageId: stored.id,
      kind: attachment.kind,
      url: url ?? null,
      storageKey: kept?.storageKey ?? null,
      prompt: null,
      analysis: null,
      metadata: {
        ...described,
        ...(kept && { sizeBytes: kept.sizeBytes, mimeType: kept.mimeType }),
        ...(intake && 'skipped' in intake && { skipped: intake.skipped }),
      },
    });
    const details = [
      attachment.fileName,
      attachment.width && attachment.height ? `${attachment.width}x${attachment.height}` : null,
      attachment.kind === 'file' ? attachment.mimeType : null,
      intake && 'skipped' in intake ? `not seen: ${intake.skipped}` : null,
    ].filter(Boolean);
    references.push(
      `[${attachment.kind} #${id}${details.length > 0 ? `: ${details.join(', ')}` : ''}]`,
    );
  }
  const content = [stored.content, ...references].filter((part) => part.length > 0).join('\n');
  return setMessageContent(trx, stored.id, content);
}
