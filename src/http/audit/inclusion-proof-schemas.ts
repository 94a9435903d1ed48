import { Type } from 'typebox';
import { Hash } from '../tlog/schemas.js';

/** The schemas of GET /audit-events/{seq}/inclusion-proof. */
export const InclusionProofParams = Type.Object(
  { seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The event\'s seq (leaf index seq - 1)' }) },
  { additionalProperties: false },
);

export const InclusionProofQuery = Type.Object(
  {
    treeSize: Type.Optional(
      Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The tree the proof is against; default the latest checkpoint\'s size' }),
    ),
  },
  { additionalProperties: false },
);

export const InclusionProof = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    leafIndex: Type.Integer({ minimum: 0 }),
    treeSize: Type.Integer({ minimum: 1 }),
    entry: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'The leaf\'s entry: the event\'s chain hash (the leaf hash is SHA-256(0x00 || entry))' }),
    hashes: Type.Array(Hash, { description: 'RFC 6962 2.1.1 audit path, bottom up' }),
  },
  { $id: 'TlogInclusionProof', additionalProperties: false },
);
