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
  telegramEnvShape,
} from './env.ts';
export { runGateway } from './run-gateway.ts';
