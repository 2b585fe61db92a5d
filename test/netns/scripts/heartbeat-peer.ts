/**
 * A scripted heartbeat peer for the pulse tests. By default it speaks only piranha 0.8.6's
 * protocol: a 4-byte magic in host byte order from UDP port P to port P, and reads only the
 * first 4 bytes of what it receives. It is driven by JSON lines on stdin:
 *
 *   {"send": "lvs-running"|"lvs-stopped", "everyMs": 200, "mode": "plain"|"keyed"|"forged"}
 *   {"replay": true, "everyMs": 200}   resend, in a loop, the keyed datagrams sent so far
 *   {"silent": true}                   stop sending
 *
 * and prints one JSON line per datagram received: {"magic": "...", "head": "dadbadbd",
 * "length": 48, "from": "10.77.0.1"}, followed by the trailer's "state", "keepaliveMs" and
 * "deadtimeMs" when the datagram has a valid one. Usage: heartbeat-peer LOCAL PARTNER PORT [KEYFILE] [ROLE]
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { decodeHeartbeat, encodeHeartbeat, MAGIC_VALUES, type Magic } from '../../../src/pulse/heartbeat.js';
import { decodeHeartbeatKey } from '../../../src/pulse/key.js';
import { nextSequence } from '../../../src/pulse/replay.js';

const [local, partner, portText, keyFile, roleText] = process.argv.slice(2);
if (local === undefined || partner === undefined || portText === undefined) throw new Error('usage: heartbeat-peer LOCAL PARTNER PORT [KEYFILE] [ROLE]');
const port = Number(portText);
const key = keyFile === undefined || keyFile === '-' ? null : decodeHeartbeatKey(readFileSync(keyFile), keyFile);
const role = roleText === 'backup' ? 'backup' : 'master';
const byValue = new Map(Object.entries(MAGIC_VALUES).map(([k, v]) => [v, k as Magic]));

const socket = createSocket('udp4');
let timer: NodeJS.Timeout | null = null;
let seq = 0n;
const keyed: Buffer[] = [];

function datagram(magic: Magic, mode: string): Buffer {
  if (mode === 'plain') {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(MAGIC_VALUES[magic]);
    return b;
  }
  seq = nextSequence(seq, Date.now());
  const bytes = encodeHeartbeat({ magic, trailer: { state: magic === 'lvs-running' ? 'active' : 'inactive', role, seq, digest: new Uint8Array(16), keepaliveMs: 200, deadtimeMs: 600 } }, key);
  if (mode === 'keyed') keyed.push(bytes);
  if (mode === 'forged') {
    const last = bytes.length - 1;
    bytes[last] = (bytes[last] as number) ^ 0x01;
  }
  return bytes;
}

function every(ms: number, next: () => Buffer): void {
  if (timer !== null) clearInterval(timer);
  const send = (): void => socket.send(next(), port, partner);
  send();
  timer = setInterval(send, ms);
}

socket.on('message', (bytes, rinfo) => {
  const value = bytes.length >= 4 ? bytes.readUInt32LE(0) : -1;
  const decoded = decodeHeartbeat(bytes, key);
  const trailer = decoded.ok && decoded.trailer !== null ? { state: decoded.trailer.state, keepaliveMs: decoded.trailer.keepaliveMs, deadtimeMs: decoded.trailer.deadtimeMs } : {};
  const line = { magic: byValue.get(value) ?? null, head: bytes.subarray(0, 4).toString('hex'), length: bytes.length, from: rinfo.address, ...trailer };
  process.stdout.write(`${JSON.stringify(line)}\n`);
});

socket.bind({ address: local, port }, () => {
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  createInterface({ input: process.stdin }).on('line', (text) => {
    const cmd = JSON.parse(text) as { send?: Magic; everyMs?: number; mode?: string; replay?: boolean; silent?: boolean };
    if (cmd.silent === true) {
      if (timer !== null) clearInterval(timer);
      timer = null;
    } else if (cmd.replay === true) {
      let i = 0;
      const old = [...keyed];
      every(cmd.everyMs ?? 200, () => old[i++ % old.length] as Buffer);
    } else if (cmd.send !== undefined) {
      const magic = cmd.send;
      const mode = cmd.mode ?? 'plain';
      every(cmd.everyMs ?? 200, () => datagram(magic, mode));
    }
  });
  process.stdin.on('end', () => process.exit(0));
});
