import { Type } from 'typebox';
import { Uuid } from '../schemas.js';
import { Hash } from '../tlog/schemas.js';

/** The schema of GET /decisions/{id}/evidence. */
export const DecisionEvidence = Type.Object(
  {
    decisionId: Uuid,
    checkpoint: Type.String({ description: 'The checkpoint every proof is against: the log\'s signed note with the witnesses\' cosignatures' }),
    events: Type.Array(
      Type.Object(
        {
          event: Type.Ref('AuditEvent'),
          proof: Type.Object(
            {
              leafIndex: Type.Integer({ minimum: 0 }),
              treeSize: Type.Integer({ minimum: 1 }),
              hashes: Type.Array(Hash, { description: 'RFC 6962 2.1.1 audit path of the event\'s chain hash' }),
            },
            { additionalProperties: false },
          ),
        },
        { additionalProperties: false },
      ),
      { description: 'Every audit event about the decision up to the checkpoint, in seq order, as the NDJSON export writes it' },
    ),
  },
  { $id: 'DecisionEvidence', additionalProperties: false },
);
