/**
 * The UDP shell of nanny's check: a connected datagram socket, one send, and the first datagram
 * back judged as the whole reply. Because the socket is connected, an ICMP port unreachable
 * from the real server comes back as ECONNREFUSED on the read, as in nanny
 * ("READ returned error 111:Connection refused"); silence runs into the deadline.
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Attempt, clockOf, type Outcome, type RunOptions } from './attempt.js';
import { ReplyJudge, type Judgement } from './expect.js';
import { hostPort, Reasons, type CheckResult } from './result.js';
import type { SocketCheckSpec } from './spec.js';

/** runUdpCheck runs a UDP send/expect check; it never rejects. */
export function runUdpCheck(spec: SocketCheckSpec, options: RunOptions = {}): Promise<CheckResult> {
  const { host, port } = spec;
  const judge = new ReplyJudge(spec.expect.kind === 'none' ? { kind: 'any' } : spec.expect);
  let phase: 'connect' | 'write' | 'read' = 'connect';
  const verdict = (j: Judgement): Outcome => {
    switch (j.kind) {
      case 'pass':
        return ['ok', `${hostPort(host, port)} replied as expected`];
      case 'mismatch':
        return ['mismatch', Reasons.mismatch(host, port)];
      case 'short':
        return ['read-short', Reasons.tooShort(host, port, j.got, j.want)];
      case 'timeout':
      case 'more':
        return ['read-timeout', Reasons.readTimedOut(host, port)];
    }
  };
  const attempt = new Attempt(clockOf(options), spec.timeoutMs, options.signal, (): Outcome => {
    if (phase === 'connect') return ['connect-timeout', Reasons.connectTimedOut(host, port)];
    if (phase === 'write') return ['write-timeout', Reasons.writeTimedOut(host, port)];
    return verdict(judge.timeout());
  });
  if (attempt.settled) return attempt.done;

  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  attempt.onCleanup(() => socket.close());
  socket.on('error', (err) => {
    if (phase === 'connect') attempt.finish('connect-failed', Reasons.connectFailed(host, port, err));
    else if (phase === 'write') attempt.finish('write-failed', Reasons.writeFailed(host, port, err));
    else attempt.finish('read-failed', Reasons.readFailed(err));
  });
  socket.on('message', (datagram: Buffer) => {
    judge.push(datagram);
    attempt.bytesRead = judge.received;
    attempt.finish(...verdict(judge.close()));
  });
  socket.connect(port, host, () => {
    if (spec.send === null) {
      phase = 'read';
      return;
    }
    phase = 'write';
    socket.send(spec.send, (err) => {
      if (err !== null && err !== undefined) attempt.finish('write-failed', Reasons.writeFailed(host, port, err));
      else phase = 'read';
    });
  });
  return attempt.done;
}
