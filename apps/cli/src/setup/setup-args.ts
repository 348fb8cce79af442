/** What `gridbot setup` was told on its command line. */
export interface SetupArgs {
  /** Ask nothing: flags, then the existing `.env`, then defaults. */
  yes: boolean;
  /** Where `.env` is written (and `gridbot start` is run). */
  dir: string;
  mode?: 'embedded' | 'postgres' | 'redis';
  databaseUrl?: string;
  redisUrl?: string;
  llm?: 'echo' | 'anthropic' | 'openai';
  llmKey?: string;
  llmBaseUrl?: string;
  model?: string;
  telegramToken?: string;
  discordToken?: string;
  /** Slack's Bot User OAuth Token (xoxb-…) and, for Socket Mode, the app-level one (xapp-…). */
  slackBotToken?: string;
  slackAppToken?: string;
  /** The WhatsApp Cloud API: access token, phone number id, app secret, verify token. */
  whatsappToken?: string;
  whatsappPhoneId?: string;
  whatsappAppSecret?: string;
  whatsappVerifyToken?: string;
  dashboardPort?: string;
  /** Build the agent image when Docker answers and it is missing. */
  image: boolean;
}
