export { DrainRequester } from './drain-requester.ts';
export { Egress, type EgressOptions } from './egress.ts';
export { Gateway, type GatewayOptions } from './gateway.ts';
export { Ingress, type IngressOptions, type IngressOutcome } from './ingress.ts';
