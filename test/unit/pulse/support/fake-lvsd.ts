/**
 * A stand-in for lvsd in the director's unit tests, run by LvsdChild as `node fake-lvsd.js
 * --nodaemon -c FILE`. FILE is not an lvs.cf but this script's instructions (FakeLvsdScript, as
 * JSON). It appends what happens to it to the test's timeline file, the same file the test's own
 * fakes write to, so the order of events across both processes is their causal order.
 */
import { appendFileSync, readFileSync } from 'node:fs';

/** FakeLvsdScript tells the fake lvsd what to do. */
export interface FakeLvsdScript {
  /** timeline is the file to append events to. */
  readonly timeline: string;
  /** ready: say ready at once, never, or exit with `exitCode` before saying it. */
  readonly ready: 'now' | 'never' | 'exit';
  /** exitCode is the exit status for 'exit', for an exit after `dieAfterMs`, and on SIGTERM (default 0). */
  readonly exitCode?: number;
  /** dieAfterMs makes a ready lvsd exit on its own after this long. */
  readonly dieAfterMs?: number;
}

const args = process.argv.slice(2);
const file = args[args.indexOf('-c') + 1];
if (file === undefined) throw new Error('fake-lvsd: no -c FILE');
const script = JSON.parse(readFileSync(file, 'utf8')) as FakeLvsdScript;
const note = (text: string): void => appendFileSync(script.timeline, `lvsd: ${text}\n`);
const code = script.exitCode ?? 0;

note(`started as ${process.pid}: ${args.join(' ')}`);
process.on('SIGTERM', () => {
  note('SIGTERM');
  process.exit(code);
});
process.on('SIGHUP', () => note('SIGHUP'));
// Stay alive (the IPC channel alone does not keep a child up once it is unreferenced).
setInterval(() => undefined, 60_000);
if (script.ready === 'exit') process.exit(code);
if (script.ready === 'now') {
  note('ready');
  process.send?.({ type: 'ready' });
  if (script.dieAfterMs !== undefined)
    setTimeout(() => {
      note(`exit ${code}`);
      process.exit(code);
    }, script.dieAfterMs);
}
