export { discordEnvShape } from './channels/discord.ts';
export { telegramEnvShape } from './channels/telegram.ts';
export {
  adminUsersFor,
  allowedUsersFor,
  configuredChannels,
  createAdapter,
  SUPPORTED_CHANNELS,
} from './create-adapter.ts';
export {
  type GatewayEnv,
  gatewayEnvSchema,
  parseGatewayEnv,
  pluginEnvShape,
} from './env.ts';
export { gatewayPlugins } from './gateway-plugins.ts';
export { runGateway } from './run-gateway.ts';
