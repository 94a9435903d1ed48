import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { cosigner } from '../../src/audit/cosignature.js';
import { parseVkey } from '../../src/audit/vkey.js';
import { parseAddCheckpoint } from '../../src/audit/witness-protocol.js';
import { submitCheckpoint, type SubmitOptions } from '../../src/notifications/witness-client.js';
import { MemoryLog, noteText } from '../helpers/memory-log.js';

/** The log's client of a witness, against scripted answers: every answer ends in a result, none throws. */
const log = new MemoryLog().append(40);
const witness = cosigner('w.example', generateKeyPairSync('ed25519').privateKey);
const note = await log.checkpoint(40);
const text = noteText(note);

function scripted(answers: ((body: string) => Response | Promise<Response> | Error)[]): { fetch: typeof fetch; bodies: string[] } {
  const bodies: string[] = [];
  const fetchImpl = (async (_url: string, init: RequestInit) => {
    bodies.push(String(init.body));
    const answer = answers[bodies.length - 1]!(String(init.body));
    if (answer instanceof Error) throw answer;
    return answer;
  }) as unknown as typeof fetch;
  return { fetch: fetchImpl, bodies };
}

const options = (fetchImpl: typeof fetch, knownSize = 0): SubmitOptions => ({
  witness: { vkey: parseVkey(witness.vkey), url: 'http://w.example' },
  note,
  text,
  size: 40,
  knownSize,
  proofFrom: (from) => log.proof(from, 40),
  timeoutMs: 1_000,
  fetch: fetchImpl,
});
const sizeAnswer = (size: number) => new Response(`${size}\n`, { status: 409, headers: { 'content-type': 'text/x.tlog.size' } });

t.test('learns the witness\'s size from a 409 and sends the proof from there, once', async (t) => {
  const { fetch, bodies } = scripted([() => sizeAnswer(25), () => new Response(witness.cosign(text))]);
  t.match(await submitCheckpoint(options(fetch)), { kind: 'cosigned', line: /^— w\.example / });
  const second = parseAddCheckpoint(bodies[1]!);
  t.ok(second.ok && second.request.oldSize === 25 && second.request.proof.length > 0, 'old 25 with a proof');
  const twice = scripted([() => sizeAnswer(25), () => sizeAnswer(30)]);
  t.match(await submitCheckpoint(options(twice.fetch)), { kind: 'conflict', witnessSize: 30 }, 'no third try');
  t.match(await submitCheckpoint(options(scripted([() => sizeAnswer(41)]).fetch)), { kind: 'conflict', witnessSize: 41, detail: /beyond this log's 40/ });
  const sameSize = scripted([() => sizeAnswer(40), () => sizeAnswer(40)]);
  t.match(await submitCheckpoint(options(sameSize.fetch, 0)), { kind: 'conflict', detail: /refused the checkpoint from there/ });
});

t.test('anything but a valid cosignature of its own key is a failure or a refusal, with what came back', async (t) => {
  const other = cosigner('w.example', generateKeyPairSync('ed25519').privateKey);
  const cases: [string, () => Response | Error, object][] = [
    ['a cosignature by another key', () => new Response(other.cosign(text)), { kind: 'failed', detail: /no valid cosignature/ }],
    ['a cosignature of another checkpoint', () => new Response(witness.cosign(text.replace('40', '41'))), { kind: 'failed', detail: /no valid cosignature/ }],
    ['garbage with 200', () => new Response('OK'), { kind: 'failed', detail: /200 without cosignature lines: OK/ }],
    ['409 without a size', () => new Response('conflict', { status: 409 }), { kind: 'failed', detail: /409 without a text\/x.tlog.size size/ }],
    ['422', () => new Response('consistency proof does not verify\n', { status: 422 }), { kind: 'refused', status: 422, detail: /422: consistency proof/ }],
    ['404', () => new Response('unknown log', { status: 404 }), { kind: 'refused', status: 404 }],
    ['503', () => new Response('down', { status: 503 }), { kind: 'failed', status: 503 }],
    ['a refused connection', () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), { kind: 'failed', detail: 'fetch failed: ECONNREFUSED' }],
  ];
  for (const [name, answer, expected] of cases) t.match(await submitCheckpoint(options(scripted([answer]).fetch, 40)), expected, name);
});

t.test('a connection the witness closed meanwhile is tried once more; a hang ends at the timeout', async (t) => {
  const stale = scripted([() => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }), () => new Response(witness.cosign(text))]);
  t.match(await submitCheckpoint(options(stale.fetch, 40)), { kind: 'cosigned' });
  t.equal(stale.bodies.length, 2);
  const hanging = (async (_url: string, init: RequestInit) =>
    new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))) as unknown as typeof fetch;
  // AbortSignal.timeout's timer does not keep the process alive; in the service, the server does.
  const alive = setTimeout(() => undefined, 5_000);
  t.match(await submitCheckpoint({ ...options(hanging, 40), timeoutMs: 100 }), { kind: 'failed', status: null, detail: 'no answer within 100 ms' });
  clearTimeout(alive);
});
