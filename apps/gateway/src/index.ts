export {
  adminUsersFor,
  allowedUsersFor,
  configuredChannels,
  createAdapter,
  SUPPORTED_CHANNELS,
  type SupportedChannel,
} from './create-adapter.ts';
export {
  discordEnvShape,
  type GatewayEnv,
  gatewayEnvSchema,
  parseGatewayEnv,
  pluginEnvShape,
  telegramEnvShape,
} from './env.ts';
export { gatewayPlugins } from './gateway-plugins.ts';
export { runGateway } from './run-gateway.ts';
