/** The WhatsApp Cloud API channel, imported on its own so other roles never load it. */
export { mapGraphError, REJECTIONS } from './graph-error.ts';
export {
  normalizeWhatsAppWebhook,
  type WhatsAppNormalizeContext,
  type WhatsAppNormalizeResult,
} from './normalize-webhook.ts';
export { whatsappTarget } from './send-text.ts';
export { signWebhookBody } from './webhook-handler.ts';
export {
  WhatsAppAdapter,
  type WhatsAppAdapterOptions,
  type WhatsAppTemplate,
} from './whatsapp-adapter.ts';
export { markdownToWhatsApp } from './whatsapp-format.ts';
