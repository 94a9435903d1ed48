import { InclusionProof } from '../audit/inclusion-proof-schemas.js';
import { DecisionEvidence } from '../decisions/evidence-schemas.js';
import { ConsistencyProof, TlogStatus } from './schemas.js';

/** The transparency log's shared response schemas, for components.ts. */
export const tlogComponents = [ConsistencyProof, TlogStatus, InclusionProof, DecisionEvidence];
