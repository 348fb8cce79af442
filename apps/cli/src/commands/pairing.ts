import { userInfo } from 'node:os';
import { approvePairing, listPairingRequests } from '@gridbot/db';
import { openAdminDatabase } from '../admin-database.ts';
import { UsageError } from '../usage-error.ts';

export interface PairingArgs {
  action: string | undefined;
  code: string | undefined;
  /** `list` shows approved and expired requests too. */
  all?: boolean;
}

/** Who approved, for the audit log: the operating-system user running the CLI. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** `gridbot pairing list [--all]|approve <code>`: admits unknown users of direct chats. */
export async function pairingCommand(
  args: PairingArgs,
  env: Record<string, string | undefined>,
): Promise<void> {
  const action = args.action ?? 'list';
  if (!['list', 'approve'].includes(action)) {
    throw new UsageError(`Unknown pairing action ${JSON.stringify(action)}: use list or approve.`);
  }
  if (action === 'approve' && !args.code) {
    throw new UsageError('gridbot pairing approve needs the code the user was given, e.g. K7QX2M');
  }
  const admin = await openAdminDatabase(
    env,
    'While it runs, approve pairings on its dashboard (Pairing) or with /pair in the main chat, or stop it first.',
  );
  const { db } = admin;
  try {
    if (action === 'list') {
      const requests = await listPairingRequests(db, { status: args.all ? 'all' : 'pending' });
      if (requests.length === 0) {
        console.log(args.all ? 'No pairing requests.' : 'No pending pairing requests.');
      }
      for (const r of requests) {
        const when =
          r.status === 'approved'
            ? `approved ${r.approved_at!.toISOString()} by ${r.approved_by ?? '?'}`
            : `${r.status === 'expired' ? 'expired' : 'expires'} ${r.expires_at.toISOString()}`;
        console.log(`${r.code}\t${r.status}\t${r.jid}\t${r.user_name ?? ''}\t${when}`);
      }
      return;
    }
    const code = args.code!;
    const result = await approvePairing(db, { code, by: cliActor() });
    switch (result.outcome) {
      case 'approved': {
        const { request } = result;
        const who = request.user_name ?? `user ${request.platform_user_id}`;
        console.log(
          `Approved ${who} (${request.channel}:${request.platform_user_id}); ${request.jid} is registered and answers without a trigger.`,
        );
        return;
      }
      case 'already':
        console.log(
          `Code ${result.request.code} was already approved ${result.request.approved_at!.toISOString()}; nothing to do.`,
        );
        return;
      case 'expired':
        throw new UsageError(
          `Pairing code ${code.toUpperCase()} has expired. The user gets a new code with their next message.`,
        );
      case 'missing':
        throw new UsageError(
          `No pairing code ${code.toUpperCase()}. See the pending ones with: gridbot pairing list`,
        );
    }
  } finally {
    await admin.close();
  }
}
