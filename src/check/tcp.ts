/**
 * The TCP shell of nanny's check: connect, write the send string once, read and judge the reply
 * (expect.ts), all under one deadline. Which phase the deadline or an error hits decides the
 * log text, as in nanny: CONNECT … timed out, WRITE operation … returned error, READ … timed out.
 */
import { Attempt, clockOf, type Outcome, type RunOptions } from './attempt.js';
import { ReplyJudge, type Judgement } from './expect.js';
import { hostPort, Reasons, type CheckResult } from './result.js';
import type { CheckSpec, SocketCheckSpec } from './spec.js';
import { fallbackNotice, probeTransport, READ_LIMIT } from './tcp-probe.js';
import { netTransport, type TcpTransport } from './tcp-transport.js';

type Phase = 'connect' | 'write' | 'read';

/** defaultTcpTransport is the addon's prober when it is built (and can read the check's reply), else node:net. */
export function defaultTcpTransport(readMax: number): TcpTransport {
  return (readMax <= READ_LIMIT ? probeTransport() : null) ?? netTransport;
}

/** tcpFallbackNotice is the line to log once for a TCP check that must run on node:net, or null. */
export function tcpFallbackNotice(spec: CheckSpec): string | null {
  return spec.kind === 'socket' && spec.protocol === 'tcp' ? fallbackNotice() : null;
}

/** runTcpCheck runs a TCP send/expect check; it never rejects. */
export function runTcpCheck(spec: SocketCheckSpec, options: RunOptions = {}): Promise<CheckResult> {
  const { host, port } = spec;
  const judge = new ReplyJudge(spec.expect);
  const reads = spec.expect.kind !== 'none';
  let phase: Phase = 'connect';
  const attempt = new Attempt(clockOf(options), spec.timeoutMs, options.signal, (): Outcome => {
    if (phase === 'connect') return ['connect-timeout', Reasons.connectTimedOut(host, port)];
    if (phase === 'write') return ['write-timeout', Reasons.writeTimedOut(host, port)];
    return verdict(judge.timeout());
  });
  const verdict = (j: Judgement): Outcome => {
    switch (j.kind) {
      case 'pass':
        return ['ok', reads ? `${hostPort(host, port)} replied as expected` : `connected to ${hostPort(host, port)}`];
      case 'mismatch':
        return ['mismatch', Reasons.mismatch(host, port)];
      case 'short':
        return ['read-short', Reasons.tooShort(host, port, j.got, j.want)];
      case 'timeout':
        return ['read-timeout', Reasons.readTimedOut(host, port)];
      case 'more':
        return ['read-timeout', Reasons.readTimedOut(host, port)];
    }
  };
  const apply = (j: Judgement): void => {
    attempt.bytesRead = judge.received;
    if (phase === 'read' && j.kind !== 'more') attempt.finish(...verdict(j));
  };
  const startReading = (): void => {
    if (!reads) return attempt.finish('ok', `connected to ${hostPort(host, port)}`);
    phase = 'read';
    apply(judge.current());
  };

  if (attempt.settled) return attempt.done;
  const connection = (options.tcpTransport ?? defaultTcpTransport(judge.budget)).open(host, port, spec.send, judge.budget, {
    connected: () => {
      phase = 'write';
    },
    written: startReading,
    data: (chunk) => apply(judge.push(chunk)),
    end: () => apply(judge.close()),
    error: (err) => {
      if (phase === 'connect') attempt.finish('connect-failed', Reasons.connectFailed(host, port, err));
      else if (phase === 'write') attempt.finish('write-failed', Reasons.writeFailed(host, port, err));
      else attempt.finish('read-failed', Reasons.readFailed(err));
    },
  });
  attempt.onCleanup(() => connection.close());
  return attempt.done;
}
