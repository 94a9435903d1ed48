import { createHash } from 'node:crypto';
import t from 'tap';
import canonicalize from 'canonicalize';
import {
  ChainVerifier,
  GENESIS_HASH,
  canonicalJson,
  eventHash,
  type AuditEvent,
  type ChainVerdict,
  type UnhashedEvent,
} from '../../src/audit/chain.js';

/**
 * The audit hash chain without a database: the canonical form is pinned with literal JSON text
 * and an independent SHA-256, and the incremental verifier is run over a generated chain of 50
 * events and over in-memory copies of it tampered with in every way the contract names
 * (edited, deleted, inserted, reordered), each with the exact first invalid seq it must report.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const RESOURCE_ID = '11111111-1111-4111-8111-111111111111';

t.test('the genesis hash is 64 zeros', async (t) => {
  t.equal(GENESIS_HASH, '0'.repeat(64));
});

t.test('eventHash is SHA-256 of prevHash followed by the event in RFC 8785 form without whitespace', async (t) => {
  // Keys deliberately given out of order: the canonical form sorts them.
  const event: UnhashedEvent = {
    data: { a: 1 },
    seq: 1,
    resourceType: 'decision',
    actor: { role: 'system', organisationId: null, keyId: null },
    resourceId: RESOURCE_ID,
    occurredAt: '2026-03-01T12:00:00.000Z',
    action: 'x',
  };
  const canonical =
    '{"action":"x","actor":{"keyId":null,"organisationId":null,"role":"system"},"data":{"a":1},' +
    '"occurredAt":"2026-03-01T12:00:00.000Z","resourceId":"11111111-1111-4111-8111-111111111111",' +
    '"resourceType":"decision","seq":1}';
  const expected = createHash('sha256').update(GENESIS_HASH + canonical).digest('hex');
  t.equal(canonicalJson(event), canonical, 'canonicalJson gives the literal canonical text');
  t.equal(eventHash(GENESIS_HASH, event), expected, 'the hash over the genesis prevHash matches the independent computation');
  t.match(expected, /^[0-9a-f]{64}$/, 'the hash is lower-case hex');

  const prev = expected;
  t.equal(
    eventHash(prev, event),
    createHash('sha256').update(prev + canonical).digest('hex'),
    'with another prevHash the hash is SHA-256 of that prevHash + the same canonical text',
  );
  t.not(eventHash(prev, event), expected, 'the prevHash takes part in the hash');
});

t.test('the canonical form sorts nested keys, keeps non-ASCII text and writes numbers the ECMAScript way', async (t) => {
  const event: UnhashedEvent = {
    seq: 2,
    occurredAt: '2026-03-01T12:00:00.000Z',
    actor: { keyId: '22222222-2222-4222-8222-222222222222', role: 'college', organisationId: '33333333-3333-4333-8333-333333333333' },
    action: 'vote.cast',
    resourceType: 'decision',
    resourceId: RESOURCE_ID,
    data: { z: [3, 'Sittard-Geleen é €'], b: { y: true, a: null }, n: 1.5, cents: 14000000, big: 1e21, line: 'a\nb"c' },
  };
  const canonical =
    '{"action":"vote.cast","actor":{"keyId":"22222222-2222-4222-8222-222222222222",' +
    '"organisationId":"33333333-3333-4333-8333-333333333333","role":"college"},' +
    '"data":{"b":{"a":null,"y":true},"big":1e+21,"cents":14000000,"line":"a\\nb\\"c","n":1.5,"z":[3,"Sittard-Geleen é €"]},' +
    '"occurredAt":"2026-03-01T12:00:00.000Z","resourceId":"11111111-1111-4111-8111-111111111111",' +
    '"resourceType":"decision","seq":2}';
  t.equal(canonicalJson(event), canonical);
  const prev = 'ab'.repeat(32);
  t.equal(eventHash(prev, event), createHash('sha256').update(prev + canonical, 'utf8').digest('hex'));
});

t.test('eventHash ignores prevHash and hash fields on the event itself', async (t) => {
  const base: UnhashedEvent = {
    seq: 1,
    occurredAt: '2026-03-01T12:00:00.000Z',
    actor: { keyId: null, role: 'system', organisationId: null },
    action: 'x',
    resourceType: 'decision',
    resourceId: RESOURCE_ID,
    data: { a: 1 },
  };
  const withHashes = { ...base, prevHash: 'f'.repeat(64), hash: 'e'.repeat(64) } as AuditEvent;
  t.equal(eventHash(GENESIS_HASH, withHashes), eventHash(GENESIS_HASH, base));
});

/** An independent chain builder: SHA-256 over prevHash + JCS (the canonicalize library), no src code. */
function independentHash(prevHash: string, event: UnhashedEvent): string {
  const { seq, occurredAt, actor, action, resourceType, resourceId, data } = event;
  return sha256(prevHash + canonicalize({ seq, occurredAt, actor, action, resourceType, resourceId, data }));
}

