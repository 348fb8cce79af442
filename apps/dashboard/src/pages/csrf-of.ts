import type { Context } from 'hono';
import type { DashboardEnv } from '../dashboard-env.ts';

/** The CSRF token the page must echo, or null for a Bearer client. */
export function csrfOf(c: Context<DashboardEnv>): string | null {
  const auth = c.get('auth');
  return auth.kind === 'session' ? auth.csrf : null;
}
