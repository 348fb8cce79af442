import { ConfigError } from '@gridbot/core';
import { z } from 'zod';

/** Parses the environment with one schema; every problem is named by variable, in one error. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const variables = new Set<string>();
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.length > 0 ? String(issue.path[0]) : 'environment';
    variables.add(name);
    // A required variable that is absent: say so, rather than zod's "received undefined".
    if (issue.code === 'invalid_type' && !(name in cleaned)) {
      return `  ${name}: is not set (required)${exampleOf(schema, name)}`;
    }
    return `  ${name}: ${issue.message}`;
  });
  return throwConfig(lines, [...variables]);
}

/** ", e.g. …" from the variable's own check, when its message gives an example. */
function exampleOf(schema: z.ZodType, name: string): string {
  const field = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape?.[name];
  if (!field) return '';
  const probe = field.safeParse('\u0000');
  const message = probe.success ? '' : (probe.error.issues[0]?.message ?? '');
  const example = /e\.g\. (\S+)/.exec(message)?.[1];
  return example ? `: set it, e.g. ${example}` : '';
}

function throwConfig(lines: string[], variables: string[]): never {
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`, variables);
}

/** How a variable holds a secret: all of its value, or a password inside its URL. */
type SecretKind = 'value' | 'url-password';
const SECRET_META = 'gridbotSecret';

/** Marks a variable as secret: its value never appears in a log line (see {@link secretsOf}). */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ [SECRET_META]: 'value' satisfies SecretKind });
}

/** Marks a URL variable whose password (`scheme://user:password@host`) is secret. */
export function passwordInUrl<T extends z.ZodType>(schema: T): T {
  return schema.meta({ [SECRET_META]: 'url-password' satisfies SecretKind });
}

/**
 * The secret values in a parsed environment, from the variables its schema marks with
 * {@link secret} or {@link passwordInUrl}: what the logger scrubs from every line. The list
 * of secrets is written once, in the schemas.
 */
export function secretsOf(schema: z.ZodType, env: Record<string, unknown>): string[] {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
  const found = new Set<string>();
  for (const [name, field] of Object.entries(shape)) {
    const kind = field.meta()?.[SECRET_META] as SecretKind | undefined;
    const value = env[name];
    if (!kind || typeof value !== 'string' || value === '') continue;
    if (kind === 'value') {
      found.add(value);
      continue;
    }
    try {
      const password = decodeURIComponent(new URL(value).password);
      if (password) found.add(password);
    } catch {
      // not a URL: nothing to take from it
    }
  }
  return [...found];
}

/** Names that hold a secret in any role's environment (and in most other programs'). */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIALS?)$/i;

/**
 * Secrets in the environment beyond one role's schema: the values of variables named like a
 * secret (another role's token in a shared env file, a plugin's key), and passwords inside
 * any URL. Short values (under 8 characters) are left alone, since scrubbing them would
 * mangle ordinary words.
 */
export function secretsNamedIn(env: Record<string, string | undefined>): string[] {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name) && value.length >= 8) found.add(value);
    if (/_URL$/i.test(name)) {
      try {
        const password = decodeURIComponent(new URL(value).password);
        if (password.length >= 8) found.add(password);
      } catch {
        // not a URL
      }
    }
  }
  return [...found];
}

/** A URL with one of the given protocols; the message says what is expected. */
export function urlVar(protocols: string[], example: string) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `expected a ${protocols.join(' or ')} URL, e.g. ${example}` },
  );
}

/** Variables every role reads. */
export const baseEnvShape = {
  DATABASE_URL: passwordInUrl(
    urlVar(['postgres', 'postgresql'], 'postgres://user:pass@host:5432/gridbot'),
  ),
  /** Unset: the Postgres-only mode, with the job queues and pub/sub in Postgres. */
  REDIS_URL: passwordInUrl(urlVar(['redis', 'rediss'], 'redis://127.0.0.1:6379').optional()),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[^:]+$/, { message: 'must not contain ":"' })
    .default('{gridbot}'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** `json` (one object per line, for log shipping) or `pretty` (coloured lines for a terminal). */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  ASSISTANT_NAME: z
    .string()
    .regex(/^[\p{L}\p{N}_.-]{1,32}$/u, {
      message: 'expected 1-32 letters, digits, "_", "." or "-"',
    })
    .default('Andy'),
  DATA_DIR: z.string().default('./data'),
  /**
   * The interface the health port (and the dashboard, and webhooks) listens on. Unset:
   * 127.0.0.1, or 0.0.0.0 inside a container (Docker, Kubernetes), where probes and the
   * other services come from outside.
   */
  HEALTH_HOST: z.string().min(1).optional(),
  /** Set by Kubernetes in every pod: the role is in a container. */
  KUBERNETES_SERVICE_HOST: z.string().optional(),
  /**
   * A token for `/metrics` (`Authorization: Bearer …`): required on every port when set; on
   * the dashboard's port the dashboard token works too.
   */
  METRICS_TOKEN: secret(z.string().min(16).optional()),
  /** How long a role may take to stop on SIGTERM before it exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(25_000),
  /** How often a role refreshes its row in `instances`; three missed beats mark it gone. */
  HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
};

const baseEnvSchema = z.object(baseEnvShape);
/** The parsed variables every role reads. */
export type BaseEnv = z.infer<typeof baseEnvSchema>;

/** A port number (0 picks a free one). */
export const portVar = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback);
