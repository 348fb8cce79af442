import type { Database } from '@gridbot/db';
import type { PipelineQueues } from '@gridbot/queue';
import type { Logger } from '@gridbot/service';
import type { Kysely } from 'kysely';
import type { AuthVariables } from './auth.ts';
import type { QueueBoard } from './queue-board.ts';
import type { WebChat } from './web-chat.ts';

/** The Hono environment of every dashboard route. */
export interface DashboardEnv {
  Variables: AuthVariables;
}

/** What the dashboard's routes read and act on. */
export interface DashboardDeps {
  db: Kysely<Database>;
  queues: PipelineQueues;
  board: QueueBoard;
  /** The web channel, or null when this dashboard hosts no chat. */
  web: WebChat | null;
  /** The terminal's channel (`gridbot chat`), under `/api/terminal`; absent: none. */
  terminal?: WebChat | null;
  logger: Logger;
  /** Heartbeat period of the fleet, to tell live instances from stale rows. */
  heartbeatMs: number;
  /** The gateways' `USER_TRIGGERS_PER_MINUTE` (the one global the workers do not publish). */
  userTriggersPerMinute?: number;
  /** The install's mode and this dashboard's DATA_DIR, for the overview's checklist. */
  mode?: string;
  dataDir?: string;
}