function sealed(prevHash: string, event: UnhashedEvent): AuditEvent {
  return { ...event, prevHash, hash: independentHash(prevHash, event) };
}

const ACTIONS = ['organisation.created', 'programme.created', 'decision.created', 'decision.adopted', 'vote.cast'];

function generateChain(length: number): AuditEvent[] {
  const chain: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const event = sealed(prevHash, {
      seq,
      occurredAt: new Date(Date.UTC(2026, 2, 1, 12, 0, seq)).toISOString(),
      actor:
        seq % 3 === 0
          ? { keyId: '44444444-4444-4444-8444-444444444444', role: 'college', organisationId: '55555555-5555-4555-8555-555555555555' }
          : { keyId: '66666666-6666-4666-8666-666666666666', role: 'secretariat', organisationId: null },
      action: ACTIONS[seq % ACTIONS.length]!,
      resourceType: 'decision',
      resourceId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
      data: { n: seq, amountCents: seq * 1000, nested: { list: [seq, `item ${seq}`] } },
    });
    chain.push(event);
    prevHash = event.hash;
  }
  return chain;
}

function verify(events: readonly AuditEvent[], head?: { seq: number; hash: string }): ChainVerdict {
  const verifier = new ChainVerifier();
  for (const event of events) verifier.add(event);
  return verifier.verdict(head);
}

const CHAIN = generateChain(50);
const HEAD = { seq: 50, hash: CHAIN[49]!.hash };
/** A deep copy, so no case can disturb another. */
const copy = (): AuditEvent[] => structuredClone(CHAIN);

t.test('the generated chain agrees with eventHash event by event', async (t) => {
  let prevHash = GENESIS_HASH;
  for (const event of CHAIN) {
    t.equal(event.prevHash, prevHash, `seq ${event.seq} links to the previous hash`);
    t.equal(eventHash(event.prevHash, event), event.hash, `seq ${event.seq}: eventHash equals the independent hash`);
    prevHash = event.hash;
  }
});

t.test('a valid chain of 50 events verifies with count 50 and the last hash as head', async (t) => {
  t.same(verify(CHAIN), { valid: true, count: 50, headHash: CHAIN[49]!.hash, firstInvalidSeq: null });
  t.same(verify(CHAIN, HEAD), { valid: true, count: 50, headHash: CHAIN[49]!.hash, firstInvalidSeq: null }, 'also against its own head');
});

t.test('an empty chain is valid with count 0 and the genesis hash as head', async (t) => {
  t.same(verify([]), { valid: true, count: 0, headHash: GENESIS_HASH, firstInvalidSeq: null });
  t.same(verify([], { seq: 0, hash: GENESIS_HASH }), { valid: true, count: 0, headHash: GENESIS_HASH, firstInvalidSeq: null });
  t.same(verify([], HEAD).firstInvalidSeq, 1, 'an empty export against a head of 50 misses seq 1 first');
});

interface TamperCase {
  name: string;
  events: AuditEvent[];
  head?: { seq: number; hash: string };
  firstInvalidSeq: number;
  count: number;
}

function tampered(name: string, firstInvalidSeq: number, count: number, change: (events: AuditEvent[]) => void, head?: TamperCase['head']): TamperCase {
  const events = copy();
  change(events);
  return { name, events, firstInvalidSeq, count, ...(head && { head }) };
}

