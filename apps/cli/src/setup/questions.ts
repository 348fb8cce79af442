import { input, password, select } from '@inquirer/prompts';
import { UsageError } from '../usage-error.ts';
import { mask } from './env-file.ts';
import type { SetupArgs } from './setup-args.ts';

type Mode = NonNullable<SetupArgs['mode']>;
type Provider = NonNullable<SetupArgs['llm']>;

const MODES: Array<{ value: Mode; name: string; description: string }> = [
  {
    value: 'embedded',
    name: 'embedded',
    description: 'one process, its database in DATA_DIR: no servers',
  },
  { value: 'postgres', name: 'postgres', description: 'roles apart, sharing a Postgres server' },
  {
    value: 'redis',
    name: 'redis',
    description: 'roles apart, Postgres and Redis: the scale-out mode',
  },
];
const PROVIDERS: Array<{ value: Provider; name: string; description: string }> = [
  { value: 'anthropic', name: 'anthropic', description: 'Claude, with an Anthropic API key' },
  { value: 'openai', name: 'openai', description: 'GPT, or any OpenAI-compatible server' },
  { value: 'echo', name: 'echo', description: 'offline: answers by repeating what it was told' },
];

/** A URL field: a parseable URL of one of `schemes`, or what is wrong with it. */
function urlOf(schemes: string[], example: string) {
  return (value: string): true | string => {
    try {
      if (schemes.includes(new URL(value).protocol)) return true;
    } catch {}
    return `expected a URL such as ${example}`;
  };
}

/**
 * A secret typed with its characters shown as `*`; Enter keeps the one `.env` has (named
 * by its first and last characters), or, for an optional one, leaves it out.
 */
async function secret(message: string, current: string | undefined, optional: boolean) {
  const keep = current ? ` (Enter keeps ${mask(current)})` : optional ? ' (Enter: none)' : '';
  const answer = await password({
    message: `${message}${keep}`,
    mask: '*',
    validate: (value) =>
      value.trim() !== '' || optional || Boolean(current) || `${message} is needed`,
  });
  return answer.trim() || current || undefined;
}

/**
 * Asks, in a terminal, for what the flags left open, offering what `.env` has: the mode and
 * the provider picked from a list, URLs checked as typed, secrets hidden. Ctrl-C stops
 * the set-up before anything is written.
 */
export async function askSetupQuestions(
  args: SetupArgs,
  current: Record<string, string>,
): Promise<SetupArgs> {
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'gridbot setup asks its questions in a terminal; elsewhere pass --yes and flags.',
    );
  }
  try {
    const mode =
      args.mode ??
      (await select({
        message: 'Mode',
        choices: MODES,
        default: current.REDIS_URL ? 'redis' : current.DATABASE_URL ? 'postgres' : 'embedded',
      }));
    const databaseUrl =
      mode === 'embedded'
        ? undefined
        : (args.databaseUrl ??
          (await input({
            message: 'DATABASE_URL',
            default: current.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/gridbot',
            validate: urlOf(['postgres:', 'postgresql:'], 'postgres://user@host:5432/gridbot'),
          })));
    const redisUrl =
      mode === 'redis'
        ? (args.redisUrl ??
          (await input({
            message: 'REDIS_URL',
            default: current.REDIS_URL || 'redis://127.0.0.1:6379',
            validate: urlOf(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
          })))
        : undefined;
    const llm =
      args.llm ??
      (await select({
        message: 'Model provider',
        choices: PROVIDERS,
        default: (current.LLM_PROVIDER as Provider | undefined) ?? 'echo',
      }));
    const keyName = llm === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
    const llmKey =
      llm === 'echo'
        ? undefined
        : (args.llmKey ?? (await secret(keyName, current[keyName], false)));
    const telegramToken =
      args.telegramToken ?? (await secret('Telegram bot token', current.TELEGRAM_BOT_TOKEN, true));
    const discordToken =
      args.discordToken ?? (await secret('Discord bot token', current.DISCORD_BOT_TOKEN, true));
    const slackBotToken =
      args.slackBotToken ??
      (await secret('Slack bot token, xoxb-…', current.SLACK_BOT_TOKEN, true));
    const slackAppToken = slackBotToken
      ? (args.slackAppToken ??
        (await secret('Slack app-level token, xapp-…', current.SLACK_APP_TOKEN, false)))
      : undefined;
    const whatsappToken =
      args.whatsappToken ??
      (await secret('WhatsApp access token', current.WHATSAPP_ACCESS_TOKEN, true));
    const whatsappPhoneId = whatsappToken
      ? (args.whatsappPhoneId ??
        (await input({
          message: 'WhatsApp phone number id',
          default: current.WHATSAPP_PHONE_NUMBER_ID,
          validate: (value) => /^\d+$/.test(value.trim()) || 'the digits from WhatsApp → API Setup',
        })))
      : undefined;
    const whatsappAppSecret = whatsappToken
      ? (args.whatsappAppSecret ??
        (await secret('WhatsApp app secret', current.WHATSAPP_APP_SECRET, false)))
      : undefined;
    return {
      ...args,
      mode,
      ...(databaseUrl && { databaseUrl }),
      ...(redisUrl && { redisUrl }),
      llm,
      ...(llmKey && { llmKey }),
      ...(telegramToken && { telegramToken }),
      ...(discordToken && { discordToken }),
      ...(slackBotToken && { slackBotToken }),
      ...(slackAppToken && { slackAppToken }),
      ...(whatsappToken && { whatsappToken }),
      ...(whatsappPhoneId && { whatsappPhoneId: whatsappPhoneId.trim() }),
      ...(whatsappAppSecret && { whatsappAppSecret }),
    };
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') {
      throw new UsageError('Set-up stopped: nothing was written.');
    }
    throw error;
  }
}
