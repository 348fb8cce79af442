/**
 * The frames of Feishu's long connection: protobuf (proto2) `pbbp2.Frame` messages, as
 * the Feishu SDK's own definition has them. Hand-written for the fake: a few fields of
 * varints and length-delimited strings and bytes.
 *
 *   message Header { required string key = 1; required string value = 2; }
 *   message Frame {
 *     required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3;
 *     required int32 method = 4; repeated Header headers = 5; optional string payloadEncoding = 6;
 *     optional string payloadType = 7; optional bytes payload = 8; optional string LogIDNew = 9;
 *   }
 */
export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  /** 0: control (ping, pong), 1: data (events). */
  method: number;
  headers: Record<string, string>;
  payload?: Uint8Array;
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = BigInt(value);
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0n);
  return bytes;
}

const tag = (field: number, wire: number) => varint((field << 3) | wire);
function bytesField(field: number, data: Uint8Array): number[] {
  return [...tag(field, 2), ...varint(data.length), ...data];
}
const text = (value: string) => new TextEncoder().encode(value);

export function encodeFrame(frame: Frame): Uint8Array {
  // Fields 1–4 are required: the SDK's decoder throws without them, even when zero.
  const out = [
    ...tag(1, 0),
    ...varint(frame.SeqID),
    ...tag(2, 0),
    ...varint(frame.LogID),
    ...tag(3, 0),
    ...varint(frame.service),
    ...tag(4, 0),
    ...varint(frame.method),
  ];
  for (const [key, value] of Object.entries(frame.headers)) {
    const header = [...bytesField(1, text(key)), ...bytesField(2, text(value))];
    out.push(...bytesField(5, new Uint8Array(header)));
  }
  if (frame.payload) out.push(...bytesField(8, frame.payload));
  return new Uint8Array(out);
}

/** Reads the fields of one message: number → values (varints as numbers, the rest as bytes). */
function fields(data: Uint8Array): Map<number, Array<number | Uint8Array>> {
  const found = new Map<number, Array<number | Uint8Array>>();
  let at = 0;
  const readVarint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = data[at++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (at < data.length) {
    const key = Number(readVarint());
    const field = key >> 3;
    const wire = key & 7;
    let value: number | Uint8Array;
    if (wire === 0) value = Number(readVarint());
    else if (wire === 2) {
      const length = Number(readVarint());
      value = data.subarray(at, at + length);
      at += length;
    } else throw new Error(`pbbp2: unexpected wire type ${wire}`);
    found.set(field, [...(found.get(field) ?? []), value]);
  }
  return found;
}

export function decodeFrame(data: Uint8Array): Frame {
  const f = fields(data);
  const decoder = new TextDecoder();
  const num = (field: number) => Number(f.get(field)?.[0] ?? 0);
  const headers: Record<string, string> = {};
  for (const raw of f.get(5) ?? []) {
    const header = fields(raw as Uint8Array);
    headers[decoder.decode(header.get(1)?.[0] as Uint8Array)] = decoder.decode(
      header.get(2)?.[0] as Uint8Array,
    );
  }
  const payload = f.get(8)?.[0] as Uint8Array | undefined;
  return {
    SeqID: num(1),
    LogID: num(2),
    service: num(3),
    method: num(4),
    headers,
    ...(payload && { payload: new Uint8Array(payload) }),
  };
}
