import t from 'tap';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { CalendarDate, Component, Nullable, Ref, StringEnum, Text, Uuid } from '../../src/domain/schema-types.js';

/** The building blocks of the records' schemas: what JSON Schema each one writes. */
t.test('Nullable keeps a plain type with its format, and makes anything else an anyOf with null', async (t) => {
  t.same({ ...Nullable(CalendarDate) }, { type: ['string', 'null'], format: 'date', maxLength: 10, description: 'Calendar date, YYYY-MM-DD' });
  t.ok(Value.Check(Nullable(Uuid), null) && Value.Check(Nullable(Uuid), '6f1c3f9e-3f52-4b8f-9a55-1c2b3d4e5f60'));
  const enumeration = Nullable(StringEnum(['a', 'b'] as const));
  t.same(JSON.parse(JSON.stringify(enumeration)).anyOf, [{ type: 'string', enum: ['a', 'b'] }, { type: 'null' }], 'an enumeration');
  const named = Nullable(Type.Object({}, { $id: 'Named' }));
  t.equal(JSON.parse(JSON.stringify(named)).anyOf.length, 2, 'a named schema');
});

t.test('Text bounds a string; Ref and Component name a component', async (t) => {
  t.same({ ...Text(300) }, { type: 'string', minLength: 1, maxLength: 300 });
  t.same({ ...Text(100, { description: 'x' }) }, { type: 'string', minLength: 1, maxLength: 100, description: 'x' });
  t.same(JSON.parse(JSON.stringify(Ref(Type.Object({}, { $id: 'Thing' })))), { $ref: 'Thing' });
  t.same(JSON.parse(JSON.stringify(Component<{ id: string }>('Organisation'))), { $ref: 'Organisation' });
  t.throws(() => Ref(Type.Object({})), /needs a schema with an \$id/);
});
