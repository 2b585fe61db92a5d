/**
 * CheckSpec: a pure, validated description of one health check, and checkSpecFromOptions(),
 * which builds it from nanny's options with piranha 0.8.6's rules (§4.1-4.5 of the reference):
 * send_program drops send, the HTTP default for virtual port 80, escape conversion unless
 * --suppress, `*` as "any reply", --regex, the connect/read timeout from --interval.
 */
import { findBadEscape, parseInetAton, parseIPv6, unescapeCheckString } from '../config/values.js';
import { EreError } from './ere.js';
import { compileEre, type EreProgram } from './ere-nfa.js';
import { CheckSpecError } from './errors.js';
import type { HttpCheckSpec } from './http-spec.js';
import { buildArgv } from './program-argv.js';

/** ExpectSpec is what the reply must be: nothing read, any reply, a prefix, or a regular expression. */
export type ExpectSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'any' }
  | { readonly kind: 'prefix'; readonly bytes: Uint8Array }
  | { readonly kind: 'regex'; readonly program: EreProgram };

/** SocketCheckSpec is nanny's own check: connect, optionally send, optionally read and judge. */
export interface SocketCheckSpec {
  readonly kind: 'socket';
  readonly protocol: 'tcp' | 'udp';
  readonly host: string;
  readonly port: number;
  readonly send: Uint8Array | null;
  readonly expect: ExpectSpec;
  readonly timeoutMs: number;
}

/** ProgramCheckSpec runs send_program (argv already split and substituted) and compares its output. */
export interface ProgramCheckSpec {
  readonly kind: 'program';
  readonly host: string;
  readonly port: number;
  readonly argv: readonly string[];
  /** expect is the exact output wanted (after the trailing newline is dropped); null: the exit status decides. */
  readonly expect: Uint8Array | null;
  readonly timeoutMs: number;
}

/** CheckSpec is any check runCheck() can run. */
export type CheckSpec = SocketCheckSpec | ProgramCheckSpec | HttpCheckSpec;

/** NannyCheckOptions are the nanny options that shape a check (the rest drive the monitor). */
export interface NannyCheckOptions {
  /** server is -h/--server: the real server's address (inet_aton forms, or IPv6 as an extension). */
  readonly server: string;
  /** port is -p/--port, the virtual port (80 by default); it only decides the HTTP default. */
  readonly port?: number;
  /** rport is -r/--rport, the port checked; it defaults to `port`. */
  readonly rport?: number | null;
  readonly udp?: boolean;
  readonly sendString?: string | null;
  readonly expectString?: string | null;
  readonly sendProgram?: string | null;
  readonly regex?: boolean;
  /** suppress is -T/--suppress: no backslash escape conversion. */
  readonly suppress?: boolean;
  /** interval is -t/--interval in seconds (10 by default): the whole check must finish within it. */
  readonly interval?: number;
  /** timeoutMs overrides interval × 1000 as the check's deadline. */
  readonly timeoutMs?: number;
}

/** CheckSetup is a check and the start-up lines nanny logs about it. */
export interface CheckSetup {
  readonly spec: SocketCheckSpec | ProgramCheckSpec;
  readonly notices: readonly string[];
}

/** HTTP_SEND is what nanny sends when virtual port 80 has no check configured. */
export const HTTP_SEND = 'GET / HTTP/1.0\r\n\r\n';
/** HTTP_EXPECT is the reply prefix nanny then expects. */
export const HTTP_EXPECT = 'HTTP';

/** PREFIX_LIMIT is how much of a plain expect string nanny compares (its read buffer holds 254 bytes). */
export const PREFIX_LIMIT = 254;

/**
 * checkSpecFromOptions applies nanny's start-up rules to its options and returns the check and
 * the lines nanny would log. It throws CheckSpecError where nanny would exit, crash or hang.
 */
