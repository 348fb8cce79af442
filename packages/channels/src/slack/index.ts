/** The Slack channel (Bolt, @slack/web-api), imported on its own so other roles never load it. */
export {
  normalizeSlackPayload,
  readableSlackText,
  type SlackNormalizeContext,
  type SlackNormalizeResult,
  type SlackUserInfo,
  slackChat,
} from './normalize-event.ts';
export { slackTarget } from './send-text.ts';
export { SlackAdapter, type SlackAdapterOptions } from './slack-adapter.ts';
export { markdownToMrkdwn } from './slack-mrkdwn.ts';
