import { createCipheriv, createHash, randomBytes } from 'node:crypto';

type Rec = Record<string, unknown>;

/** Feishu's event encryption: AES-256-CBC, key sha256(encrypt key), base64(iv ‖ ciphertext). */
export function encryptEvent(plain: string, encryptKey: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

/**
 * Posts an event to an HTTP callback as Feishu does: encrypted with the encrypt key (when
 * given) and signed, `X-Lark-Signature` = sha256(timestamp + nonce + key + body) with the
 * request's timestamp and nonce (`signWith` signs with another key, to forge one).
 */
export async function deliverSigned(
  target: string,
  event: Rec,
  options: { encryptKey?: string | null; signWith?: string } = {},
): Promise<{ status: number; body: string }> {
  const encryptKey = options.encryptKey ?? null;
  const body = encryptKey
    ? JSON.stringify({ encrypt: encryptEvent(JSON.stringify(event), encryptKey) })
    : JSON.stringify(event);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString('hex');
  const signKey = options.signWith ?? encryptKey ?? '';
  const signature = createHash('sha256')
    .update(timestamp + nonce + signKey + body)
    .digest('hex');
  const response = await fetch(target, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': signature,
    },
    body,
  });
  return { status: response.status, body: await response.text() };
}
