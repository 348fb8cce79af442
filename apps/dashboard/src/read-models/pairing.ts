import type { PairingRequest } from '@gridbot/db';

/** A pairing request as the dashboard shows it. */
export interface PairingView {
  id: number;
  code: string;
  status: PairingRequest['status'];
  channel: string;
  platformUserId: string;
  userName: string | null;
  jid: string;
  threadId: number;
  createdAt: string;
  expiresAt: string;
  approvedAt: string | null;
  approvedBy: string | null;
}

export function pairingView(request: PairingRequest): PairingView {
  return {
    id: request.id,
    code: request.code,
    status: request.status,
    channel: request.channel,
    platformUserId: request.platform_user_id,
    userName: request.user_name,
    jid: request.jid,
    threadId: request.thread_id,
    createdAt: request.created_at.toISOString(),
    expiresAt: request.expires_at.toISOString(),
    approvedAt: request.approved_at?.toISOString() ?? null,
    approvedBy: request.approved_by,
  };
}
