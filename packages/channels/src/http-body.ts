import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads a request body; null (without reading further) once it exceeds `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.pause();
      resolve(null);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Answers with a short plain-text body, unless an answer went out already. */
export function replyText(res: ServerResponse, status: number, body = ''): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}

/** Answers 413 and closes the connection (the rest of the body is not read). */
export function replyTooLarge(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => req.destroy());
  res.setHeader('connection', 'close');
  replyText(res, 413, 'body too large');
}
