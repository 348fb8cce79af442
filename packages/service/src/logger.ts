import { traceFields } from '@gridbot/telemetry';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { createLineRedactor } from './redact-line.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  /** Component name bound to every line (`gateway`, `worker` …). */
  name: string;
  /**
   * Secret values (tokens, keys, passwords) that must never appear in a log line, whatever
   * field holds them: the env schemas' secrets (`secretsOf`) and any generated token.
   */
  secrets?: string[];
  /** `json` (default) or `pretty`: human-readable lines (pino-pretty), for a terminal. */
  format?: 'json' | 'pretty';
  /** Where lines go; stdout by default. */
  destination?: pino.DestinationStream;
}

/**
 * JSON logs with pino (or, with `format: 'pretty'`, lines for people). Secrets are removed from each finished line twice: by field name at
 * any depth (`err.config.headers.authorization`, `set-cookie`, `x-api-key`, `botToken` …)
 * and by value (a known secret in any field or message, also JSON-escaped or URL-encoded,
 * e.g. a token inside an error's URL). Working on the finished line means serializers,
 * child bindings and nested errors cannot bypass it.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { name: options.name, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // A line written inside a traced message names its trace (`trace_id`, `span_id`).
      mixin: traceFields,
      hooks: { streamWrite: createLineRedactor(options.secrets ?? []) },
    },
    options.format === 'pretty'
      ? // Fed the finished (redacted) JSON lines, in this process: nothing is lost at exit.
        pretty({
          destination: options.destination ?? 1,
          sync: true,
          colorize: process.stdout.isTTY === true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
        })
      : (options.destination ?? pino.destination({ dest: 1, sync: false })),
  );
}
