export {
  type BehaviourConfig,
  behaviourConfigSchema,
  DEFAULT_BEHAVIOUR,
  type PartialBehaviourConfig,
  partialBehaviourConfigSchema,
  type ResolvedBehaviour,
  type ResolveInput,
  resolveBehaviour,
  resolveConfig,
  type UserLevel,
  withinCap,
  withValidKeys,
} from './behaviour-config.ts';
export { chunkText } from './chunk.ts';
export {
  allowsLevel,
  CONFIG_KEY_NAMES,
  CONFIG_KEYS,
  type ConfigKey,
  type ConfigKeyDef,
  type ConfigKeyKind,
  type ConfigSource,
  isConfigKey,
  isTimeZone,
  SETTABLE_KEYS,
} from './config-keys.ts';
export {
  describeKeys,
  formatSetting,
  readSetting,
  type SettingLevel,
  type SettingResult,
  unknownKeyMessage,
} from './config-setting.ts';
export { parseDuration } from './duration.ts';
export {
  AgentProtocolError,
  AgentStartError,
  ConfigError,
  GridBotError,
  InvalidJidError,
  LeaseLostError,
  PlatformRateLimitError,
  PlatformRejectedError,
  RunCancelledError,
  SchemaOutdatedError,
  ServiceUnavailableError,
} from './errors.ts';
export { intervalText } from './interval-text.ts';
export { asJid, buildJid, type Jid, type JidParts, parseJid } from './jid.ts';
export {
  JsonRpcClosedError,
  JsonRpcEncodeError,
  JsonRpcError,
} from './json-rpc/json-rpc-errors.ts';
export {
  JsonRpcErrorCode,
  type RpcError,
  type RpcId,
  type RpcNotification,
  type RpcRequest,
  type RpcResponse,
  rpcErrorSchema,
  rpcIdSchema,
  rpcNotificationSchema,
  rpcRequestSchema,
  rpcResponseSchema,
} from './json-rpc/json-rpc-message.ts';
export {
  type JsonRpcIncomingNotification,
  type JsonRpcIncomingRequest,
  type JsonRpcIncomingResponse,
  type JsonRpcMalformedLine,
  JsonRpcPeer,
  type JsonRpcPeerOptions,
} from './json-rpc/json-rpc-peer.ts';
export { type LineEvent, LineSplitter, MAX_LINE_BYTES } from './json-rpc/line-splitter.ts';
export { type JsonRpcLine, parseJsonRpcLine } from './json-rpc/parse-json-rpc-line.ts';
export {
  type ActionAnswer,
  type Attachment,
  attachmentSchema,
  type Chat,
  chatSchema,
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type InboundAction,
  type InboundDelivery,
  type InboundEdit,
  type InboundEvent,
  type InboundMessage,
  inboundActionSchema,
  inboundDeliverySchema,
  inboundEditSchema,
  inboundMessageSchema,
  MAX_INBOUND_TEXT,
  type MessageAction,
  type OutboundMessage,
  outboundMessageSchema,
  type Sender,
  senderSchema,
} from './messages.ts';
export { estimateCost } from './model-prices.ts';
export {
  AGENT_METHODS,
  type AgentMessage,
  type AgentMethod,
  agentMessageSchema,
  type ChatSendParams,
  chatSendParamsSchema,
  type InitializeParams,
  type InputParams,
  initializeParamsSchema,
  inputParamsSchema,
  type LlmCompleteParams,
  type LlmCompleteResult,
  type LlmMessage,
  type LlmTool,
  llmCompleteParamsSchema,
  llmCompleteResultSchema,
  llmMessageSchema,
  PROTOCOL_VERSION,
  RpcErrorCode,
  type RunFinishParams,
  runFinishParamsSchema,
} from './protocol.ts';
export {
  type ApprovalRequestParams,
  type ArtifactSaveParams,
  approvalRequestParamsSchema,
  artifactSaveParamsSchema,
  type MemoryReadParams,
  type MemoryWriteParams,
  memoryReadParamsSchema,
  memoryWriteParamsSchema,
  scheduleSchema,
  type TaskIdParams,
  type TaskListParams,
  type TaskScheduleParams,
  type TaskUpdateParams,
  taskIdParamsSchema,
  taskListParamsSchema,
  taskScheduleParamsSchema,
  taskUpdateParamsSchema,
} from './protocol-methods.ts';
export {
  InvalidScheduleError,
  isValidTimeZone,
  MIN_INTERVAL_MS,
  nextRun,
  nextRuns,
  type Schedule,
  scheduleFromColumns,
  scheduleToColumns,
  shortestGapMs,
} from './schedule.ts';
export { timingSafeEqualText } from './timing-safe-equal-text.ts';
export { policyNamesFor, TOOL_METHODS } from './tool-effects.ts';
export {
  compileTrigger,
  defaultTriggerPattern,
  shouldTrigger,
  type TriggerInput,
  validateTriggerPattern,
} from './trigger.ts';
export { wallTimeIn, wallTimeToInstant } from './wall-time.ts';
