/**
 * runCheck: the one entry point of the check layer. It runs any CheckSpec under its deadline
 * and resolves with a CheckResult; it never rejects and leaves nothing open behind it.
 */
import type { RunOptions } from './attempt.js';
import { runHttpCheck } from './http.js';
import { runProgramCheck } from './program.js';
import type { CheckResult } from './result.js';
import type { CheckSpec } from './spec.js';
import { runTcpCheck } from './tcp.js';
import { runUdpCheck } from './udp.js';

/** runCheck runs one check. Abort `options.signal` to cancel it (the result is then `aborted`). */
export function runCheck(spec: CheckSpec, options: RunOptions = {}): Promise<CheckResult> {
  switch (spec.kind) {
    case 'socket':
      return spec.protocol === 'udp' ? runUdpCheck(spec, options) : runTcpCheck(spec, options);
    case 'program':
      return runProgramCheck(spec, options);
    case 'http':
      return runHttpCheck(spec, options);
  }
}
