import { createRequire } from 'node:module';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { OtlpProtocol } from '../config.js';

/**
 * Traces, loaded by server.ts only when OTEL_EXPORTER_OTLP_ENDPOINT is set (nothing here is
 * imported otherwise). Every request is a span (@fastify/otel, continuing an incoming W3C
 * `traceparent`), every SQL statement on PostgreSQL a child span (the pg instrumentation; the
 * embedded database has no driver to instrument). Spans go out in batches over OTLP/HTTP in the
 * background: an unreachable collector drops them, with one warning a minute at most, and never
 * holds a request up. The exporter reads the standard variables itself (endpoint, headers,
 * timeout, compression); the sampler is the standard OTEL_TRACES_SAMPLER's.
 */
export interface TracingOptions {
  serviceName: string;
  protocol: OtlpProtocol;
  /** Where the once-a-minute warning about dropped traces goes (the service's logger). */
  warn(message: string): void;
}

export interface Tracing {
  /** Sends what is buffered (for two seconds at most: a dead collector must not hold a shutdown up) and stops. */
  shutdown(): Promise<void>;
}

const WARNING_EVERY_MS = 60_000;
const SHUTDOWN_FLUSH_MS = 2_000;

/** Passes spans to the real exporter and says when they are lost, once a minute at most. */
export class WarnWhenDropped implements SpanExporter {
  private lastWarningAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly inner: SpanExporter,
    private readonly warn: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS && this.now() - this.lastWarningAt >= WARNING_EVERY_MS) {
        this.lastWarningAt = this.now();
        this.warn(
          `traces are being dropped: the OpenTelemetry collector did not take them (${result.error?.message ?? 'no reason given'}); ` +
            'this warning repeats at most once a minute',
        );
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

export function startTracing(options: TracingOptions): Tracing {
  const exporter = options.protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': options.serviceName })),
    spanProcessors: [new BatchSpanProcessor(new WarnWhenDropped(exporter, options.warn))],
  });
  // The AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // Background jobs poll every second: their statements would each be a trace of their own.
      new PgInstrumentation({ requireParentSpan: true }),
      new FastifyOtelInstrumentation({
        // Patches every Fastify instance created from now on: buildApp must come after this.
        registerOnInitialization: true,
        ignorePaths: ({ url }) => url.startsWith('/health/'),
        // A span per hook would be a dozen per request (auth, headers, idempotency...): the request,
        // its handler and its statements say where the time went.
        instrumentHooks: false,
        requestHook: (span, request) => span.updateName(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`),
      }),
    ],
  });
  // pg was loaded by the static imports of server.ts before this ran; requiring it again passes
  // the instrumentation's require hook, which patches the loaded module (its Client prototype,
  // shared by the pools created later).
  createRequire(import.meta.url)('pg');

  return {
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        provider.shutdown().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
