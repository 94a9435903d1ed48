import { Type, type Static, type TSchema } from 'typebox';

/**
 * The building blocks of the records' schemas (`records.ts`), shared with the route schemas of
 * `http/`. TypeBox is used here as a pure library: a schema is data, and the records' types are
 * derived from it with `Static<>`, so a record is written once.
 */
export const Uuid = Type.String({ format: 'uuid', maxLength: 36, description: 'UUID' });
export const CalendarDate = Type.String({ format: 'date', maxLength: 10, description: 'Calendar date, YYYY-MM-DD' });
export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 timestamp in UTC' });
/**
 * Every amount of money is integer euro cents, `format: int64` in the document: generators make a
 * 64-bit integer of it (a 32-bit one overflows above EUR 21.4 million). `CentsAmount` is any
 * amount (signed, a sum); `Cents` an amount someone enters (1 cent up to EUR 10 billion).
 */
export function CentsAmount(options: { minimum?: number; maximum?: number; description?: string } = {}) {
  return Type.Integer({ format: 'int64', ...options });
}
/**
 * `T | null`. A schema of one plain type becomes that schema with `type: [T, "null"]`, so its
 * `format` stays on it (a nullable date is `{ type: ["string", "null"], format: "date" }`, which
 * the NL API Design Rules linter and generators read as a date); a reference, a union or an
 * enumeration stays an `anyOf` with `null`.
 */
export function Nullable<T extends TSchema>(schema: T) {
  const plain = schema as unknown as Record<string, unknown>;
  const simple = typeof plain.type === 'string' && plain.type !== 'null' && !('enum' in plain) && !('const' in plain) && !('$id' in plain);
  if (!simple) return Type.Union([schema, Type.Null()]);
  return Type.Unsafe<Static<T> | null>({ ...plain, type: [plain.type, 'null'] });
}

export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A reference to a shared component, typed as the component. */
export function Ref<T extends TSchema>(schema: T) {
  const id = (schema as { $id?: string }).$id;
  if (id === undefined) throw new Error('Ref needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(id));
}


export function Text(maxLength: number, options: { minLength?: number; description?: string } = {}) {
  return Type.String({ minLength: options.minLength ?? 1, maxLength, ...(options.description && { description: options.description }) });
}

/**
 * A reference to the component `name`, typed as the record `T` of `records.ts`: for records whose
 * schema lives with their routes (the event payloads name them by component).
 */
export function Component<T>(name: string) {
  return Type.Unsafe<T>(Type.Ref(name));
}
