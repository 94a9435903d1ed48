/**
 * The fields of a partial update that the client sent, and only those: a field left out (or
 * `undefined`) keeps its stored value, while `null` is a value and clears it.
 */
export function sentFields<T extends object, K extends keyof T>(changes: T, keys: readonly K[]): { [P in K]?: Exclude<T[P], undefined> } {
  const sent: { [P in K]?: Exclude<T[P], undefined> } = {};
  for (const key of keys) {
    if (changes[key] !== undefined) sent[key] = changes[key] as Exclude<T[K], undefined>;
  }
  return sent;
}
