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

/** parsePcap reads the frames of a classic pcap file (either byte order, micro- or nanosecond). */
export function parsePcap(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length < 24) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!little && view.getUint32(0, false) !== 0xa1b2c3d4 && view.getUint32(0, false) !== 0xa1b23c4d) throw new Error(`not a pcap file (magic 0x${magic.toString(16)})`);
  const frames: Uint8Array[] = [];
  for (let at = 24; at + 16 <= bytes.length; ) {
    const length = view.getUint32(at + 8, little);
    if (at + 16 + length > bytes.length) break;
    frames.push(bytes.slice(at + 16, at + 16 + length));
    at += 16 + length;
  }
  return frames;
}

/**
 * startCapture starts tcpdump on `device` in `ns` with a pcap filter, for `count` frames, and
 * resolves once tcpdump is listening.
 */
export function startCapture(ns: Netns, device: string, filter: string, count: number, timeoutMs = 10_000): Promise<Capture> {
  const child = spawn('ip', ['netns', 'exec', ns.name, 'tcpdump', '-i', device, '-nn', '-U', '--immediate-mode', '-w', '-', '-c', String(count), filter], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  return new Promise<Capture>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`tcpdump did not start listening: ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (/listening on/.test(stderr)) {
        clearTimeout(timer);
        resolve({
          stop,
          frames: async () => {
            const limit = setTimeout(stop, timeoutMs);
            await exited;
            clearTimeout(limit);
            const frames = parsePcap(Buffer.concat(chunks));
            if (frames.length < count) throw new Error(`tcpdump saw ${frames.length} of ${count} frames (${filter}): ${stderr}`);
            return frames;
          },
        });
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
