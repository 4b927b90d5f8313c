import { createHash } from 'node:crypto';

/** The KPL's aggregated-record format: magic, protobuf `AggregatedRecord`, MD5 of the protobuf. */
const MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
const DIGEST_BYTES = 16;

export interface SubRecord {
  partitionKey: string;
  data: Uint8Array;
}

export class KplFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KplFormatError';
  }
}

export function isAggregated(data: Uint8Array): boolean {
  return data.length > MAGIC.length + DIGEST_BYTES && MAGIC.every((byte, i) => data[i] === byte);
}

/**
 * Split a KPL-aggregated record into its user records (in order). Throws KplFormatError when
 * the digest does not match or the protobuf is malformed; a plain record is not aggregated.
 */
export function deaggregate(data: Uint8Array): SubRecord[] {
  const body = data.subarray(MAGIC.length, data.length - DIGEST_BYTES);
  const digest = createHash('md5').update(body).digest();
  if (!digest.equals(data.subarray(data.length - DIGEST_BYTES))) throw new KplFormatError('KPL aggregate: MD5 digest mismatch');
  const keys: string[] = [];
  const records: { keyIndex: number; data: Uint8Array }[] = [];
  for (const field of fields(body)) {
    if (field.number === 1 && field.bytes) keys.push(new TextDecoder().decode(field.bytes));
    if (field.number === 3 && field.bytes) records.push(readRecord(field.bytes));
  }
  return records.map((r) => {
    const partitionKey = keys[r.keyIndex];
    if (partitionKey === undefined) throw new KplFormatError(`KPL aggregate: partition key index ${r.keyIndex} out of range`);
    return { partitionKey, data: r.data };
  });
}

function readRecord(bytes: Uint8Array): { keyIndex: number; data: Uint8Array } {
  let keyIndex = -1;
  let data: Uint8Array = new Uint8Array();
  for (const field of fields(bytes)) {
    if (field.number === 1 && field.varint !== undefined) keyIndex = field.varint;
    if (field.number === 3 && field.bytes) data = field.bytes;
  }
  return { keyIndex, data };
}

interface Field {
  number: number;
  varint?: number;
  bytes?: Uint8Array;
}

/** Minimal protobuf reader: varint (0), 64-bit (1), length-delimited (2), 32-bit (5). */
function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= buf.length) throw new KplFormatError('KPL aggregate: truncated varint');
      const byte = buf[pos++] ?? 0;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new KplFormatError('KPL aggregate: varint too long');
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    const number = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) yield { number, varint: varint() };
    else if (wire === 2) {
      const length = varint();
      if (pos + length > buf.length) throw new KplFormatError('KPL aggregate: field past the end');
      yield { number, bytes: buf.subarray(pos, pos + length) };
      pos += length;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new KplFormatError(`KPL aggregate: unsupported wire type ${wire}`);
  }
}
