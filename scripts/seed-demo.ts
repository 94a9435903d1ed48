import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { DataDirLockedError } from '../src/db/data-dir-lock.js';
import { systemClock } from '../src/domain/clock.js';
import { seedDemo } from '../src/seed/demo.js';
import { isRegisterEmpty } from '../src/use-cases/organisations.js';

/** `npm run seed:demo`: loads the ESZL story into an empty register (embedded or DATABASE_URL). */
const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, holder: 'npm run seed:demo' }).catch(
  (error: unknown) => {
    if (!(error instanceof DataDirLockedError)) throw error;
    process.stderr.write(`${error.message} Stop the server and run \`npm run seed:demo\` again, or start the server with SEED_DEMO=true, which loads the story into an empty register.\n`);
    process.exit(1);
  },
);
const ctx = { database, clock: systemClock };
try {
  if (!(await isRegisterEmpty(ctx))) {
    process.stdout.write('The register already holds organisations; the demo data is only loaded into an empty one.\n');
  } else {
    const data = await seedDemo(ctx, (line) => process.stdout.write(`  ${line}\n`));
    process.stdout.write(`Loaded the demo story into ${database.kind === 'pglite' ? config.DATA_DIR : 'PostgreSQL'}:\n`);
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  }
} finally {
  await database.close();
}
