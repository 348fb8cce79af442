import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createDatabase, migrateToLatest } from '@gridbot/db';
import { assertRedisReachable } from '@gridbot/queue';
import { buildAgentImage, offlineImageScript } from '@gridbot/runner';
import { assertPostgresReachable, safeUrl } from '@gridbot/service';
import { sql } from 'kysely';
import { openAdminDatabase } from '../admin-database.ts';
import {
  type CredentialCheck,
  checkDiscordToken,
  checkLlmKey,
  checkSlackTokens,
  checkTelegramToken,
  checkWhatsAppNumber,
} from '../setup/credential-checks.ts';
import { applyEnvChanges, envValues, mask } from '../setup/env-file.ts';
import { askSetupQuestions } from '../setup/questions.ts';
import type { SetupArgs } from '../setup/setup-args.ts';
import { UsageError } from '../usage-error.ts';
import { checkDocker, checkNode, checkPgDump, type Finding } from './doctor-checks.ts';

type Env = Record<string, string | undefined>;
const say = (line = '') => process.stdout.write(`${line}\n`);
const show = (f: Finding) =>
  say(
    `  ${f.level === 'ok' ? 'ok  ' : f.level === 'warning' ? 'note' : 'FAIL'}  ${f.check}: ${f.detail}${f.fix ? ` (${f.fix})` : ''}`,
  );

/**
 * `gridbot setup`: checks the machine, picks the mode, checks every credential with one
 * call before writing it to `.env` (a refused one is not written), creates and migrates
 * the database, builds the agent image, and ends with the command to start. Re-runnable:
 * what is already right is left as it is. Returns the exit code (1 when something was
 * refused or is missing).
 */
