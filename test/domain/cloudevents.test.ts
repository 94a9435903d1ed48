import { randomUUID } from 'node:crypto';
import t from 'tap';
import { CloudEvent, HTTP } from 'cloudevents';
import {
  CLOUD_EVENTS_CONTENT_TYPE,
  DEFAULT_EVENT_SOURCE,
  describeEventTypes,
  eventSourceProblem,
  sequenceOf,
  toCloudEvent,
  type PublishedEvent,
} from '../../src/domain/cloudevents.js';
import { EVENT_TYPES, PUBLISHED_EVENT_TYPES } from '../../src/domain/events.js';

/**
 * The CloudEvent of an event, checked by the CloudEvents SDK (its JSON Schema of 1.0, its
 * attribute-name rules and its structured-mode HTTP parser) and against the rules of the NL GOV
 * profile for CloudEvents 1.1 that the SDK does not know.
 */
const decisionId = randomUUID();
const event: PublishedEvent = {
  id: randomUUID(),
  type: 'vote.cast',
  occurredAt: '2026-02-03T10:15:00.123Z',
  seq: 4711,
  resourceType: 'decision',
  resourceId: decisionId,
  data: { decision: { id: decisionId, totalCents: 2_500_000_000 }, vote: { outcome: 'approve' } },
};
const settings = { source: DEFAULT_EVENT_SOURCE, baseUrl: 'http://eszl-app-1:3000' };
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** The profile's rules beyond CloudEvents 1.0 itself, for one event in the JSON format. */
function profileProblems(ce: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(ce)) {
    if (!/^[a-z0-9]{1,20}$/.test(name)) problems.push(`attribute name ${name}: lower-case letters and digits, at most 20`);
  }
  if (!/^urn:nld:/.test(String(ce.source))) problems.push('source: a URN with nld as namespace identifier');
  if (!/^nl(\.[a-z0-9_-]+)+$/.test(String(ce.type))) problems.push('type: reverse domain name notation under nl');
  if (ce.datacontenttype !== 'application/json') problems.push('datacontenttype: JSON');
  if (typeof ce.sequence !== 'string' || !/^-?\d+$/.test(ce.sequence)) problems.push('sequence: a string-encoded integer');
  if (ce.sequencetype !== 'Integer') problems.push('sequencetype: Integer');
  const sequence = Number(ce.sequence);
  if (sequence < -(2 ** 31) || sequence > 2 ** 31 - 1) problems.push('sequence: within signed 32 bits');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(String(ce.id))) problems.push('id: a UUID');
  for (const uri of ['dataschema', 'dataref'] as const) {
    if (ce[uri] !== undefined && !URL.canParse(String(ce[uri]))) problems.push(`${uri}: an absolute URI`);
  }
  return problems;
}

t.test('an event becomes the CloudEvent of the contract, attribute by attribute', async (t) => {
  const ce = toCloudEvent(event, settings);
  t.same(Object.keys(ce), [
    'specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'dataschema', 'sequence', 'sequencetype', 'data',
  ]);
  t.equal(ce.specversion, '1.0');
  t.equal(ce.id, event.id, 'the same id as the eszl-v1 body and the feed');
  t.equal(ce.source, 'urn:nld:stichting-eszl.besluitenregister');
  t.equal(ce.type, 'nl.funding-decisions.vote.cast');
  t.equal(ce.time, event.occurredAt);
  t.equal(ce.subject, decisionId);
  t.equal(ce.datacontenttype, 'application/json');
  t.equal(ce.dataschema, 'http://eszl-app-1:3000/api/v1/event-types/vote.cast/schema');
  t.equal(ce.sequence, '4711');
  t.equal(ce.sequencetype, 'Integer');
  t.equal(ce.data, event.data, 'the same data as the eszl-v1 body');
  t.same(profileProblems(ce as unknown as Record<string, unknown>), []);
});

t.test('dataref names the subject resource only when PUBLIC_BASE_URL is set', async (t) => {
  const ce = toCloudEvent(event, { ...settings, baseUrl: 'https://api.eszl.example', publicBaseUrl: 'https://api.eszl.example' });
  t.equal(ce.dataref, `https://api.eszl.example/api/v1/decisions/${decisionId}`);
  t.equal(ce.dataschema, 'https://api.eszl.example/api/v1/event-types/vote.cast/schema');
  const college = toCloudEvent(
    { ...event, type: 'college_decision.recorded', resourceType: 'college-decision' },
    { ...settings, publicBaseUrl: 'https://api.eszl.example' },
  );
  t.equal(college.dataref, `https://api.eszl.example/api/v1/college-decisions/${decisionId}`);
  t.notOk('dataref' in toCloudEvent(event, settings), 'absent without PUBLIC_BASE_URL');
});

