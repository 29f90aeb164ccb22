/**
 * A small OTLP/HTTP trace receiver on a real socket (no Collector is packaged in npm or
 * Debian): it decodes what the SDK's own exporters send, `http/protobuf` with a hand-written
 * reader of the protobuf wire format and `http/json` as the OTLP/JSON mapping, into one flat
 * form per span. It keeps every raw payload too, so that tests can scan the exact bytes that
 * left the gateway. `mode` makes it a collector that answers 503, or one that never answers.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type AttributeValue = string | number | boolean | AttributeValue[];

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: SpanKindName;
  /** Epoch nanoseconds, as bigints. */
  start: bigint;
  end: bigint;
  attributes: Record<string, AttributeValue>;
  events: Array<{ name: string; attributes: Record<string, AttributeValue> }>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  resource: Record<string, AttributeValue>;
  scope: string;
}

export interface ReceivedExport {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface OtlpReceiver {
  /** The base URL (for OTEL_EXPORTER_OTLP_ENDPOINT); the exporters post to `${url}/v1/traces`. */
  url: string;
  spans: ReceivedSpan[];
  exports: ReceivedExport[];
  /** ok answers 200; unavailable 503; hang reads the request and never answers. */
  mode: 'ok' | 'unavailable' | 'hang';
  /** Waits until `done(spans)` holds (polling), or fails after `timeoutMs`. */
  waitFor(done: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

const KINDS: SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const sockets = new Set<Socket>();
  const held: ServerResponse[] = [];
  const receiver: OtlpReceiver = {
    url: '',
    spans: [],
    exports: [],
    mode: 'ok',
    async waitFor(done, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (!done(receiver.spans)) {
        if (Date.now() > end) throw new Error(`spans not received in ${timeoutMs} ms; got: ${receiver.spans.map((s) => s.name).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return receiver.spans;
    },
    async close() {
      for (const res of held) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (receiver.mode === 'hang') return void held.push(res);
      if (receiver.mode === 'unavailable') return void res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      const json = (req.headers['content-type'] ?? '').startsWith('application/json');
      try {
        receiver.spans.push(...(json ? fromJson(JSON.parse(body.toString('utf8'))) : fromProtobuf(body)));
        receiver.exports.push({ headers: req.headers, body });
      } catch (err) {
        return void res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
      }
      if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

// ---- OTLP/JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) ----

interface JsonValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: JsonValue[] };
}
type JsonAttributes = Array<{ key: string; value: JsonValue }> | undefined;

function jsonValue(value: JsonValue): AttributeValue {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return (value.arrayValue?.values ?? []).map(jsonValue);
}

const jsonAttributes = (list: JsonAttributes) => Object.fromEntries((list ?? []).map(({ key, value }) => [key, jsonValue(value)]));

function fromJson(request: any): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((rs: any) =>
    (rs.scopeSpans ?? []).flatMap((ss: any) =>
      (ss.spans ?? []).map(
        (span: any): ReceivedSpan => ({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ?? '',
          traceState: span.traceState ?? '',
          name: span.name,
          kind: KINDS[span.kind ?? 0]!,
          start: BigInt(span.startTimeUnixNano),
          end: BigInt(span.endTimeUnixNano),
          attributes: jsonAttributes(span.attributes),
          events: (span.events ?? []).map((e: any) => ({ name: e.name, attributes: jsonAttributes(e.attributes) })),
          statusCode: span.status?.code ?? 0,
          resource: jsonAttributes(rs.resource?.attributes),
          scope: ss.scope?.name ?? '',
        }),
      ),
    ),
  );
}

// ---- protobuf (opentelemetry-proto, trace/v1 and common/v1) ----

/** One field of a message: its number and its raw value (a varint or fixed as bigint, bytes as a Buffer). */
interface Field {
  no: number;
  value: bigint | Buffer;
}

function varint(buf: Buffer, at: { i: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (at.i >= buf.length) throw new Error('truncated varint');
    const byte = buf[at.i++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7n;
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  const at = { i: 0 };
  while (at.i < buf.length) {
    const tag = Number(varint(buf, at));
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) out.push({ no, value: varint(buf, at) });
    else if (wire === 1) {
      out.push({ no, value: buf.readBigUInt64LE(at.i) });
      at.i += 8;
    } else if (wire === 2) {
      const length = Number(varint(buf, at));
      if (at.i + length > buf.length) throw new Error('truncated field');
      out.push({ no, value: buf.subarray(at.i, at.i + length) });
      at.i += length;
    } else if (wire === 5) {
      out.push({ no, value: BigInt(buf.readUInt32LE(at.i)) });
      at.i += 4;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

const bytesOf = (list: Field[], no: number): Buffer[] => list.filter((f) => f.no === no).map((f) => f.value as Buffer);
const firstBytes = (list: Field[], no: number): Buffer => bytesOf(list, no)[0] ?? Buffer.alloc(0);
const numberOf = (list: Field[], no: number): bigint => (list.find((f) => f.no === no)?.value as bigint | undefined) ?? 0n;

function anyValue(buf: Buffer): AttributeValue {
  const [field] = fields(buf);
  if (field === undefined) return '';
  switch (field.no) {
    case 1:
      return (field.value as Buffer).toString('utf8');
    case 2:
      return field.value === 1n;
    case 3:
      return Number(BigInt.asIntN(64, field.value as bigint));
    case 4: {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(field.value as bigint);
      return b.readDoubleLE(0);
    }
    case 5:
      return bytesOf(fields(field.value as Buffer), 1).map(anyValue);
    default:
      throw new Error(`unexpected AnyValue field ${field.no}`);
  }
}

function attributes(list: Buffer[]): Record<string, AttributeValue> {
  return Object.fromEntries(
    list.map((kv) => {
      const f = fields(kv);
      return [firstBytes(f, 1).toString('utf8'), anyValue(firstBytes(f, 2))];
    }),
  );
}

function fromProtobuf(body: Buffer): ReceivedSpan[] {
  return bytesOf(fields(body), 1).flatMap((rsBuf) => {
    const rs = fields(rsBuf);
    const resource = attributes(bytesOf(fields(firstBytes(rs, 1)), 1));
    return bytesOf(rs, 2).flatMap((ssBuf) => {
      const ss = fields(ssBuf);
      const scope = firstBytes(fields(firstBytes(ss, 1)), 1).toString('utf8');
      return bytesOf(ss, 2).map((spanBuf): ReceivedSpan => {
        const s = fields(spanBuf);
        return {
          traceId: firstBytes(s, 1).toString('hex'),
          spanId: firstBytes(s, 2).toString('hex'),
          traceState: firstBytes(s, 3).toString('utf8'),
          parentSpanId: firstBytes(s, 4).toString('hex'),
          name: firstBytes(s, 5).toString('utf8'),
          kind: KINDS[Number(numberOf(s, 6))]!,
          start: numberOf(s, 7),
          end: numberOf(s, 8),
          attributes: attributes(bytesOf(s, 9)),
          events: bytesOf(s, 11).map((eventBuf) => {
            const e = fields(eventBuf);
            return { name: firstBytes(e, 2).toString('utf8'), attributes: attributes(bytesOf(e, 3)) };
          }),
          statusCode: Number(numberOf(fields(firstBytes(s, 15)), 3)),
          resource,
          scope,
        };
      });
    });
  });
}
