import { readFile } from 'node:fs/promises';
import t from 'tap';
import { parse } from 'yaml';
import { fixedClock } from '../../../src/domain/clock.js';
import { createServiceMetrics } from '../../../src/observability/metrics.js';
import { createTestDatabase } from '../../helpers/database.js';
import { families } from '../../helpers/prometheus-text.js';
import { PROJECT_DIR } from '../../helpers/server-process.js';

/**
 * The Grafana dashboard and the Prometheus alert rules of docs/operations use only metrics the
 * service exports, as a real scrape declares them (a renamed metric fails here, not on an
 * operator's empty panel). promtool checks the rules' syntax and their unit tests in CI.
 */
const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);
/** Made by Prometheus for every target, not by the service. */
const FROM_PROMETHEUS = new Set(['up']);

/** The metric names a PromQL expression selects (a Grafana variable or two inside it is fine). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)) {
    const name = match[1]!;
    if (!PROMQL_WORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

t.test('the expression reader finds the metrics of an expression and nothing else', async (t) => {
  t.same(
    metricNames('histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{job=~"$job", route!="x_y"}[$__rate_interval])))'),
    ['http_request_duration_seconds_bucket'],
  );
  t.same(metricNames('max by (job) (a_seconds) > 10 * max by (job) (b_seconds) and c_seq offset 5m').sort(), ['a_seconds', 'b_seconds', 'c_seq']);
  t.same(metricNames('label_values(eszl_ready{job=~"$job"}, instance)'), ['eszl_ready', 'instance'], 'label_values names a label too: callers drop it');
});

const db = await createTestDatabase();
t.teardown(() => db.close());
const exposition = await createServiceMetrics({ database: db.database, clock: fixedClock('2026-03-01T12:00:00Z'), checkpointIntervalS: 60 }).registry.metrics();
const exported = new Set<string>();
for (const [name, type] of families(exposition)) {
  exported.add(name);
  if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(name + suffix);
  if (type === 'summary') for (const suffix of ['_sum', '_count']) exported.add(name + suffix);
}

t.test("the scrape exports the contract's metric names", async (t) => {
  for (const name of [
    'http_request_duration_seconds_bucket',
    'eszl_db_pool_connections',
    'process_cpu_seconds_total',
    'nodejs_eventloop_lag_seconds',
    'eszl_webhook_deliveries_pending',
    'eszl_webhook_oldest_pending_seconds',
    'eszl_webhook_delivery_failures_total',
    'eszl_audit_head_seq',
    'eszl_audit_log_checkpoint_age_seconds',
    'eszl_decisions',
    'eszl_ratifications_overdue',
  ]) {
    t.ok(exported.has(name), name);
  }
  t.equal(families(exposition).get('eszl_webhook_delivery_failures_total'), 'counter', 'the failures are a counter');
  t.equal(families(exposition).get('http_request_duration_seconds'), 'histogram');
});

t.test('every metric of the Grafana dashboard is one the service exports', async (t) => {
  const dashboard = JSON.parse(await readFile(`${PROJECT_DIR}/docs/operations/grafana-dashboard.json`, 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[] }[];
    templating: { list: { name: string; definition?: string }[] };
  };
  const expressions = [
    ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr }))),
    ...dashboard.templating.list.filter((v) => v.definition !== undefined).map((v) => ({ where: `variable $${v.name}`, expr: v.definition!.replace(/,\s*\w+\)\s*$/, ')') })),
  ];
  t.ok(expressions.length >= 15, `${expressions.length} expressions`);
  const unknown = expressions.flatMap(({ where, expr }) => metricNames(expr).filter((name) => !exported.has(name)).map((name) => `${where}: ${name}`));
  t.same(unknown, [], 'no panel shows a metric that does not exist');
  const shown = new Set(expressions.flatMap(({ expr }) => metricNames(expr)));
  const eszl = [...exported].filter((name) => name.startsWith('eszl_'));
  t.same(eszl.filter((name) => !shown.has(name)), [], 'and every eszl_ metric has a panel');
});

t.test('every metric of the alert rules is one the service exports (or Prometheus makes)', async (t) => {
  const rules = parse(await readFile(`${PROJECT_DIR}/docs/operations/alerts.yml`, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  const all = rules.groups.flatMap((group) => group.rules);
  t.same(
    all.map((rule) => rule.alert),
    ['EszlInstanceDown', 'EszlNotReady', 'EszlWebhookBacklogOlderThanAnHour', 'EszlAuditCheckpointStale', 'EszlAuditNeverCheckpointed', 'EszlRatificationsOverdue'],
  );
  const unknown = all.flatMap((rule) => metricNames(rule.expr).filter((name) => !exported.has(name) && !FROM_PROMETHEUS.has(name)).map((name) => `${rule.alert}: ${name}`));
  t.same(unknown, [], 'no rule watches a metric that does not exist');
});
