/**
 * The HTTP/HTTPS GET check (an lvs-director extension): one request on its own connection
 * (no agent, no keep-alive, no redirects), headers bounded by HEADER_LIMIT, at most BODY_LIMIT
 * body bytes looked at, the status and the body judged, all under one deadline.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Attempt, clockOf, type Outcome, type RunOptions } from './attempt.js';
import { EreStream } from './ere-nfa.js';
import { BODY_LIMIT, formatStatusRanges, HEADER_LIMIT, statusAccepted, type HttpCheckSpec } from './http-spec.js';
import { hostPort, Reasons, type CheckResult } from './result.js';

type Phase = 'connect' | 'tls' | 'response' | 'body';
type NodeError = Error & { code?: string; syscall?: string };

/** isSystemError tells a real socket error (it names a syscall) from Node's "socket hang up"/"aborted" for a premature close. */
const isSystemError = (err: NodeError): boolean => typeof err.syscall === 'string';

/** runHttpCheck runs an HTTP(S) GET check; it never rejects. */
export function runHttpCheck(spec: HttpCheckSpec, options: RunOptions = {}): Promise<CheckResult> {
  const { host, port } = spec;
  const where = hostPort(host, port);
  const url = `${spec.tls ? 'https' : 'http'}://${where}${spec.path}`;
  let phase: Phase = 'connect';
  const attempt = new Attempt(clockOf(options), spec.timeoutMs, options.signal, (): Outcome => {
    if (phase === 'connect') return ['connect-timeout', Reasons.connectTimedOut(host, port)];
    if (phase === 'tls') return ['tls-failed', `TLS handshake with ${where} timed out`];
    return ['read-timeout', Reasons.readTimedOut(host, port)];
  });
  if (attempt.settled) return attempt.done;

  const tlsOptions = spec.tls ? { rejectUnauthorized: spec.verifyTls, ...(spec.servername === null ? {} : { servername: spec.servername }), ...(spec.ca === null ? {} : { ca: spec.ca }) } : {};
  const req: ClientRequest = (spec.tls ? httpsRequest : httpRequest)({
    host,
    port,
    path: spec.path,
    method: 'GET',
    headers: { Host: spec.hostHeader, 'User-Agent': 'lvs-director-nanny', Accept: '*/*', Connection: 'close' },
    agent: false,
    maxHeaderSize: HEADER_LIMIT,
    ...tlsOptions,
  });
  attempt.onCleanup(() => req.destroy());
  req.on('socket', (socket) => {
    socket.once('connect', () => {
      if (phase === 'connect') phase = spec.tls ? 'tls' : 'response';
    });
    socket.once('secureConnect', () => (phase = 'response'));
  });
  req.on('error', (err: NodeError) => {
    if (phase === 'connect') attempt.finish('connect-failed', Reasons.connectFailed(host, port, err));
    else if (phase === 'tls') attempt.finish('tls-failed', `TLS handshake with ${where} failed: ${err.code ?? 'error'}: ${err.message}`);
    else if (err.code?.startsWith('HPE_') === true) attempt.finish('http-protocol', `HTTP response from ${where} is malformed: ${err.code}`);
    else if (!isSystemError(err)) attempt.finish('http-protocol', `HTTP server ${where} closed the connection without a response`);
    else attempt.finish('read-failed', Reasons.readFailed(err));
  });
  req.on('response', (res: IncomingMessage) => {
    attempt.onCleanup(() => res.destroy());
    const status = res.statusCode ?? 0;
    if (!statusAccepted(status, spec.status))
      return attempt.finish('http-status', `HTTP GET ${url} returned status ${status} (expected ${formatStatusRanges(spec.status)})`);
    const ok = (): void => attempt.finish('ok', `HTTP GET ${url} returned status ${status}`);
    if (spec.bodyRegex === null) return ok();
    phase = 'body';
    const body = new EreStream(spec.bodyRegex);
    const judge = (): void => (body.matchesIfEndedHere() ? ok() : attempt.finish('mismatch', `HTTP GET ${url}: the body does not match ${spec.bodyRegex?.source ?? ''}`));
    res.on('data', (chunk: Buffer) => {
      const take = Math.min(chunk.length, BODY_LIMIT - attempt.bytesRead);
      attempt.bytesRead += take;
      if (body.push(chunk.subarray(0, take))) ok();
      else if (attempt.bytesRead >= BODY_LIMIT || body.dead) judge();
    });
    res.on('end', judge);
    res.on('error', (err: NodeError) => {
      if (isSystemError(err)) attempt.finish('read-failed', Reasons.readFailed(err));
      else attempt.finish('http-protocol', `HTTP response from ${where} ended before its body was complete`);
    });
  });
  req.end();
  return attempt.done;
}
