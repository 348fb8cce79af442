import { createLlmProvider } from '@gridbot/llm';

/** What one credential check found: `ok` with what it learnt, or why it is refused. */
export type CredentialCheck = { ok: true; detail: string } | { ok: false; detail: string };

const TIMEOUT_MS = 10_000;

async function getJson(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

const unreachable = (what: string, error: unknown): CredentialCheck => ({
  ok: false,
  detail: `${what} did not answer (${(error as Error).message})`,
});

/** Telegram's `getMe` with the bot token (Bot API): the bot's username, or the refusal. */
export async function checkTelegramToken(
  token: string,
  apiRoot = 'https://api.telegram.org',
): Promise<CredentialCheck> {
  try {
    const { body } = await getJson(`${apiRoot.replace(/\/+$/, '')}/bot${token}/getMe`, {
      method: 'POST',
    });
    const answer = body as { ok?: boolean; result?: { username?: string }; description?: string };
    if (answer.ok === true) return { ok: true, detail: `the bot @${answer.result?.username}` };
    return {
      ok: false,
      detail: `Telegram refused the token (${answer.description ?? 'no reason given'})`,
    };
  } catch (error) {
    return unreachable('Telegram', error);
  }
}

/** Discord's `GET /users/@me` with the bot token: the bot's name, or the refusal. */
export async function checkDiscordToken(
  token: string,
  apiBase = 'https://discord.com/api',
): Promise<CredentialCheck> {
  try {
    const { status, body } = await getJson(`${apiBase.replace(/\/+$/, '')}/v10/users/@me`, {
      headers: { authorization: `Bot ${token}` },
    });
    const answer = body as { username?: string; message?: string };
    if (status === 200) return { ok: true, detail: `the bot ${answer.username}` };
    return {
      ok: false,
      detail: `Discord refused the token (${status}${answer.message ? ` ${answer.message}` : ''})`,
    };
  } catch (error) {
    return unreachable('Discord', error);
  }
}

/** One cheap call with the model provider's key (listing its models), through its SDK. */
export async function checkLlmKey(options: {
  provider: 'anthropic' | 'openai';
  apiKey: string;
  baseURL?: string | undefined;
}): Promise<CredentialCheck> {
  const llm = await createLlmProvider({
    provider: options.provider,
    apiKey: options.apiKey,
    ...(options.baseURL && { baseURL: options.baseURL }),
    maxRetries: 0,
    timeoutMs: TIMEOUT_MS,
  });
  try {
    await llm.verify?.();
    return { ok: true, detail: `${options.provider} accepts the key` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

/**
 * Slack's `auth.test` with the bot token (the bot and workspace), then, for Socket Mode,
 * `apps.connections.open` with the app-level token (which only hands out a URL).
 */
export async function checkSlackTokens(
  botToken: string,
  appToken: string | undefined,
  apiUrl = 'https://slack.com/api/',
): Promise<CredentialCheck> {
  const call = async (method: string, token: string) => {
    const { body } = await getJson(`${apiUrl.replace(/\/*$/, '/')}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    return body as { ok?: boolean; error?: string; user?: string; team?: string };
  };
  try {
    const auth = await call('auth.test', botToken);
    if (auth.ok !== true) {
      return {
        ok: false,
        detail: `Slack refused the bot token (${auth.error ?? 'no reason given'})`,
      };
    }
    if (appToken !== undefined) {
      const socket = await call('apps.connections.open', appToken);
      if (socket.ok !== true) {
        return {
          ok: false,
          detail: `Slack refused the app-level token (${socket.error ?? 'no reason given'}): it needs connections:write`,
        };
      }
    }
    return { ok: true, detail: `the bot ${auth.user} in ${auth.team}` };
  } catch (error) {
    return unreachable('Slack', error);
  }
}

/** The WhatsApp Cloud API's phone number, read with the access token: its number and name. */
export async function checkWhatsAppNumber(
  accessToken: string,
  phoneNumberId: string,
  graphUrl = 'https://graph.facebook.com/v23.0',
): Promise<CredentialCheck> {
  try {
    const { status, body } = await getJson(
      `${graphUrl.replace(/\/+$/, '')}/${encodeURIComponent(phoneNumberId)}?fields=display_phone_number,verified_name`,
      { headers: { authorization: `Bearer ${accessToken}` } },
    );
    const answer = body as {
      display_phone_number?: string;
      verified_name?: string;
      error?: { message?: string };
    };
    if (status === 200) {
      return {
        ok: true,
        detail: `the number ${answer.display_phone_number} (${answer.verified_name})`,
      };
    }
    return {
      ok: false,
      detail: `WhatsApp refused (${status}${answer.error?.message ? ` ${answer.error.message}` : ''})`,
    };
  } catch (error) {
    return unreachable('WhatsApp', error);
  }
}
