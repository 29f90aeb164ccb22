/**
 * The span processor between the SDK and the OTLP exporter: a bounded queue exported in
 * batches, one export at a time. The SDK's BatchSpanProcessor does the same but only logs what
 * it loses; this one reports every span it drops (a full queue, a failed or timed-out export, a
 * shutdown past its deadline) to `onDrop`, which counts them in
 * `gateway_trace_spans_dropped_total`. Requests never wait on it: onEnd only appends or drops.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { TraceFlags } from '@opentelemetry/api';

export interface BatchOptions {
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMs: number;
  exportTimeoutMs: number;
  /** Spans lost, and why. */
  onDrop(count: number, why: 'queue full' | 'export failed' | 'export timed out' | 'shut down'): void;
  /** Each export's result: the collector answering again after failures is worth a log line. */
  onExport?(result: ExportResult): void;
}

export interface BatchProcessor extends SpanProcessor {
  /** Stops taking spans, exports what is queued until `deadline` (epoch ms), and counts the rest as dropped. */
  close(deadline: number): Promise<void>;
}

export function createBatchProcessor(exporter: SpanExporter, options: BatchOptions): BatchProcessor {
  const { maxQueueSize, maxExportBatchSize, scheduledDelayMs, exportTimeoutMs, onDrop } = options;
  let queue: ReadableSpan[] = [];
  let timer: NodeJS.Timeout | undefined;
  let exporting: Promise<void> | undefined;
  let closed = false;
  /** Gives up on the export in flight, counting its spans as dropped. */
  let abandon: (() => void) | undefined;

  /** Exports one batch; resolves when the exporter answers or the timeout passes, never rejects. */
  function exportBatch(): Promise<void> {
    const batch = queue.length <= maxExportBatchSize ? queue : queue.slice(0, maxExportBatchSize);
    queue = batch === queue ? [] : queue.slice(maxExportBatchSize);
    return new Promise((resolve) => {
      let done = false;
      const finish = (why: 'export failed' | 'export timed out' | 'shut down' | undefined, result?: ExportResult) => {
        if (done) return;
        done = true;
        abandon = undefined;
        clearTimeout(deadline);
        if (why !== undefined) onDrop(batch.length, why);
        if (result !== undefined) options.onExport?.(result);
        resolve();
      };
      const deadline = setTimeout(finish, exportTimeoutMs, 'export timed out');
      deadline.unref();
      abandon = () => finish('shut down');
      try {
        exporter.export(batch, (result) => finish(result.code === ExportResultCode.SUCCESS ? undefined : 'export failed', result));
      } catch {
        finish('export failed');
      }
    });
  }

  /** Starts the export loop unless it runs: batch after batch while a full one waits, then on the timer. */
  function run(): void {
    if (exporting !== undefined || queue.length === 0) return;
    clearTimeout(timer);
    timer = undefined;
    exporting = exportBatch().then(() => {
      exporting = undefined;
      if (queue.length >= maxExportBatchSize) run();
      else schedule();
    });
  }

  function schedule(): void {
    if (timer !== undefined || exporting !== undefined || queue.length === 0 || closed) return;
    timer = setTimeout(run, scheduledDelayMs);
    timer.unref();
  }

  /** Exports everything queued now, batch after batch, until the queue is empty or `deadline` (epoch ms) passes. */
  async function flushUntil(deadline: number): Promise<void> {
    while ((queue.length > 0 || exporting !== undefined) && Date.now() < deadline) {
      if (exporting === undefined) run();
      await Promise.race([exporting, until(deadline)]);
    }
  }

  async function close(deadline: number): Promise<void> {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    await flushUntil(deadline);
    abandon?.();
    if (queue.length > 0) onDrop(queue.length, 'shut down');
    queue = [];
    await Promise.race([exporter.shutdown().catch(() => {}), until(deadline)]);
  }

  return {
    onStart() {},
    onEnd(span) {
      if (closed || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
      if (queue.length >= maxQueueSize) return onDrop(1, 'queue full');
      queue.push(span);
      if (queue.length >= maxExportBatchSize) run();
      else schedule();
    },
    forceFlush: () => flushUntil(Date.now() + exportTimeoutMs),
    shutdown: () => close(Date.now() + exportTimeoutMs),
    close,
  };
}

/** Resolves at `deadline` (epoch ms), holding no process open. */
function until(deadline: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref());
}
