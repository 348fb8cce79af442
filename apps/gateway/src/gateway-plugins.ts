import { loadPlugins, type PluginHost } from '@gridbot/gateway';
import type { Logger } from '@gridbot/service';
import type { GatewayEnv } from './env.ts';

/**
 * The plugins `PLUGINS` names, built with their `PLUGIN_CONFIG` blocks; shared by every
 * gateway of the process. Throws a `PluginLoadError` naming the plugin that cannot load.
 */
export function gatewayPlugins(
  env: Pick<GatewayEnv, 'PLUGINS' | 'PLUGIN_CONFIG' | 'PLUGIN_HOOK_TIMEOUT_MS' | 'ASSISTANT_NAME'>,
  logger: Logger,
): Promise<PluginHost> {
  return loadPlugins({
    entries: env.PLUGINS,
    config: env.PLUGIN_CONFIG,
    assistantName: env.ASSISTANT_NAME,
    hookTimeoutMs: env.PLUGIN_HOOK_TIMEOUT_MS,
    logger: logger.child({ component: 'plugins' }),
  });
}
