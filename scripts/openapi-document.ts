import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { ERROR_DOCS_PATH, generateErrorDocs } from './error-docs.js';

/** The OpenAPI document exactly as the routes produce it, serialised as committed. */
export async function generateOpenapiText(): Promise<string> {
  const database = await openDatabase({ dataDir: 'memory://' });
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), database });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    await database.close();
  }
}

export const OPENAPI_PATH = new URL('../openapi/openapi.json', import.meta.url);

/** Every committed file generated from the routes and the error catalogue, with its content. */
export async function generateArtefacts(): Promise<{ url: URL; text: string }[]> {
  const openapi = await generateOpenapiText();
  const doc = JSON.parse(openapi) as Record<string, unknown>;
  return [
    { url: OPENAPI_PATH, text: openapi },
    { url: ERROR_DOCS_PATH, text: generateErrorDocs(doc) },
  ];
}
