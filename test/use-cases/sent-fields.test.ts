import t from 'tap';
import { sentFields } from '../../src/use-cases/sent-fields.js';

/** A partial update keeps what the client left out and clears what it sent as null. */
interface Changes {
  name?: string | undefined;
  summary?: string | null | undefined;
  code?: string | null | undefined;
}

t.test('only the named keys the client sent: undefined is left out, null is kept', async (t) => {
  const changes: Changes = { name: 'Welcome to Maastricht Region', summary: null, code: undefined };
  t.same(sentFields(changes, ['name', 'summary', 'code'] as const), { name: 'Welcome to Maastricht Region', summary: null });
  t.notOk('code' in sentFields(changes, ['code'] as const), 'an undefined field is not a change');
});

t.test('keys not named are never taken, even when sent', async (t) => {
  const changes = { name: 'Ambitieus MKB', id: 'not-yours' };
  t.same(sentFields(changes, ['name'] as const), { name: 'Ambitieus MKB' });
});

t.test('nothing sent: no change', async (t) => {
  t.same(sentFields({} as Changes, ['name', 'summary'] as const), {});
});