export function checkSpecFromOptions(o: NannyCheckOptions): CheckSetup {
  const notices: string[] = [];
  const host = parseAddress(o.server);
  const vport = o.port ?? 80;
  checkPort(vport, '--port', 0);
  const port = o.rport ?? vport;
  checkPort(port, '--rport', 1);
  const timeoutMs = timeoutOf(o);
  let send = optional(o.sendString, '--send_string');
  let expect = optional(o.expectString, '--expect_string');
  const program = optional(o.sendProgram, '--send_program');
  if (program !== null && send !== null) {
    notices.push(`External program use requested: (${program}), IGNORING send string option (${send})`);
    send = null;
  }
  if (vport === 80 && send === null && expect === null && program === null) {
    notices.push('nanny: no monitor configured, assuming web service on port 80');
    send = HTTP_SEND;
    expect = HTTP_EXPECT;
  }
  if (o.suppress !== true) {
    send = convert(send, '--send_string');
    expect = convert(expect, '--expect_string');
  }
  if (program !== null) {
    const argv = buildArgv(program, host, port);
    if (argv.length === 0) throw new CheckSpecError('EMPTY_PROGRAM', '--send_program', 'send_program has no command');
    if (o.regex === true) notices.push('--regex does not apply to send_program: its output must equal the expect string');
    return { spec: { kind: 'program', host, port, argv, expect: expect === null ? null : utf8(expect), timeoutMs }, notices };
  }
  const protocol = o.udp === true ? 'udp' : 'tcp';
  const spec: SocketCheckSpec = { kind: 'socket', protocol, host, port, send: send === null ? null : utf8(send), expect: expectOf(expect, o.regex === true, protocol, notices), timeoutMs };
  return { spec, notices };
}

function expectOf(expect: string | null, regex: boolean, protocol: 'tcp' | 'udp', notices: string[]): ExpectSpec {
  if (expect === null) {
    if (protocol === 'tcp') return { kind: 'none' };
    notices.push("UDP check without an expect string: any reply counts (piranha's nanny crashed here)");
    return { kind: 'any' };
  }
  if (regex) {
    try {
      return { kind: 'regex', program: compileEre(expect) };
    } catch (e) {
      if (!(e instanceof EreError)) throw e;
      throw new CheckSpecError('BAD_REGEX', '--expect_string', `Error '${e.message}' processing expected regular expression`, { cause: e });
    }
  }
  // An empty expect string reads nothing, so any readable reply (or a close) passes, as with '*'.
  if (expect === '*' || expect === '') return { kind: 'any' };
  const bytes = utf8(expect);
  if (bytes.length > PREFIX_LIMIT) notices.push(`expect string is ${bytes.length} bytes long: only its first ${PREFIX_LIMIT} are compared, as in piranha`);
  return { kind: 'prefix', bytes: bytes.subarray(0, PREFIX_LIMIT) };
}

/** convert applies nanny's convert_str(): escapes in strings longer than one character; an unknown one is refused (nanny hung on it). */
function convert(s: string | null, option: string): string | null {
  if (s === null || s.length <= 1) return s;
  const bad = findBadEscape(s);
  if (bad !== null)
    throw new CheckSpecError(
      'BAD_ESCAPE',
      option,
      `unknown escape '${bad.sequence}' at offset ${bad.offset} of ${option} (piranha's nanny hangs on it): use \\\\ \\r \\n \\t \\' \\" only, or --suppress`,
    );
  return unescapeCheckString(s);
}

function optional(s: string | null | undefined, option: string): string | null {
  if (s === undefined || s === null) return null;
  if (s.includes('\0')) throw new CheckSpecError('BAD_STRING', option, `${option} contains a NUL character`);
  return s;
}

function parseAddress(server: string): string {
  const ip = parseInetAton(server) ?? parseIPv6(server);
  if (ip === null) throw new CheckSpecError('BAD_ADDRESS', '--server', `nanny: bad IP address -- ${server}`);
  return ip;
}

function checkPort(port: number, option: string, min: number): void {
  if (!Number.isInteger(port) || port < min || port > 65535) throw new CheckSpecError('BAD_PORT', option, `${option} ${port} is not a port (${min}..65535)`);
}

/** MAX_TIMEOUT_MS is the longest deadline a timer can hold (about 24.8 days); Node fires longer ones after 1 ms. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** checkTimeout validates a deadline in milliseconds and rounds it; it throws CheckSpecError. */
export function checkTimeout(ms: number, option: string): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new CheckSpecError('BAD_TIMEOUT', option, `the check timeout must be greater than 0 (got ${ms} ms)`);
  if (ms > MAX_TIMEOUT_MS) throw new CheckSpecError('BAD_TIMEOUT', option, `the check timeout must be at most ${MAX_TIMEOUT_MS} ms (got ${ms} ms)`);
  return Math.max(1, Math.round(ms));
}

function timeoutOf(o: NannyCheckOptions): number {
  return checkTimeout(o.timeoutMs ?? (o.interval ?? 10) * 1000, o.timeoutMs === undefined ? '--interval' : 'timeoutMs');
}

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
