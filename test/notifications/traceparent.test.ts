import t from 'tap';
import { context, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { currentTraceparent } from '../../src/notifications/traceparent.js';

/**
 * The traceparent an outbox event will store: the W3C header of the span being recorded (so the
 * delivery it causes joins the request's trace), nothing without tracing or outside a trace.
 */
t.test('without a tracing SDK there is no traceparent', async (t) => {
  t.equal(currentTraceparent(), undefined);
});

t.test('inside a recorded span it is that span, in the W3C format; outside any span nothing', async (t) => {
  const provider = new NodeTracerProvider();
  provider.register();
  t.teardown(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });
  const tracer = trace.getTracer('test');
  t.equal(currentTraceparent(), undefined, 'outside a span');
  const span = tracer.startSpan('request');
  const inside = context.with(trace.setSpan(context.active(), span), () => currentTraceparent());
  span.end();
  const { traceId, spanId } = span.spanContext();
  t.equal(inside, `00-${traceId}-${spanId}-01`);
  t.match(inside, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
});
