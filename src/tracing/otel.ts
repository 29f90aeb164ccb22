/**
 * The Tracer of api.ts on the OpenTelemetry SDK: spans exported over OTLP/HTTP by the SDK's own
 * exporters (protobuf or JSON), through the bounded batch processor of batch.ts. Loaded by
 * main.ts only when an endpoint is configured; everything comes from loadConfig's explicit
 * options (the exporters still read OTEL_EXPORTER_OTLP_*HEADERS, which loadConfig reads too
 * and hands over: the same values).
 */
import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SDK_INFO, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider, type Sampler } from '@opentelemetry/sdk-trace';
import type { SamplerName, TracingConfig } from '../config.ts';
import { spanTime, type Tracer } from './api.ts';
import { createBatchProcessor, type BatchOptions } from './batch.ts';

export interface OtelOptions {
  /** Spans lost to a full queue, a failed or timed-out export, or shutdown. */
  onDrop: BatchOptions['onDrop'];
  /** Each export's result, for a log line when the collector stops or starts answering. */
  onExport?: BatchOptions['onExport'];
}

/** The tracer's instrumentation scope. */
const SCOPE = 'training-jobs-gateway';
// A span's strings come from callers (user agents, search terms in URLs): bounded, so that no
// request can make an export large.
const MAX_ATTRIBUTE_LENGTH = 1024;

function samplerOf({ name, ratio }: TracingConfig['sampler']): Sampler {
  const roots: Record<SamplerName, () => Sampler> = {
    always_on: () => new AlwaysOnSampler(),
    always_off: () => new AlwaysOffSampler(),
    traceidratio: () => new TraceIdRatioBasedSampler(ratio),
    parentbased_always_on: () => new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    parentbased_always_off: () => new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    parentbased_traceidratio: () => new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
  };
  return roots[name]();
}

export function createOtelTracer(config: TracingConfig, options: OtelOptions): Tracer {
  const exporterOptions = {
    url: config.url,
    headers: config.headers,
    timeoutMillis: config.batch.exportTimeoutMs,
    // One export at a time comes from the processor; a second is an export it gave up on.
    concurrencyLimit: 2,
    // Spelled out, or the exporter would take OTEL_EXPORTER_OTLP_COMPRESSION from the environment.
    compression: 'none' as NonNullable<ConstructorParameters<typeof ProtobufExporter>[0]>['compression'],
    keepAlive: true,
  };
  const exporter = config.protocol === 'http/json' ? new JsonExporter(exporterOptions) : new ProtobufExporter(exporterOptions);
  const processor = createBatchProcessor(exporter, { ...config.batch, onDrop: options.onDrop, onExport: options.onExport });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ ...SDK_INFO, 'service.name': config.serviceName }),
    sampler: samplerOf(config.sampler),
    spanProcessors: [processor],
    spanLimits: { attributeValueLengthLimit: MAX_ATTRIBUTE_LENGTH, attributeCountLimit: 32, eventCountLimit: 32 },
  });
  const tracer = provider.getTracer(SCOPE);
  const propagator = new W3CTraceContextPropagator();
  const kinds = { internal: SpanKind.INTERNAL, client: SpanKind.CLIENT };

  return {
    server(name, headers, attributes) {
      // Continued only when it parses; anything else starts a trace of our own.
      const parent = headers.traceparent === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
      return tracer.startSpan(name, { kind: SpanKind.SERVER, attributes, startTime: spanTime() }, parent);
    },
    child(parent, name, kind, attributes) {
      return tracer.startSpan(name, { kind: kinds[kind], attributes, startTime: spanTime() }, trace.setSpan(ROOT_CONTEXT, parent));
    },
    root(name, attributes) {
      return tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes, root: true, startTime: spanTime() }, ROOT_CONTEXT);
    },
    fail(span, type) {
      span.setAttribute('error.type', type);
      span.setStatus({ code: SpanStatusCode.ERROR });
    },
    inject(span, headers) {
      propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
    },
    shutdown: (timeoutMs) => processor.close(Date.now() + timeoutMs),
  };
}
