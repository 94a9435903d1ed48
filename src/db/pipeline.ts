/**
 * The answers of statements sent together on one connection (pipeline mode), awaited in the
 * order they were sent. Inside a transaction the first failure is the one that counts: the
 * statements behind it fail only because it did (25P02), so it is the error this throws.
 *
 * Only src/db imports this (`.dependency-cruiser.cjs`, rule `pipelining-stays-in-db`): which
 * statements share a round trip is a repository's concern, named after what it loads or writes.
 */
export async function answersInOrder<T extends readonly unknown[]>(...pending: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  for (const answer of pending) answer.catch(() => undefined);
  const answers: unknown[] = [];
  for (const answer of pending) answers.push(await answer);
  return answers as unknown as T;
}
