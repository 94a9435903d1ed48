import { Type } from 'typebox';
import { Nullable, Timestamp } from '../schemas.js';

/** The schemas of /tlog/consistency-proof and /tlog/status (the transparency log, issue 26). */
export const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lower-case hex' });
const Size = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const ConsistencyQuery = Type.Object(
  {
    from: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'The smaller tree size' }),
    to: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'The larger tree size, at most the latest checkpoint\'s' }),
  },
  { additionalProperties: false },
);

export const ConsistencyProof = Type.Object(
  {
    from: Size,
    to: Size,
    hashes: Type.Array(Hash, { description: 'RFC 6962 2.1.2 consistency proof from `from` to `to` (empty when from is 0 or equal to to)' }),
  },
  { $id: 'TlogConsistencyProof', additionalProperties: false },
);

export const TlogStatus = Type.Object(
  {
    treeSize: Type.Integer({ minimum: 0, description: 'Tree size of the served checkpoint (0 before the first)' }),
    rootHash: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Merkle root of the served checkpoint, lower-case hex' }),
    checkpoint: Nullable(Type.String({ description: 'The served checkpoint: the signed note with every cosignature collected' })),
    witnesses: Type.Array(
      Type.Object(
        {
          name: Type.String({ description: 'The witness\'s key name' }),
          url: Type.String({ description: 'Its submission URL prefix' }),
          vkey: Type.String({ description: 'Its verifier key (type 0x04)' }),
          lastCosignedSize: Nullable(Type.Integer({ minimum: 0, description: 'The largest tree size it cosigned' })),
          lastStatus: Nullable(Type.Integer({ description: 'The HTTP status of its last answer (null: no answer, e.g. a timeout)' })),
          lastError: Nullable(Type.String({ description: 'Why its last answer was no cosignature; null after a cosignature' })),
          lastAttemptAt: Nullable(Timestamp),
        },
        { additionalProperties: false },
      ),
    ),
    quorumSize: Type.Integer({ minimum: 0, description: 'Cosignatures a checkpoint needs before it is served' }),
    rollbackSuspected: Nullable(
      Type.Object(
        {
          localSize: Type.Integer({ minimum: 0, description: 'This database\'s latest checkpoint' }),
          witnessedSize: Type.Integer({ minimum: 0, description: 'The size a quorum of witnesses has cosigned' }),
        },
        { additionalProperties: false, description: 'Witnesses have cosigned a larger tree than this database holds: no checkpoint is signed until an operator has looked' },
      ),
    ),
    logKey: Type.String({ description: 'The log\'s verifier key, <origin>+<key id>+<base64(0x01 || public key)>' }),
    integratedSize: Type.Integer({ minimum: 0, description: 'Audit events integrated into the tree so far' }),
    latestSignedSize: Type.Integer({ minimum: 0, description: 'Size of the newest checkpoint signed, cosigned by a quorum or not yet' }),
    signingHalted: Nullable(Type.String({ description: 'Why signing stopped: the stored tree no longer matches a signed checkpoint' })),
  },
  { $id: 'TlogStatus', additionalProperties: false },
);
