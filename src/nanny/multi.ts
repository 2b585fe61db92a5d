/**
 * nanny's multi-target mode, the channel lvsd uses: targets arrive as JSON lines on stdin and
 * state changes leave as JSON lines on stdout. In this mode nanny changes no table; lvsd is the
 * only writer and applies the weights it is told.
 *
 *   in:  {"op":"add","id":"...","options":{...nanny options as on the command line, long names...},"running":false}
 *        ("running": true when the server is in service already: its monitor starts up, at its weight)
 *        {"op":"remove","id":"..."}    {"op":"force","id":"...","up":true}    {"op":"release"}
 *   out: {"type":"ready"}   {"type":"change","id":"...","state":"up|down|weight","weight":N,"reason":"..."}
 *        {"type":"log","id":"...","text":"...","verbose":false}   {"type":"error","id":"...","message":"..."}
 */
import { createInterface } from 'node:readline';
import { tcpFallbackNotice } from '../check/tcp.js';
import { systemClock } from '../clock.js';
import { checkSetupOf, poolTargetOf, targetName } from './target.js';
import { nannyConfig, type RawNannyOptions } from './options.js';
import { MonitorPool } from './pool.js';

/** MultiMessage is one line of input. */
type MultiMessage =
  | { op: 'add'; id: string; options: RawNannyOptions; running?: boolean }
  | { op: 'remove'; id: string }
  | { op: 'force'; id: string; up: boolean }
  | { op: 'release' };

/** runMulti serves targets from `input` and writes events with `write` until the input ends. */
export async function runMulti(input: NodeJS.ReadableStream, write: (line: string) => void, verbose: boolean): Promise<void> {
  const emit = (o: Record<string, unknown>): void => write(`${JSON.stringify(o)}\n`);
  const pool = new MonitorPool({
    clock: systemClock,
    spread: true,
    handlers: {
      apply: () => Promise.resolve(),
      log: (t, text, isVerbose) => {
        if (!isVerbose || verbose) emit({ type: 'log', id: t.id, text, verbose: isVerbose });
      },
    },
  });
  pool.on('change', (c) => emit({ type: 'change', ...c }));
  emit({ type: 'ready' });
  let fallbackLogged = false;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    let m: MultiMessage;
    try {
      m = JSON.parse(line) as MultiMessage;
    } catch {
      emit({ type: 'error', id: null, message: `not JSON: ${line.slice(0, 200)}` });
      continue;
    }
    try {
      if (m.op === 'add') {
        const config = nannyConfig({ ...m.options, lvs: true });
        const setup = checkSetupOf(config);
        for (const text of setup.notices) emit({ type: 'log', id: m.id, text, verbose: false });
        const notice = fallbackLogged ? null : tcpFallbackNotice(setup.spec);
        if (notice !== null) {
          fallbackLogged = true;
          emit({ type: 'log', id: m.id, text: notice, verbose: false });
        }
        pool.add(poolTargetOf(m.id, config, setup), m.running === true);
        emit({ type: 'log', id: m.id, text: `starting LVS client monitor for ${targetName(config)}`, verbose: false });
      } else if (m.op === 'remove') await pool.remove(m.id);
      else if (m.op === 'force') await pool.force(m.id, m.up);
      else if (m.op === 'release') await pool.release();
      else emit({ type: 'error', id: null, message: `unknown op in: ${line.slice(0, 200)}` });
    } catch (err) {
      emit({ type: 'error', id: 'id' in m ? m.id : null, message: (err as Error).message });
    }
  }
  await pool.stop();
}
