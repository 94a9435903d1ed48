import { sql } from 'drizzle-orm';
import { bigint, check, customType, pgTable, primaryKey, smallint, text, timestamp, varchar } from 'drizzle-orm/pg-core';

/**
 * The transparency log's tables (re-exported by schema.ts). The tree over the audit trail is
 * kept as C2SP tiles: a row per tile, which grows at its end until it holds 256 hashes and never
 * changes after; the integrator appends the events sealed since its last run, in batches, after
 * they commit (see src/use-cases/tlog-integration.ts).
 */
const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });
/** bytea, read as a Buffer on both drivers (PGlite gives a Uint8Array). */
const bytes = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

export const tlogTiles = pgTable(
  'tlog_tiles',
  {
    level: smallint('level').notNull(),
    index: bigint('idx', { mode: 'number' }).notNull(),
    /** The tile's hashes, 32 bytes each, 1 to 256 of them. */
    hashes: bytes('hashes').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.level, t.index] }),
    check('tlog_tiles_width', sql`octet_length(${t.hashes}) between 32 and 8192 and octet_length(${t.hashes}) % 32 = 0`),
    check('tlog_tiles_level', sql`${t.level} between 0 and 63`),
  ],
);

/**
 * One row: how far the tree is integrated (its size and root), and whether signing is stopped:
 * a suspected rollback (witnesses have cosigned a larger tree than this database holds), or a
 * tree that no longer matches the log's own latest checkpoint.
 */
export const tlogState = pgTable(
  'tlog_state',
  {
    id: smallint('id').primaryKey(),
    size: bigint('size', { mode: 'number' }).notNull(),
    root: bytes('root').notNull(),
    rollbackLocalSize: bigint('rollback_local_size', { mode: 'number' }),
    rollbackWitnessedSize: bigint('rollback_witnessed_size', { mode: 'number' }),
    signingHalted: text('signing_halted'),
    updatedAt: instant('updated_at').notNull().default(sql`now()`),
  },
  (t) => [check('tlog_state_single_row', sql`${t.id} = 1`)],
);

/** Checkpoints of the log, one per signed tree size: the note as the log signed it. */
export const tlogCheckpoints = pgTable('tlog_checkpoints', {
  size: bigint('size', { mode: 'number' }).primaryKey(),
  root: bytes('root').notNull(),
  note: text('note').notNull(),
  issuedAt: instant('issued_at').notNull().default(sql`now()`),
});

/** The cosignature lines witnesses returned for a checkpoint, served appended to it. */
export const tlogCosignatures = pgTable(
  'tlog_cosignatures',
  {
    size: bigint('size', { mode: 'number' })
      .notNull()
      .references(() => tlogCheckpoints.size, { onDelete: 'cascade' }),
    /** The witness's vkey, as configured. */
    witness: varchar('witness', { length: 400 }).notNull(),
    line: text('line').notNull(),
    receivedAt: instant('received_at').notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.size, t.witness] })],
);

/** What each configured witness last answered; a row per witness vkey, created at its first submission. */
export const tlogWitnesses = pgTable('tlog_witnesses', {
  witness: varchar('witness', { length: 400 }).primaryKey(),
  url: text('url').notNull(),
  lastCosignedSize: bigint('last_cosigned_size', { mode: 'number' }),
  /** The size a 409 named last: what the witness has cosigned. */
  reportedSize: bigint('reported_size', { mode: 'number' }),
  /** The checkpoint size the last answer was about: a refusal of this size is not asked again. */
  lastAttemptSize: bigint('last_attempt_size', { mode: 'number' }),
  lastStatus: smallint('last_status'),
  lastError: text('last_error'),
  lastAttemptAt: instant('last_attempt_at'),
  /** Held by the instance submitting to this witness now (a lease: several instances never submit at once). */
  leaseUntil: instant('lease_until'),
});
