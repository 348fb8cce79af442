import type { InboundMessage } from '@gridbot/core';
import { type Database, insertArtifact, type Message, setMessageContent } from '@gridbot/db';
import type { Kysely } from 'kysely';

/**
 * Records each attachment as an artifact (a reference to the platform's file, never its
 * bytes) and appends the references to the stored text, so the agent and the history see
 * them: `[image #12, 1280x853]`, `[file #13: report.pdf, application/pdf]`.
 */
export async function storeAttachments(
  trx: Kysely<Database>,
  stored: Message,
  message: InboundMessage,
): Promise<Message> {
  const references: string[] = [];
  for (const attachment of message.attachments) {
    const id = await insertArtifact(trx, {
      threadId: stored.thread_id,
      messageId: stored.id,
      kind: attachment.kind,
      url: null,
      storageKey: `${message.channel}:file:${attachment.platformFileId}`,
      prompt: null,
      analysis: null,
      metadata: { ...attachment },
    });
    const details = [
      attachment.fileName,
      attachment.width && attachment.height ? `${attachment.width}x${attachment.height}` : null,
      attachment.kind === 'file' ? attachment.mimeType : null,
    ].filter(Boolean);
    references.push(
      `[${attachment.kind} #${id}${details.length > 0 ? `: ${details.join(', ')}` : ''}]`,
    );
  }
  const content = [stored.content, ...references].filter((part) => part.length > 0).join('\n');
  return setMessageContent(trx, stored.id, content);
}
