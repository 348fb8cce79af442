import type { IncomingMessage } from 'node:http';

/** One file of a multipart/form-data body. */
export interface FormFile {
  /** The form field it came in, e.g. `document` or `files[0]`. */
  field: string;
  name: string;
  type: string;
  /** The bytes, decoded as UTF-8. */
  text: string;
  bytes: number;
}

/** A multipart/form-data body: its text fields and its files. */
export interface FormBody {
  fields: Record<string, string>;
  files: FormFile[];
}

/** Whether a request carries multipart/form-data (a file upload). */
export function isMultipart(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').startsWith('multipart/form-data');
}

/** Reads a multipart/form-data request (RFC 7578) with the platform's own parser. */
export async function readMultipart(req: IncomingMessage): Promise<FormBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return parseMultipart(Buffer.concat(chunks), req.headers['content-type'] ?? '');
}

/** Parses a multipart/form-data body whose content type (with its boundary) is `contentType`. */
export async function parseMultipart(body: Buffer, contentType: string): Promise<FormBody> {
  const form = await new Response(new Uint8Array(body), {
    headers: { 'content-type': contentType },
  }).formData();
  const fields: Record<string, string> = {};
  const files: FormFile[] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') fields[field] = value;
    else {
      const data = Buffer.from(await value.arrayBuffer());
      files.push({
        field,
        name: value.name,
        type: value.type,
        text: data.toString('utf8'),
        bytes: data.byteLength,
      });
    }
  }
  return { fields, files };
}
