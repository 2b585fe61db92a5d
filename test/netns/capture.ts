/**
 * A capture oracle for namespace tests: tcpdump inside a namespace writes pcap to stdout, and
 * this reads the frames back. tcpdump is independent of the code under test, which is the
 * point; install it with `apt-get install -y tcpdump`.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { Netns } from '../helpers/netns.js';

/** tcpdumpMissing says why tcpdump cannot be used here, or null when it can. */
export function tcpdumpMissing(): string | null {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0 ? null : 'tcpdump is the capture oracle of these tests: apt-get install -y tcpdump';
}

/** Capture is a running tcpdump that stops after a number of frames. */
export interface Capture {
  /** frames waits for tcpdump to have seen its frames and returns them (rejects after the timeout). */
  frames(): Promise<Uint8Array[]>;
  /** stop ends tcpdump if it still runs. */
  stop(): void;
}

/** PcapRecord is one captured frame and the kernel's time stamp of it, in milliseconds since the epoch (CLOCK_REALTIME). */
export interface PcapRecord {
  readonly at: number;
  readonly frame: Uint8Array;
}

/** parsePcapRecords reads the frames of a classic pcap file with their time stamps (either byte order, micro- or nanosecond). */
export function parsePcapRecords(bytes: Uint8Array): PcapRecord[] {
  if (bytes.length < 24) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = (magic: number): 'micro' | 'nano' | null => (magic === 0xa1b2c3d4 ? 'micro' : magic === 0xa1b23c4d ? 'nano' : null);
  const little = kind(view.getUint32(0, true)) !== null;
  const precision = kind(view.getUint32(0, little));
  if (precision === null) throw new Error(`not a pcap file (magic 0x${view.getUint32(0, true).toString(16)})`);
  const fraction = precision === 'nano' ? 1e6 : 1e3;
  const records: PcapRecord[] = [];
  for (let at = 24; at + 16 <= bytes.length; ) {
    const length = view.getUint32(at + 8, little);
    if (at + 16 + length > bytes.length) break;
    records.push({ at: view.getUint32(at, little) * 1000 + view.getUint32(at + 4, little) / fraction, frame: bytes.slice(at + 16, at + 16 + length) });
    at += 16 + length;
  }
  return records;
}

/** parsePcap reads the frames of a classic pcap file (either byte order, micro- or nanosecond). */
export function parsePcap(bytes: Uint8Array): Uint8Array[] {
  return parsePcapRecords(bytes).map((r) => r.frame);
}

/** Tcpdump is a tcpdump that listens: its pcap output so far, its stderr, and how to end it. */
interface Tcpdump {
  readonly output: () => Buffer;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
  readonly stop: () => void;
}

/** runTcpdump starts tcpdump in `ns` writing pcap to stdout and resolves once it is listening. */
function runTcpdump(ns: Netns, device: string, filter: string, extra: readonly string[], timeoutMs: number): Promise<Tcpdump> {
  const child = spawn('ip', ['netns', 'exec', ns.name, 'tcpdump', '-i', device, '-nn', '-U', '--immediate-mode', '-w', '-', ...extra, filter], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  return new Promise<Tcpdump>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`tcpdump did not start listening: ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (/listening on/.test(stderr)) {
        clearTimeout(timer);
        resolve({ output: () => Buffer.concat(chunks), stderr: () => stderr, exited, stop });
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      if (!/listening on/.test(stderr)) reject(new Error(`tcpdump exited (${code}) before listening: ${stderr}`));
    });
  });
}

/**
 * startCapture starts tcpdump on `device` in `ns` with a pcap filter, for `count` frames, and
 * resolves once tcpdump is listening.
 */
export async function startCapture(ns: Netns, device: string, filter: string, count: number, timeoutMs = 10_000): Promise<Capture> {
  const t = await runTcpdump(ns, device, filter, ['-c', String(count)], timeoutMs);
  return {
    stop: t.stop,
    frames: async () => {
      const limit = setTimeout(t.stop, timeoutMs);
      await t.exited;
      clearTimeout(limit);
      const frames = parsePcap(t.output());
      if (frames.length < count) throw new Error(`tcpdump saw ${frames.length} of ${count} frames (${filter}): ${t.stderr()}`);
      return frames;
    },
  };
}

/** Recording is a running tcpdump that records every matching frame until it is stopped. */
export interface Recording {
  /** records are the frames so far, with their time stamps (a snapshot; tcpdump writes each frame at once). */
  records(): PcapRecord[];
  /** stop ends tcpdump and resolves with every frame it recorded. */
  stop(): Promise<PcapRecord[]>;
}

/**
 * startRecording starts tcpdump on `device` in `ns` with a pcap filter and nanosecond time
 * stamps, and resolves once it is listening. The time stamps are the kernel's, taken when the
 * frame reached the packet socket, on CLOCK_REALTIME.
 */
export async function startRecording(ns: Netns, device: string, filter: string, timeoutMs = 10_000): Promise<Recording> {
  const t = await runTcpdump(ns, device, filter, ['--time-stamp-precision=nano', '-B', '8192'], timeoutMs);
  return {
    records: () => parsePcapRecords(t.output()),
    stop: async () => {
      t.stop();
      const code = await t.exited;
      if (code !== 0) throw new Error(`tcpdump ended with ${code}: ${t.stderr()}`);
      return parsePcapRecords(t.output());
    },
  };
}