export async function setupCommand(given: SetupArgs, env: Env): Promise<number> {
  const dir = resolve(given.dir);
  const envPath = resolve(dir, '.env');
  const before = await readFile(envPath, 'utf8').catch(() => '');
  const current = envValues(before);
  const args = given.yes ? given : await askSetupQuestions(given, current);
  let failed = false;

  say('Checking this machine');
  const machine = [
    checkNode(),
    await checkDocker('auto', current.AGENT_IMAGE || 'gridbot-agent:latest'),
    await checkPgDump(),
  ];
  const docker = machine[1]!;
  const imageMissing = docker.level === 'problem' && /image .* is missing/.test(docker.detail);
  for (const finding of machine) {
    const later = args.image ? 'built below' : 'build it later: pnpm agent:image';
    show(
      imageMissing && finding === docker ? { ...finding, level: 'warning', fix: later } : finding,
    );
  }

  const changes: Record<string, string | null> = {};
  const databaseUrl = args.databaseUrl ?? current.DATABASE_URL;
  const redisUrl = args.redisUrl ?? current.REDIS_URL;
  const mode = args.mode ?? (redisUrl ? 'redis' : databaseUrl ? 'postgres' : 'embedded');
  say(`Mode: ${mode}`);
  if (mode === 'embedded') {
    changes.DATABASE_URL = null;
    changes.REDIS_URL = null;
  } else {
    if (!databaseUrl) throw new UsageError(`The ${mode} mode needs --database-url.`);
    await preparePostgres(databaseUrl);
    say(`  ok    postgres: ${safeUrl(databaseUrl)}, created if missing and migrated`);
    changes.DATABASE_URL = databaseUrl;
    if (mode === 'redis') {
      if (!redisUrl) throw new UsageError('The redis mode needs --redis-url.');
      await assertRedisReachable(redisUrl).catch((error: Error) => {
        throw new UsageError(
          `REDIS_URL: cannot reach Redis at ${safeUrl(redisUrl)} (${error.message}).`,
        );
      });
      say(`  ok    redis: ${safeUrl(redisUrl)}`);
      changes.REDIS_URL = redisUrl;
    } else changes.REDIS_URL = null;
  }
  changes.DASHBOARD_TOKEN = current.DASHBOARD_TOKEN || randomBytes(24).toString('base64url');
  if (args.dashboardPort) changes.DASHBOARD_PORT = args.dashboardPort;

  say('Checking credentials');
  const take = (what: string, check: CredentialCheck, values: Record<string, string>) => {
    say(
      `  ${check.ok ? 'ok  ' : 'FAIL'}  ${what}: ${check.detail}${check.ok ? '' : `; ${Object.keys(values).join(', ')} not written`}`,
    );
    if (check.ok) Object.assign(changes, values);
    else failed = true;
    return check.ok;
  };
  const provider = args.llm ?? (current.LLM_PROVIDER as SetupArgs['llm']);
  if (provider === 'anthropic' || provider === 'openai') {
    const keyName = provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
    const baseName = provider === 'anthropic' ? 'ANTHROPIC_BASE_URL' : 'OPENAI_BASE_URL';
    const apiKey = args.llmKey ?? current[keyName];
    const baseURL = args.llmBaseUrl ?? current[baseName];
    if (!apiKey) throw new UsageError(`The ${provider} provider needs --llm-key.`);
    take(provider, await checkLlmKey({ provider, apiKey, baseURL }), {
      LLM_PROVIDER: provider,
      [keyName]: apiKey,
      ...(baseURL && { [baseName]: baseURL }),
      ...(args.model && { LLM_MODEL: args.model }),
    });
  } else if (provider === 'echo') {
    changes.LLM_PROVIDER = 'echo';
    say('  note  llm: echo, offline, answers by repeating what it was told');
  }
  if (args.telegramToken) {
    const apiRoot = current.TELEGRAM_API_ROOT || env.TELEGRAM_API_ROOT;
    take('telegram', await checkTelegramToken(args.telegramToken, apiRoot), {
      TELEGRAM_BOT_TOKEN: args.telegramToken,
      ...(apiRoot && { TELEGRAM_API_ROOT: apiRoot }),
    });
  }
  if (args.discordToken) {
    const apiBase = current.DISCORD_API_BASE || env.DISCORD_API_BASE;
    take('discord', await checkDiscordToken(args.discordToken, apiBase), {
      DISCORD_BOT_TOKEN: args.discordToken,
      ...(apiBase && { DISCORD_API_BASE: apiBase }),
    });
  }
  if (args.slackBotToken) {
    if (!args.slackAppToken) {
      throw new UsageError(
        'Slack needs --slack-app-token too (Basic Information → App-Level Tokens, with connections:write) for Socket Mode.',
      );
    }
    const apiUrl = current.SLACK_API_URL || env.SLACK_API_URL;
    take('slack', await checkSlackTokens(args.slackBotToken, args.slackAppToken, apiUrl), {
      SLACK_BOT_TOKEN: args.slackBotToken,
      SLACK_APP_TOKEN: args.slackAppToken,
      ...(apiUrl && { SLACK_API_URL: apiUrl }),
    });
  }
  if (args.whatsappToken) {
    const phoneId = args.whatsappPhoneId ?? current.WHATSAPP_PHONE_NUMBER_ID;
    const appSecret = args.whatsappAppSecret ?? current.WHATSAPP_APP_SECRET;
    if (!phoneId || !appSecret) {
      throw new UsageError(
        'WhatsApp needs --whatsapp-phone-id (WhatsApp → API Setup) and --whatsapp-app-secret (App settings → Basic) too.',
      );
    }
    const verifyToken =
      args.whatsappVerifyToken ||
      current.WHATSAPP_VERIFY_TOKEN ||
      randomBytes(18).toString('base64url');
    const graphUrl = current.WHATSAPP_GRAPH_URL || env.WHATSAPP_GRAPH_URL;
    const whatsapp = await checkWhatsAppNumber(args.whatsappToken, phoneId, graphUrl);
    const written = take('whatsapp', whatsapp, {
      WHATSAPP_ACCESS_TOKEN: args.whatsappToken,
      WHATSAPP_PHONE_NUMBER_ID: phoneId,
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_VERIFY_TOKEN: verifyToken,
      ...(graphUrl && { WHATSAPP_GRAPH_URL: graphUrl }),
    });
    if (written) {
      say(
        '  note  whatsapp: in the Meta app, set the callback URL to https://<this host>/whatsapp/webhook (the gateway port) and the verify token to WHATSAPP_VERIFY_TOKEN from .env',
      );
    }
  }

  const after = applyEnvChanges(before, changes);
  if (after === before) say(`Unchanged: ${envPath}`);
  else {
    await writeFile(envPath, after, { mode: 0o600 });
    await chmod(envPath, 0o600);
    const written = Object.entries(envValues(after)).filter(([k, v]) => current[k] !== v);
    const removed = Object.keys(current).filter((k) => !(k in envValues(after)));
    say(`Wrote ${envPath}:`);
    for (const [key, value] of written)
      say(`  ${key}=${/TOKEN|KEY|URL|SECRET/.test(key) ? shown(key, value) : value}`);
    for (const key of removed) say(`  ${key} removed`);
  }

  if (mode === 'embedded') {
    const admin = await openAdminDatabase(
      { DATA_DIR: resolve(dir, current.DATA_DIR || './data') },
      'stop it first, or run setup while it is not running',
    );
    await admin.close();
    say('  ok    embedded database: created if missing and migrated');
  }
  if (imageMissing && args.image) {
    const script = offlineImageScript();
    if (script) {
      say('Building the agent image (a few seconds)');
      await buildAgentImage({
        image: current.AGENT_IMAGE || 'gridbot-agent:latest',
        script,
        onProgress: (line) => say(`  ${line}`),
      });
    }
  }
  const port = changes.DASHBOARD_PORT ?? current.DASHBOARD_PORT ?? '3000';
  say();
  const checkout = existsSync(resolve(dir, 'apps/cli/src/main.ts'));
  say(
    checkout
      ? `Start it:  cd ${dir} && pnpm -s gridbot start`
      : `Start it:  cd ${dir} && gridbot start   (it reads .env from the directory it runs in)`,
  );
  say(`Then open: http://127.0.0.1:${port} (log in with DASHBOARD_TOKEN from .env)`);
  return failed ? 1 : 0;
}

/** A URL with its password masked; a token or key by {@link mask}. */
function shown(key: string, value: string): string {
  return key.endsWith('_URL') || key.endsWith('_ROOT') || key.endsWith('_BASE')
    ? safeUrl(value)
    : mask(value);
}

/** Creates the database of `url` when it is missing (through the server's `postgres` one), then migrates it. */
async function preparePostgres(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const server = createDatabase({
    connectionString: maintenance.toString(),
    max: 1,
  });
  try {
    await assertPostgresReachable(server, url);
    const found = await sql`select 1 from pg_database where datname = ${name}`.execute(server);
    if (found.rows.length === 0) await sql`create database ${sql.id(name)}`.execute(server);
  } finally {
    await server.destroy();
  }
  const db = createDatabase({ connectionString: url, max: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}
