/**
 * `npm run soak -- --clients 500 --minutes 10`: N people on the product's client core across
 * organisations and territories, with presence churn, agents reporting progress, team updates,
 * notifications and publisher saves, against the local stack running alone in a child process.
 * Prints what arrived (every persisted event × every entitled client: live, backfilled, lost,
 * duplicated), the live delivery latency, and the stack's memory, sockets and channels over time.
 * Exits 1 on any loss, duplicate or out-of-order delivery, a write the stack refused, or a heap
 * slope above the threshold (runs of 5 minutes or more). README "Soak" explains the threshold.
 */
import { z } from 'zod';
import { fixed, printTable } from './bench/_stats.ts';
import { runSoak, type SoakResult } from './soak/run-soak.ts';

/**
 * Heap retained after a full GC may grow at most this much per 10 minutes once warmed up. Set from
 * the 500-client × 10-minute run (README): the stack's heap there moves by a few MB either way
 * as feeds, presence and rate windows fill and turn over; a leak of one object per message or per
 * reconnect grows far faster than this.
 */
export const DEFAULT_MAX_HEAP_SLOPE_MB = 16;
/** Below this the slope says more about warm-up than about leaks, so it is shown but not judged. */
const MIN_MINUTES_FOR_SLOPE = 5;

const argsSchema = z.object({
  clients: z.coerce.number().int().min(1).max(5000).default(500),
  minutes: z.coerce.number().positive().max(240).default(10),
  rate: z.coerce.number().positive().max(10_000).default(20),
  'database-url': z.string().url().optional(),
  'cpu-prof': z.string().min(1).optional(),
  'sql-profile': z.string().min(1).optional(),
  'max-heap-slope': z.coerce.number().positive().default(DEFAULT_MAX_HEAP_SLOPE_MB),
});

function parseArgs(argv: readonly string[]): z.infer<typeof argsSchema> {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i] ?? '';
    if (!name.startsWith('--') || argv[i + 1] === undefined)
      throw new Error(`soak: expected --name value, got ${name}`);
    raw[name.slice(2)] = argv[i + 1]!;
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`soak: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

const mb = (bytes: number) => fixed(bytes / 1_048_576, 1);

/** The printed report; returns the reasons the soak failed (none: it passed). */
export function report(
  result: SoakResult,
  options: { minutes: number; clients: number; maxHeapSlope: number },
): string[] {
  const v = result.verdict;
  const judgedSlope = options.minutes >= MIN_MINUTES_FOR_SLOPE;
  printTable(
    [
      'clients',
      'orgs',
      'min',
      'events',
      'deliveries due',
      'live',
      'backfilled',
      'lost',
      'duplicated',
      'out of order',
      'p50 ms',
      'p99 ms',
      'heap MB/10 min',
      'RSS MB/10 min',
      'load avg',
    ],
    [
      [
        String(options.clients),
        String(result.orgs),
        String(options.minutes),
        `${v.events} (${fixed(result.writesPerSecond, 1)}/s)`,
        String(v.expected),
        String(v.live),
        String(v.backfilled),
        String(v.lost),
        String(v.duplicated),
        String(v.outOfOrder),
        fixed(v.p50, 1),
        fixed(v.p99, 1),
        `${fixed(v.heapSlope, 1)}${judgedSlope ? '' : ' (not judged)'}`,
        fixed(v.rssSlope, 1),
        result.loadAverage.map((l) => l.toFixed(1)).join(' '),
      ],
    ],
  );
  console.log('\nThe stack over time (heap after a full GC):');
  const everyMinute = result.samples.filter(
    (s, i, all) =>
      i === 0 ||
      i === all.length - 1 ||
      Math.floor((s.at - all[0]!.at) / 60_000) !== Math.floor((all[i - 1]!.at - all[0]!.at) / 60_000),
  );
  printTable(
    ['t', 'RSS MB', 'heap MB', 'sockets', 'channels'],
    everyMinute.map((s) => [
      `${Math.round((s.at - result.samples[0]!.at) / 1000)} s`,
      mb(s.rss),
      mb(s.heapUsed),
      String(s.sockets),
      String(s.channels),
    ]),
  );
  const failures: string[] = [];
  if (v.lost > 0) failures.push(`${v.lost} deliveries lost (${v.lostExamples.join('; ')})`);
  if (v.duplicated > 0) failures.push(`${v.duplicated} duplicate deliveries`);
  if (v.outOfOrder > 0) failures.push(`${v.outOfOrder} out-of-order deliveries`);
  if (result.writeErrors.length > 0)
    failures.push(`${result.writeErrors.length} writes failed: ${result.writeErrors.slice(0, 3).join('; ')}`);
  if (judgedSlope && !(v.heapSlope <= options.maxHeapSlope))
    failures.push(`heap grew ${fixed(v.heapSlope, 1)} MB per 10 min (threshold ${options.maxHeapSlope})`);
  return failures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2));
  runSoak({
    clients: args.clients,
    minutes: args.minutes,
    rate: args.rate,
    ...(args['database-url'] ? { databaseUrl: args['database-url'] } : {}),
    ...(args['cpu-prof'] ? { cpuProfileDir: args['cpu-prof'] } : {}),
    ...(args['sql-profile'] ? { sqlProfileFile: args['sql-profile'] } : {}),
    sampleMs: 10_000,
    churnShare: 0.02,
    churnEveryMs: 5000,
    catchUpIntervalMs: 30_000,
    log: (line) => console.log(`soak: ${line}`),
  }).then(
    (result) => {
      const failures = report(result, {
        minutes: args.minutes,
        clients: args.clients,
        maxHeapSlope: args['max-heap-slope'],
      });
      for (const failure of failures) console.error(`soak FAILED: ${failure}`);
      process.exit(failures.length > 0 ? 1 : 0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
