export { FeishuAdapter, type FeishuAdapterOptions } from './feishu-adapter.ts';
export { feishuJid, targetOf } from './feishu-ids.ts';
