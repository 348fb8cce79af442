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
  dashboardPort?: string;
  /** Build the agent image when Docker answers and it is missing. */
  image: boolean;
}
