import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { noteSigner } from './audit/note.js';
import { embeddedSigningKey, parseSigningKey } from './audit/signing-key.js';
import { parseWitnessList } from './audit/witness-list.js';
import type { ServiceContext } from './use-cases/context.js';
import { integrateAndSign, runTransparencyLog, type TlogTurn } from './use-cases/tlog-job.js';
import { submitToWitnesses } from './use-cases/tlog-witnessing.js';
import { tlogSettings, type TlogSettings } from './use-cases/tlog-settings.js';

/**
 * The transparency log of this service (issue 26), as the app and the server wire it: signed
 * with AUDIT_SIGNING_KEY under the name AUDIT_LOG_ORIGIN (embedded, the data directory's key;
 * on PostgreSQL without the key, no log), witnessed by AUDIT_LOG_WITNESSES.
 */
export interface TransparencyLog {
  settings: TlogSettings;
  /** One turn of the job: integrate, sign when due (at most every `minIntervalS`), submit to witnesses. */
  run(minIntervalS?: number, fetchImpl?: typeof fetch): Promise<TlogTurn>;
  /** The server's two jobs: integrating and signing, and submitting to the witnesses, each on its own timer. */
  integrateAndSign(minIntervalS: number): Promise<unknown>;
  submit(): Promise<unknown>;
}

declare module 'fastify' {
  interface FastifyInstance {
    transparencyLog: TransparencyLog;
  }
}

export async function transparencyLog(config: Config, database: Database, ctx: ServiceContext, logger: Logger): Promise<TransparencyLog> {
  const key =
    config.AUDIT_SIGNING_KEY !== undefined
      ? parseSigningKey(config.AUDIT_SIGNING_KEY)
      : database.kind === 'pglite'
        ? await embeddedSigningKey(database.dataDir ?? config.DATA_DIR)
        : undefined;
  const settings = tlogSettings({
    origin: config.AUDIT_LOG_ORIGIN,
    signer: key === undefined ? undefined : noteSigner(config.AUDIT_LOG_ORIGIN, key),
    witnesses: parseWitnessList(config.AUDIT_LOG_WITNESSES),
    quorum: config.AUDIT_LOG_WITNESS_QUORUM,
    witnessTimeoutMs: config.AUDIT_LOG_WITNESS_TIMEOUT_MS,
  });
  return {
    settings,
    run: (minIntervalS = 0, fetchImpl) => runTransparencyLog(ctx, settings, logger, minIntervalS, fetchImpl),
    integrateAndSign: (minIntervalS) => integrateAndSign(ctx, settings, logger, minIntervalS),
    submit: () => submitToWitnesses(ctx, settings, logger),
  };
}
