import t from 'tap';
import { BackgroundJobs, type Job } from '../src/jobs.js';
import { recordingLogger } from './helpers/recording-logger.js';

/**
 * The background jobs of an instance: each runs at start and then on its own timer, never
 * overlapping itself; a failure is logged and the job runs again on its next tick; stop waits
 * for the runs in progress, and nothing runs after it. Each job here is a run the test finishes
 * by hand, so what is asserted is the order of events, not how long anything took.
 */
const EVERY_MS = 5;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (what: string, done: () => boolean) => {
  for (let i = 0; i < 500 && !done(); i++) await pause(5);
  if (!done()) throw new Error(`gave up waiting: ${what}`);
};

/** A job whose runs the test finishes: `finish()` settles the oldest unsettled run. */
function manualJob(name: string, everyMs = EVERY_MS) {
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let runs = 0;
  const job: Job = {
    name,
    everyMs,
    run: () =>
      new Promise<void>((resolve, reject) => {
        runs++;
        pending.push({ resolve, reject });
      }),
  };
  return {
    job,
    runs: () => runs,
    inProgress: () => pending.length,
    finish: () => pending.shift()!.resolve(),
    fail: (message: string) => pending.shift()!.reject(new Error(message)),
    finishAll: () => pending.splice(0).forEach((run) => run.resolve()),
  };
}


t.test('every job runs at start, on its own, and again once its run has finished and the timer ticks', async (t) => {
  const dispatch = manualJob('webhook dispatch');
  const overdue = manualJob('overdue check');
  const jobs = new BackgroundJobs(recordingLogger().logger, [dispatch.job, overdue.job]);
  t.teardown(() => {
    const stopping = jobs.stop();
    dispatch.finishAll();
    overdue.finishAll();
    return stopping;
  });
  t.equal(dispatch.runs(), 0, 'nothing before start');
  jobs.start();
  await until('both jobs ran', () => dispatch.runs() === 1 && overdue.runs() === 1);

  await pause(EVERY_MS * 10);
  t.same([dispatch.runs(), overdue.runs()], [1, 1], 'a job in progress is not started again, however many ticks pass');
  overdue.finish();
  await until('the finished job ran again', () => overdue.runs() === 2);
  t.equal(dispatch.runs(), 1, 'the other job still waits for its own run');
  t.equal(dispatch.inProgress() + overdue.inProgress(), 2, 'never two runs of one job at once');
});

t.test('a job runs at start, not one interval later', async (t) => {
  const hourly = manualJob('ratification deadline check', 3_600_000);
  const jobs = new BackgroundJobs(recordingLogger().logger, [hourly.job]);
  jobs.start();
  await until('the run at start', () => hourly.runs() === 1);
  const stopping = jobs.stop();
  hourly.finishAll();
  await stopping;
  t.equal(hourly.runs(), 1);
});

t.test('a failed run is logged, with the job’s name, and the job runs again on a later tick', async (t) => {
  const { logger, records } = recordingLogger();
  const checkpoint = manualJob('audit checkpoint');
  const jobs = new BackgroundJobs(logger, [checkpoint.job]);
  t.teardown(() => {
    const stopping = jobs.stop();
    checkpoint.finishAll();
    return stopping;
  });
  jobs.start();
  await until('the first run', () => checkpoint.runs() === 1);
  checkpoint.fail('database did not answer within 1000 ms');
  await until('a second run', () => checkpoint.runs() === 2);
  t.match(records(), [{ level: 40, msg: 'audit checkpoint failed; retrying on the next tick', err: { message: 'database did not answer within 1000 ms' } }]);
});

t.test('stop waits for the runs in progress; nothing runs after it', async (t) => {
  const dispatch = manualJob('webhook dispatch');
  const jobs = new BackgroundJobs(recordingLogger().logger, [dispatch.job]);
  jobs.start();
  await until('the first run', () => dispatch.runs() === 1);
  let stopped = false;
  const stopping = jobs.stop().then(() => (stopped = true));
  await pause(EVERY_MS * 4);
  t.equal(stopped, false, 'stop is still waiting for the run in progress');
  dispatch.finish();
  await stopping;
  await pause(EVERY_MS * 10);
  t.equal(dispatch.runs(), 1, 'no run after stop');
});

t.test('a job list stopped before its first tick never runs', async (t) => {
  const dispatch = manualJob('webhook dispatch');
  const jobs = new BackgroundJobs(recordingLogger().logger, [dispatch.job]);
  jobs.start();
  await jobs.stop();
  await pause(EVERY_MS * 10);
  t.equal(dispatch.runs(), 0);
});
