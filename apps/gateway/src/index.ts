export {
  allowedUsersFor,
  configuredChannels,
  createAdapter,
  SUPPORTED_CHANNELS,
  type SupportedChannel,
} from './create-adapter.ts';
export { DrainRequester } from './drain-requester.ts';
export { Egress, type EgressOptions } from './egress.ts';
export {
  discordEnvShape,
  type GatewayEnv,
  gatewayEnvSchema,
  parseGatewayEnv,
  telegramEnvShape,
} from './env.ts';
export { Gateway, type GatewayOptions } from './gateway.ts';
export { Ingress, type IngressOptions, type IngressOutcome } from './ingress.ts';
export { runGateway } from './run-gateway.ts';
