import t from 'tap';
import { leafHash, rootFromLeafHashes } from '../../../src/audit/merkle.js';
import { openLogCheckpoint } from '../../../src/audit/log-checkpoint.js';
import { decodeEntryBundle } from '../../../src/audit/tiles.js';
import { parseVkey } from '../../../src/audit/vkey.js';
import { startTestApp } from '../../helpers/app.js';
import { appendEvents, chainHashes } from '../../helpers/audit-events.js';

/**
 * /tlog as a C2SP tile client reads it, without a key: the checkpoint, hash tiles and entry
 * bundles, each byte checked against the RFC 6962 definitions over the audit trail's chain
 * hashes; every path that is not a tile of the served tree answers 404.
 */
const ctx = await startTestApp(t);
const anonymous = ctx.as(undefined);

// Asked before the first checkpoint exists, checked in the first test below (assertions on the
// root test before the set-up would let tap end the root test while the set-up still runs).
const beforeFirst = [await anonymous.get('/tlog/checkpoint'), await anonymous.get('/tlog/tile/0/000.p/1')];

// 600 events in all (starting the app wrote the bootstrap key's).
await appendEvents(ctx.db.database, 600 - (await chainHashes(ctx.db.database)).length);
await ctx.app.transparencyLog.run();
const entries = await chainHashes(ctx.db.database);
const leaves = entries.map((entry) => leafHash(entry));

t.test('before the first checkpoint there was nothing to serve', async (t) => {
  for (const res of beforeFirst) t.equal(res.statusCode, 404);
});

t.test('serves the signed checkpoint of the whole trail as text', async (t) => {
  const res = await anonymous.get('/tlog/checkpoint');
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  t.equal(res.headers['cache-control'], 'no-store');
  const opened = openLogCheckpoint(res.body, { log: parseVkey(ctx.app.transparencyLog.settings.signer!.verifierKey), witnesses: [], quorum: 0 });
  t.match(opened, { ok: true, checkpoint: { origin: 'eszl-decisions/log', size: 600, root: rootFromLeafHashes(leaves) } });
});

t.test('serves full and partial hash tiles exactly as tlog-tiles defines them', async (t) => {
  const full = await anonymous.get('/tlog/tile/0/001');
  t.equal(full.statusCode, 200);
  t.equal(full.headers['content-type'], 'application/octet-stream');
  t.equal(full.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.same(full.rawPayload, Buffer.concat(leaves.slice(256, 512)));
  const partial = await anonymous.get('/tlog/tile/0/002.p/88');
  t.same(partial.rawPayload, Buffer.concat(leaves.slice(512, 600)));
  t.equal(partial.headers['cache-control'], 'public, max-age=3600');
  t.same((await anonymous.get('/tlog/tile/0/002.p/5')).rawPayload, Buffer.concat(leaves.slice(512, 517)), 'a narrower partial tile, for an older size');
  const level1 = await anonymous.get('/tlog/tile/1/000.p/2');
  t.same(level1.rawPayload, Buffer.concat([rootFromLeafHashes(leaves.slice(0, 256)), rootFromLeafHashes(leaves.slice(256, 512))]), 'level 1 holds the roots of full level-0 tiles');
});

t.test('serves entry bundles of the chain hashes', async (t) => {
  const bundle = await anonymous.get('/tlog/tile/entries/001');
  t.equal(bundle.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.same(decodeEntryBundle(bundle.rawPayload), entries.slice(256, 512));
  t.same(decodeEntryBundle((await anonymous.get('/tlog/tile/entries/002.p/88')).rawPayload), entries.slice(512, 600));
});

t.test('answers 404 for tiles beyond the checkpoint and for every path that is not canonical', async (t) => {
  const paths = [
    '/tlog/tile/0/002', '/tlog/tile/0/002.p/89', '/tlog/tile/1/000', '/tlog/tile/1/000.p/3', '/tlog/tile/2/000.p/1', '/tlog/tile/0/003.p/1',
    '/tlog/tile/entries/002', '/tlog/tile/entries/002.p/89', '/tlog/tile/0/0001', '/tlog/tile/00/001', '/tlog/tile/0/x000/001', '/tlog/tile/0/1',
    '/tlog/tile/0/000.p/0', '/tlog/tile/0/000.p/256', '/tlog/tile/0/000.p/01', '/tlog/tile/64/000', '/tlog/tile/0/001/', '/tlog/tile/entries',
    '/tlog/tile/', '/tlog/tiles/0/000', '/tlog/checkpoint/', '/tlog',
  ];
  for (const path of paths) t.equal((await anonymous.get(path)).statusCode, 404, path);
});