t.test('the CloudEvents SDK accepts every published type as a valid 1.0 event', async (t) => {
  for (const type of PUBLISHED_EVENT_TYPES) {
    const ce = toCloudEvent({ ...event, type }, { ...settings, publicBaseUrl: 'https://api.eszl.example' }, TRACEPARENT);
    const parsed = new CloudEvent(ce as never, true);
    t.ok(parsed.validate(), type);
    t.equal(parsed.type, `nl.funding-decisions.${type}`);
    t.same(profileProblems(ce as unknown as Record<string, unknown>), [], `${type}: the profile's rules`);
  }
});

t.test('the SDK reads a structured-mode HTTP message of the CloudEvent back to the same attributes', async (t) => {
  const ce = toCloudEvent(event, { ...settings, publicBaseUrl: 'https://api.eszl.example' }, TRACEPARENT);
  const received = HTTP.toEvent({ headers: { 'content-type': CLOUD_EVENTS_CONTENT_TYPE }, body: JSON.stringify(ce) });
  t.notOk(Array.isArray(received), 'one event, not a batch');
  t.ok(HTTP.isEvent({ headers: { 'content-type': CLOUD_EVENTS_CONTENT_TYPE }, body: JSON.stringify(ce) }));
  const one = received as CloudEvent<unknown>;
  t.same(
    { ...one.toJSON() },
    { ...ce },
    'every attribute, the traceparent extension and data survive the round trip',
  );
});

t.test('the SDK refuses what the builder must never produce', async (t) => {
  const ce = toCloudEvent(event, settings) as unknown as Record<string, unknown>;
  t.throws(() => new CloudEvent({ ...ce, dataschema: 'not a uri' } as never, true), 'a relative dataschema');
  t.throws(() => new CloudEvent({ ...ce, 'sequence-type': 'Integer' } as never, true), 'an attribute name with a dash');
  t.throws(() => new CloudEvent({ ...ce, sequenceType: 'Integer' } as never, true), 'an attribute name with a capital');
});

t.test('traceparent is carried when it is a W3C trace context, and left out otherwise', async (t) => {
  t.equal(toCloudEvent(event, settings, TRACEPARENT).traceparent, TRACEPARENT);
  for (const wrong of ['', 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']) {
    t.notOk('traceparent' in toCloudEvent(event, settings, wrong), JSON.stringify(wrong));
  }
});

t.test('sequence is the audit seq, as a signed 32-bit integer that wraps as the profile says', async (t) => {
  t.equal(sequenceOf(1), '1');
  t.equal(sequenceOf(2 ** 31 - 1), '2147483647');
  t.equal(sequenceOf(2 ** 31), '-2147483648', 'wraps from 2^31 - 1 to -2^31');
  t.equal(sequenceOf(2 ** 32 + 5), '5');
  t.throws(() => sequenceOf(0));
  t.throws(() => sequenceOf(1.5));
});

t.test('EVENT_SOURCE must be a URN in the nld namespace', async (t) => {
  for (const good of [
    DEFAULT_EVENT_SOURCE,
    'urn:nld:kvknr:14090089.besluitenregister',
    'urn:nld:oin:00000001823288444000:systeem:BRP-component',
    'urn:nld:gemeente-Bergen%20%28L%29.burgerzakensysteem',
    'URN:NLD:stichting-eszl.besluitenregister',
  ]) {
    t.equal(eventSourceProblem(good), undefined, good);
  }
  for (const bad of [
    'https://eszl.nl/besluitenregister',
    'urn:nl:eszl',
    'urn:nld:',
    'urn:nld:has space',
    'urn:nld:eszl?+resolve',
    'urn:nld:eszl#fragment',
    'urn:nld:bad%zz',
    `urn:nld:${'x'.repeat(1100)}`,
  ]) {
    t.type(eventSourceProblem(bad), 'string', bad);
  }
});

t.test('every type of the catalogue is described with its CloudEvents type and schema URL', async (t) => {
  const items = describeEventTypes('https://api.eszl.example');
  t.equal(items.length, EVENT_TYPES.length);
  const vote = items.find((item) => item.type === 'vote.cast');
  t.same(vote, {
    type: 'vote.cast',
    cloudEventType: 'nl.funding-decisions.vote.cast',
    summary: 'A college voted on a decision.',
    published: true,
    resource: 'decision',
    schemaUrl: 'https://api.eszl.example/api/v1/event-types/vote.cast/schema',
  });
  t.equal(items.find((item) => item.type === 'statute_rule.created')?.published, false, 'audited only');
});
