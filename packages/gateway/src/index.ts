export type { ChatCommand, CommandContext } from './commands/index.ts';
export { DrainRequester } from './drain-requester.ts';
export { Egress, type EgressOptions } from './egress.ts';
export { Gateway, type GatewayOptions } from './gateway.ts';
export { Ingress, type IngressOptions, type IngressOutcome } from './ingress.ts';
export { BUILTIN_PLUGINS, type LoadPluginsOptions, loadPlugins } from './plugins/load-plugins.ts';
export {
  definePlugin,
  type GridbotPlugin,
  type InboundHookContext,
  type InboundVerdict,
  type OutboundHookContext,
  type PluginCommand,
  type PluginCommandContext,
  type PluginInstance,
  type PluginThread,
  type PluginTools,
} from './plugins/plugin.ts';
export {
  type InboundDecision,
  type LoadedPlugin,
  PluginHost,
  type PluginHostOptions,
} from './plugins/plugin-host.ts';
export { PluginLoadError } from './plugins/plugin-load-error.ts';
export {
  PostgresReceiveLease,
  type PostgresReceiveLeaseOptions,
} from './postgres-receive-lease.ts';
