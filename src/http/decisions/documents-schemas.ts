import { Type } from 'typebox';
import { MAX_DOCUMENTS } from '../../domain/documents.js';
import { DocumentInput, documentsDescription } from './schemas.js';

export const AddDocumentsBody = Type.Object(
  { documents: Type.Array(DocumentInput, { minItems: 1, maxItems: MAX_DOCUMENTS, description: documentsDescription }) },
  { additionalProperties: false },
);
