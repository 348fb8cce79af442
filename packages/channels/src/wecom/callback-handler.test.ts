import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXml, weComCallbackHandler } from './callback-handler.ts';

/** The example of WeCom's message encryption documentation (加解密方案说明). */
const DOC = {
  token: 'QDG6eK',
  encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
  query: {
    msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    timestamp: '1409659589',
    nonce: '263014780',
    echostr:
      'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  },
  echo: '1616140317555161061',
};

let url: string;
const server = createServer(
  weComCallbackHandler({
    token: DOC.token,
    encodingAESKey: DOC.encodingAESKey,
    corpId: DOC.corpId,
    logger: pino({ level: 'silent' }),
    receive: async () => {},
  }),
);

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/callback`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the WeCom callback', () => {
  it('answers the documentation’s URL check with its decrypted echostr', async () => {
    const response = await fetch(`${url}?${new URLSearchParams(DOC.query)}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(DOC.echo);
  });

  it('refuses the check with another signature', async () => {
    const query = new URLSearchParams({ ...DOC.query, msg_signature: 'f'.repeat(40) });
    expect((await fetch(`${url}?${query}`)).status).toBe(401);
    const noSignature = new URLSearchParams({ ...DOC.query, msg_signature: '' });
    expect((await fetch(`${url}?${noSignature}`)).status).toBe(401);
  });

  it('reads XML with every value a string, so a 64-bit MsgId keeps its digits', () => {
    const message = parseXml(
      '<xml><MsgId>7123456789012345678</MsgId><Content><![CDATA[你好 <b>]]></Content></xml>',
    );
    expect(message).toEqual({ MsgId: '7123456789012345678', Content: '你好 <b>' });
    expect(parseXml('not xml')).toBeNull();
  });
});
