/** Node socket errors that mean the server could not be reached or the connection broke. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);

/**
 * Whether an error means Postgres was unreachable or went away (a restart, a dropped
 * connection), rather than that the statement was wrong. Work that failed this way is
 * retried once the database answers, and never counts as the work's own failure. Looks
 * through `cause` chains.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (SOCKET_CODES.has(code)) return true;
      // Class 08: connection exception; 57P01–57P03: admin shutdown, crash shutdown,
      // cannot connect now (the server is starting or recovering).
      if (/^08/.test(code) || /^57P0[123]$/.test(code)) return true;
    }
    if (
      /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused/i.test(
        e.message,
      )
    )
      return true;
    e = e.cause;
  }
  return false;
}
