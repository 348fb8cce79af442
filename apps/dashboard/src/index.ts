export { createDashboardApp, QUEUES_PATH } from './app.ts';
export { type AttachedDashboard, attachDashboard } from './attach-dashboard.ts';
export { type DashboardToken, resolveDashboardToken, TOKEN_FILE } from './dashboard-token.ts';
export { dashboardEnvSchema, dashboardEnvShape, parseDashboardEnv } from './env.ts';
export { QueueBoard } from './queue-board.ts';
export { runDashboard } from './run-dashboard.ts';
export { SessionSigner } from './session.ts';
export { WebChat } from './web-chat.ts';
