/** Base class of every error GridBot raises on purpose. Messages say what to do; they never hold secrets. */
export class GridBotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GridBotError';
  }
}

/** A string that should be a JID (`channel:platformId[:subId]`) is not one. */
export class InvalidJidError extends GridBotError {
  readonly input: string;
  constructor(input: string, reason: string) {
    super(
      `Invalid JID ${JSON.stringify(input)}: ${reason}. Expected "<channel>:<platform id>", e.g. "telegram:-1001234".`,
    );
    this.name = 'InvalidJidError';
    this.input = input;
  }
}

/** A process setting (environment variable) is missing or malformed. */
export class ConfigError extends GridBotError {
  readonly variables: string[];
  constructor(message: string, variables: string[] = []) {
    super(message);
    this.name = 'ConfigError';
    this.variables = variables;
  }
}

/** The database schema is older than this code expects. */
export class SchemaOutdatedError extends GridBotError {
  readonly pending: string[];
  constructor(pending: string[]) {
    super(
      `The database schema is out of date (${pending.length} migration(s) pending: ${pending.join(', ')}). Run \`gridbot migrate\` first.`,
    );
    this.name = 'SchemaOutdatedError';
    this.pending = pending;
  }
}

/** A service GridBot depends on (Postgres, Redis, a platform API) cannot be reached. */
export class ServiceUnavailableError extends GridBotError {
  readonly service: string;
  constructor(service: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
    this.service = service;
  }
}

/** The run no longer holds the thread's lease: its results must not be committed. */
export class LeaseLostError extends GridBotError {
  readonly threadId: number;
  readonly token: number;
  constructor(threadId: number, token: number) {
    super(
      `Lease on thread ${threadId} (token ${token}) was lost to another run; results discarded.`,
    );
    this.name = 'LeaseLostError';
    this.threadId = threadId;
    this.token = token;
  }
}

/** The agent broke the protocol (bad framing, no `run.finish`, timeout, flood). */
export class AgentProtocolError extends GridBotError {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentProtocolError';
    this.code = code;
  }
}

/**
 * An agent could not be started: the Docker engine is down, the image or the OCI runtime
 * asked for is missing, the container or process failed to start. Nothing reached the
 * agent; the run may be retried.
 */
export class AgentStartError extends GridBotError {
  readonly code:
    | 'docker_unavailable'
    | 'image_missing'
    | 'runtime_missing'
    | 'start_failed'
    | 'spawn_failed';
  constructor(code: AgentStartError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentStartError';
    this.code = code;
  }
}

/** Someone in the chat stopped the run (`/stop`, or the dashboard's stop button). */
export class RunCancelledError extends GridBotError {
  /** Who asked, as the chat knows them. */
  readonly by: string;
  constructor(by: string) {
    super(`${by} asked to stop this run`);
    this.name = 'RunCancelledError';
    this.by = by;
  }
}

/** A platform refused a request because of rate limits; retry after `retryAfterMs`. */
export class PlatformRateLimitError extends GridBotError {
  readonly retryAfterMs: number;
  constructor(platform: string, retryAfterMs: number, options?: { cause?: unknown }) {
    super(`${platform} rate limit hit; retry after ${retryAfterMs} ms.`, options);
    this.name = 'PlatformRateLimitError';
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A platform refused a send for a reason no retry changes (the bot was removed from the
 * chat, the user blocked it, WhatsApp's 24-hour window closed): the outbox row fails at
 * once with `reason`, which operators see on the dashboard.
 */
export class PlatformRejectedError extends GridBotError {
  readonly platform: string;
  readonly reason: string;
  constructor(platform: string, reason: string, options?: { cause?: unknown }) {
    super(`${platform} refused the message: ${reason}`, options);
    this.name = 'PlatformRejectedError';
    this.platform = platform;
    this.reason = reason;
  }
}
