export { WeComAdapter, type WeComAdapterOptions } from './wecom-adapter.ts';
export { appChatJid, targetOf, userJid } from './wecom-ids.ts';
