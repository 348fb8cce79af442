export { DingTalkAdapter, type DingTalkAdapterOptions } from './dingtalk-adapter.ts';
export { conversationIdOf, groupJid, targetOf, userJid } from './dingtalk-ids.ts';
export { normalizeDingTalkMessage } from './normalize-message.ts';