const TAMPERINGS: TamperCase[] = [
  // Edited fields: the edited event's own hash no longer matches.
  tampered('an edited data field of seq 20 is named at 20 (its hash no longer matches)', 20, 50, (e) => {
    e[19]!.data = { forged: true };
  }),
  tampered('an edited occurredAt of seq 1 is named at 1', 1, 50, (e) => {
    e[0]!.occurredAt = '2026-03-01T11:59:59.000Z';
  }),
  tampered('an edited actor of seq 33 is named at 33', 33, 50, (e) => {
    e[32]!.actor.role = 'admin';
  }),
  tampered('an edited action of the last event, seq 50, is named at 50', 50, 50, (e) => {
    e[49]!.action = 'decision.ratified';
  }),
  tampered('an edited seq number (seq 30 claimed as 31) is named at 30, the seq that was expected', 30, 50, (e) => {
    e[29]!.seq = 31;
  }),
  tampered('an edited prevHash of seq 12 is named at 12', 12, 50, (e) => {
    e[11]!.prevHash = 'a'.repeat(64);
  }),
  tampered('seq 20 edited and its own hash recomputed is named at 21 (whose prevHash no longer links)', 21, 50, (e) => {
    const edited = { ...e[19]!, data: { forged: true } };
    e[19] = sealed(edited.prevHash, edited);
  }),
  // Deleted events: a gap in seq shows at the first missing seq.
  tampered('a deleted middle event, seq 20, is named at 20 (seq 21 arrives where 20 was expected)', 20, 49, (e) => {
    e.splice(19, 1);
  }),
  tampered('a deleted first event, seq 1, is named at 1 (seq 2 arrives first)', 1, 49, (e) => {
    e.splice(0, 1);
  }),
  tampered(
    'a deleted last event, seq 50, is named at 50 when the expected head (seq 50) is given',
    50,
    49,
    (e) => {
      e.splice(49, 1);
    },
    HEAD,
  ),
  // Inserted events.
  tampered('a forged event inserted between 20 and 21 (as seq 21, correctly linked and hashed) is named at 21', 21, 51, (e) => {
    e.splice(20, 0, sealed(e[19]!.hash, { ...e[20]!, data: { forged: true } }));
  }),
  tampered('a copy of seq 20 inserted right after it is named at 20 (seq 20 arrives again where 21 was expected)', 20, 51, (e) => {
    e.splice(20, 0, structuredClone(e[19]!));
  }),
  tampered(
    'an event appended as seq 51 with a correctly recomputed hash is named at 51 only via the expected head of 50',
    51,
    51,
    (e) => {
      e.push(sealed(e[49]!.hash, { ...e[49]!, seq: 51, data: { forged: true } }));
    },
    HEAD,
  ),
  tampered(
    'the last event rewritten with a recomputed hash is named at 50 only via the expected head hash',
    50,
    50,
    (e) => {
      e[49] = sealed(e[49]!.prevHash, { ...e[49]!, data: { forged: true } });
    },
    HEAD,
  ),
  // Reordered events: the later event arrives first.
  tampered('events 20 and 21 swapped are named at 20 (seq 21 arrives where 20 was expected)', 20, 50, (e) => {
    [e[19], e[20]] = [e[20]!, e[19]!];
  }),
  tampered('events 1 and 2 swapped are named at 1', 1, 50, (e) => {
    [e[0], e[1]] = [e[1]!, e[0]!];
  }),
  tampered('events 49 and 50 swapped are named at 49', 49, 50, (e) => {
    [e[48], e[49]] = [e[49]!, e[48]!];
  }),
  tampered('the contents of seq 7 and 8 swapped while each keeps its seq are named at 7 (7 no longer links to 6)', 7, 50, (e) => {
    const [seven, eight] = [e[6]!, e[7]!];
    e[6] = { ...eight, seq: 7 };
    e[7] = { ...seven, seq: 8 };
  }),
];

for (const c of TAMPERINGS) {
  t.test(c.name, async (t) => {
    const verdict = verify(c.events, c.head);
    t.equal(verdict.valid, false, 'the chain is invalid');
    t.equal(verdict.firstInvalidSeq, c.firstInvalidSeq, `firstInvalidSeq is ${c.firstInvalidSeq}`);
    t.equal(verdict.count, c.count, `count is every event read: ${c.count}`);
  });
}

t.test('tamperings at the end look valid without an expected head', async (t) => {
  const truncated = copy().slice(0, 49);
  t.same(verify(truncated), { valid: true, count: 49, headHash: CHAIN[48]!.hash, firstInvalidSeq: null }, 'seq 50 deleted');

  const appended = copy();
  const forged = sealed(CHAIN[49]!.hash, { ...CHAIN[49]!, seq: 51, data: { forged: true } });
  appended.push(forged);
  t.same(verify(appended), { valid: true, count: 51, headHash: forged.hash, firstInvalidSeq: null }, 'seq 51 appended');
});

t.test('the original chain is untouched by the tampered copies', async (t) => {
  t.same(verify(CHAIN, HEAD), { valid: true, count: 50, headHash: HEAD.hash, firstInvalidSeq: null });
});

t.test('canonicalParts around occurredAt and seq give exactly the canonical form of the whole event (property, 500 runs)', async (t) => {
  const { canonicalParts } = await import('../../src/audit/chain.js');
  const fc = (await import('fast-check')).default;
  const text = fc.string({ unit: 'grapheme', maxLength: 12 });
  fc.assert(
    fc.property(
      text,
      text,
      fc.uuid(),
      fc.record({ keyId: fc.option(fc.uuid()), role: text, organisationId: fc.option(fc.uuid()) }),
      fc.jsonValue({ maxDepth: 3 }),
      fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }),
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      (action, resourceType, resourceId, actor, data, when, seq) => {
        const occurredAt = when.toISOString();
        const { head, tail } = canonicalParts({ action, resourceType, resourceId, actor, data });
        const whole = canonicalJson({ seq, occurredAt, actor, action, resourceType, resourceId, data });
        return `${head}${occurredAt}${tail}${seq}}` === whole;
      },
    ),
    { numRuns: 500, seed: 20261128 },
  );
  t.pass('500 generated events agree');
});
