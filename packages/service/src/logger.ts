import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  /** Component name bound to every line (`gateway`, `worker` …). */
  name: string;
  /** Secret values (tokens, keys) that must never appear in a log line, whatever field holds them. */
  secrets?: string[];
  /** Where lines go; stdout by default. */
  destination?: pino.DestinationStream;
}

/** Field paths that carry secrets by name; pino replaces their values. */
const REDACT_PATHS = [
  'token',
  'botToken',
  'apiKey',
  'password',
  'authorization',
  '*.token',
  '*.botToken',
  '*.apiKey',
  '*.password',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

/**
 * JSON logs with pino. Secrets are removed twice: by field name (redaction) and by value
 * (any known secret string is masked in the final line, e.g. a token inside an error URL).
 */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  const scrub = (line: string) => {
    let out = line;
    for (const secret of secrets) out = out.split(secret).join('[REDACTED]');
    return out;
  };
  return pino(
    {
      level: options.level,
      base: { name: options.name, pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(secrets.length > 0 && { hooks: { streamWrite: scrub } }),
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
