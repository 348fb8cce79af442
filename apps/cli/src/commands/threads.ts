import { parseJid, validateTriggerPattern } from '@gridbot/core';
import { listThreads, registerThread, unregisterThread } from '@gridbot/db';
import { openAdminDatabase } from '../admin-database.ts';
import { UsageError } from '../usage-error.ts';

export interface ThreadsArgs {
  action: string | undefined;
  jid: string | undefined;
  name?: string;
  trigger?: string;
  noTrigger?: boolean;
  main?: boolean;
}

/** `gridbot threads list|register|unregister`. */
export async function threadsCommand(
  args: ThreadsArgs,
  env: Record<string, string | undefined>,
): Promise<void> {
  const action = args.action ?? 'list';
  if (!['list', 'register', 'unregister'].includes(action)) {
    throw new UsageError(
      `Unknown threads action ${JSON.stringify(action)}: use list, register or unregister.`,
    );
  }
  if (action !== 'list') {
    if (!args.jid)
      throw new UsageError(`gridbot threads ${action} needs a JID, e.g. telegram:-1001234567890`);
    parseJid(args.jid);
  }
  if (args.trigger !== undefined) {
    const problem = validateTriggerPattern(args.trigger);
    if (problem) throw new UsageError(`--trigger is not a valid regular expression: ${problem}`);
  }
  const admin = await openAdminDatabase(
    env,
    'While it runs, manage threads on its dashboard (Threads), or stop it first.',
  );
  const { db } = admin;
  try {
    if (action === 'list') {
      const threads = await listThreads(db);
      if (threads.length === 0) console.log('No threads yet.');
      for (const t of threads) {
        const flags = [
          t.registered ? 'registered' : 'unregistered',
          t.is_main ? 'main' : null,
          t.requires_trigger ? `trigger=${t.trigger_pattern ?? 'default'}` : 'no-trigger',
        ].filter(Boolean);
        console.log(`${t.jid}\t${t.title ?? ''}\t${flags.join(' ')}`);
      }
      return;
    }
    if (action === 'register') {
      const thread = await registerThread(db, {
        jid: args.jid!,
        ...(args.name !== undefined && { title: args.name }),
        ...(args.trigger !== undefined && { triggerPattern: args.trigger }),
        ...(args.noTrigger && { requiresTrigger: false }),
        ...(args.main && { isMain: true }),
      });
      console.log(`Registered ${thread.jid}${thread.is_main ? ' (main)' : ''}.`);
      return;
    }
    const removed = await unregisterThread(db, args.jid!);
    if (!removed) throw new UsageError(`No thread ${args.jid} is known.`);
    console.log(`Unregistered ${args.jid}.`);
  } finally {
    await admin.close();
  }
}
