import type { Jid } from '@gridbot/core';

/** How long after its run ended a placeholder waits for the reply to take it over. */
const CLAIMABLE_MS = 60_000;
/** After the reply took it, drafts still in flight for the chat do not start another. */
const TAKEN_QUIET_MS = 3_000;
/**
 * How long after a reply's first draft its placeholder is sent: a reply done sooner is
 * simply sent, with no message flashing by (a group's members are notified of each new
 * message, partial or not) and two calls fewer against the chat's rate limit.
 */
export const PLACEHOLDER_AFTER_MS = 700;

interface Placeholder {
  /** The placeholder's platform message id, once it was sent. */
  messageId: Promise<string | null>;
  endedAt: number | null;
}

/**
 * The placeholder messages streamed replies are drafted in (Telegram groups, Discord): one
 * per chat, sent with the first draft and edited with later ones, one call at a time per
 * chat. When the run ends its reply takes the placeholder over (`take`), so the chat ends up
 * with one message whose last text is the reply.
 */
export class DraftPlaceholders {
  readonly #byJid = new Map<string, Placeholder>();
  readonly #takenAt = new Map<string, number>();
  /** A reply's placeholder not sent yet: its timer, and the latest draft's send. */
  readonly #pending = new Map<string, { timer: NodeJS.Timeout; send: () => Promise<string> }>();

  /**
   * Shows `text` in jid's placeholder: `send` makes one (with the latest draft,
   * {@link PLACEHOLDER_AFTER_MS} after the reply's first), `edit` updates it after. A
   * draft arriving just after the reply took the placeholder is dropped.
   */
  async show(
    jid: Jid,
    send: () => Promise<string>,
    edit: (messageId: string) => Promise<void>,
  ): Promise<void> {
    const taken = this.#takenAt.get(jid);
    if (taken !== undefined && Date.now() - taken < TAKEN_QUIET_MS) return;
    this.#takenAt.delete(jid);
    const current = this.#byJid.get(jid);
    if (!current || current.endedAt !== null) {
      const pending = this.#pending.get(jid);
      if (pending) {
        pending.send = send;
        return;
      }
      const timer = setTimeout(() => {
        const due = this.#pending.get(jid);
        this.#pending.delete(jid);
        if (due) this.#byJid.set(jid, { messageId: due.send().catch(() => null), endedAt: null });
      }, PLACEHOLDER_AFTER_MS);
      timer.unref();
      this.#pending.set(jid, { timer, send });
      return;
    }
    const chain = current.messageId.then(async (id) => {
      if (id !== null) await edit(id).catch(() => {});
      return id;
    });
    current.messageId = chain;
    await chain;
  }

  /** The run ended: its reply may take the placeholder within a minute. */
  end(jid: Jid): void {
    this.#cancel(jid);
    const current = this.#byJid.get(jid);
    if (current) current.endedAt = Date.now();
  }

  /** The placeholder the chat's reply turns into, once (null: none, or it went stale). */
  async take(jid: string): Promise<string | null> {
    this.#cancel(jid);
    const current = this.#byJid.get(jid);
    this.#byJid.delete(jid);
    if (!current) return null;
    this.#takenAt.set(jid, Date.now());
    if (current.endedAt !== null && Date.now() - current.endedAt > CLAIMABLE_MS) return null;
    return current.messageId;
  }

  /** A placeholder not sent yet never will be: its reply is done. */
  #cancel(jid: string): void {
    const pending = this.#pending.get(jid);
    if (pending) clearTimeout(pending.timer);
    this.#pending.delete(jid);
  }
}
