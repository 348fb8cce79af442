import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { TOKEN_FILE } from '@gridbot/app-dashboard';
import type { BuildInfo, RoleRuntime } from '@gridbot/service';
import { UsageError } from '../usage-error.ts';

export interface ChatArgs {
  /** The terminal thread's name: `cli:<name>`. */
  name?: string | undefined;
  /** Send this one message, print the reply, exit. */
  once?: string | undefined;
  /** The running `gridbot start` (its dashboard); default http://127.0.0.1:$DASHBOARD_PORT. */
  url?: string | undefined;
}

interface Reply {
  text: string;
}

/** How long `--once` waits for the answer. */
const ONCE_TIMEOUT_MS = 120_000;

/**
 * `gridbot chat`: the terminal as a chat channel (`cli:<name>` threads). It talks to a
 * running `gridbot start` through the dashboard's API, with the token from DASHBOARD_TOKEN
 * or `DATA_DIR/dashboard-token`; when none answers, it starts one in this process.
 */
export async function chatCommand(
  args: ChatArgs,
  env: Record<string, string | undefined>,
  build: BuildInfo,
): Promise<void> {
  const name = args.name ?? safeName(userInfo().username);
  if (!/^[A-Za-z0-9_-]{1,60}$/.test(name))
    throw new UsageError('--name must be 1-60 letters, digits, "_" or "-", e.g. --name ops');
  const port = env.DASHBOARD_PORT || '3000';
  let base = (args.url ?? `http://127.0.0.1:${port}`).replace(/\/$/, '');
  let local: RoleRuntime | null = null;
  if (!(await answers(base))) {
    if (args.url) throw new UsageError(`Nothing answers at ${base}: is gridbot start running?`);
    console.error('No gridbot start is running here: starting one in this process …');
    const { startCommand } = await import('./start.ts');
    local = await startCommand({ ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'error' }, build);
    base = `http://127.0.0.1:${local.healthServer?.port ?? port}`;
  }
  try {
    const token = await dashboardToken(env);
    const session = new TerminalChat(base, token, name);
    if (args.once !== undefined) {
      const reply = await session.sendAndWait(args.once, ONCE_TIMEOUT_MS);
      console.log(reply.text);
      return;
    }
    await session.interactive();
  } finally {
    await local?.shutdown.stop(10_000);
  }
}

function safeName(user: string): string {
  const cleaned = user.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 60);
  return cleaned || 'me';
}

async function answers(base: string): Promise<boolean> {
  try {
    return (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

async function dashboardToken(env: Record<string, string | undefined>): Promise<string> {
  if (env.DASHBOARD_TOKEN) return env.DASHBOARD_TOKEN;
  // The one a running start generated and keeps there (never generated here: it would not match).
  const file = join(resolve(env.DATA_DIR ?? './data'), TOKEN_FILE);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    throw new UsageError(
      `No dashboard token: set DASHBOARD_TOKEN, or run this where DATA_DIR holds ${file}.`,
    );
  }
}

/** One terminal thread, spoken to through the dashboard's terminal API. */
class TerminalChat {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #chatId: string;

  constructor(base: string, token: string, chatId: string) {
    this.#base = `${base}/api/terminal/${chatId}`;
    this.#headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    this.#chatId = chatId;
  }

  /** Sends a message and resolves with the first reply after it. */
  async sendAndWait(text: string, timeoutMs: number): Promise<Reply> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const replies = this.#replies(abort.signal);
      await replies.next(); // subscribed: no reply can slip past
      await this.#post(text);
      const first = await replies.next();
      if (first.done) throw new Error('the dashboard closed the reply stream');
      return first.value;
    } catch (error) {
      if (abort.signal.aborted)
        throw new UsageError(`No reply within ${timeoutMs / 1000} s: is a worker running?`);
      throw error;
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  }

  async interactive(): Promise<void> {
    const abort = new AbortController();
    const history = (await this.#get('/messages')) as {
      entries: Array<{ role: string; text: string }>;
    };
    for (const entry of history.entries.slice(-10))
      console.log(`${entry.role === 'user' ? 'you' : 'assistant'}> ${entry.text}`);
    const replies = this.#replies(abort.signal);
    await replies.next();
    // From here nothing awaits before the line loop listens: a line typed at once is kept.
    console.log(`cli:${this.#chatId} — type a message, /stop, /tasks; Ctrl-C or Ctrl-D leaves.`);
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    rl.on('SIGINT', () => rl.close());
    void (async () => {
      for await (const reply of replies) {
        process.stdout.write(`\rassistant> ${reply.text}\n`);
        rl.prompt(true);
      }
    })().catch(() => {});
    rl.setPrompt('you> ');
    rl.prompt();
    for await (const line of rl) {
      const text = line.trim();
      if (text) {
        await this.#post(text).catch((error: Error) => console.error(`not sent: ${error.message}`));
        process.stdout.write('thinking…\n');
      }
      rl.prompt();
    }
    abort.abort();
  }

  async #post(text: string): Promise<void> {
    const res = await fetch(`${this.#base}/messages`, {
      method: 'POST',
      headers: this.#headers,
      body: JSON.stringify({ text }),
    });
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  }

  async #get(path: string): Promise<unknown> {
    const res = await fetch(`${this.#base}${path}`, { headers: this.#headers });
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
    return res.json();
  }

  /**
   * The thread's replies as server-sent events: the first value (empty text) says the
   * stream is open, every later one is a reply.
   */
  async *#replies(signal: AbortSignal): AsyncGenerator<Reply> {
    const res = await fetch(`${this.#base}/events`, { headers: this.#headers, signal });
    if (!res.ok || !res.body) throw new Error(`${res.status} ${await res.text()}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1];
        const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
        if (event === 'ready') yield { text: '' };
        else if (event === 'reply') yield JSON.parse(data) as Reply;
      }
    }
  }
}
