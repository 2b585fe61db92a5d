/**
 * A long-lived lab connection (test/vm/lab.ts `hold()` runs it in the client namespace): connects
 * to host:port, reads the echo server's greeting (its name) and prints
 *   {"connected":true,"server":"rs1","local":"198.51.100.2:40000"}
 * then serves commands, one per line on stdin:
 *   send TEXT   sends TEXT and prints {"echo":"..."} once as many characters have come back
 *   reset       ends the connection with a TCP RST, prints {"reset":true} and exits
 *   close       ends it with a FIN, prints {"closed":true} and exits
 * A connection that ends or fails by itself prints {"error":"..."} and exits 1.
 *
 * Usage: node hold.js '{"host":"198.51.100.10","port":7007}'
 */
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const { host, port } = JSON.parse(process.argv[2] ?? '{}') as { host: string; port: number };
const say = (o: object): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};
let received = '';
let greeted = false;
let want = 0;
let ending = false;
const socket = connect({ host, port });
socket.setEncoding('utf8');
socket.on('data', (chunk: string) => {
  received += chunk;
  if (!greeted) {
    const nl = received.indexOf('\n');
    if (nl < 0) return;
    greeted = true;
    say({ connected: true, server: received.slice(0, nl), local: `${socket.localAddress ?? '?'}:${socket.localPort ?? 0}` });
    received = received.slice(nl + 1);
  }
  if (want > 0 && received.length >= want) {
    say({ echo: received.slice(0, want) });
    received = received.slice(want);
    want = 0;
  }
});
const lost = (why: string): void => {
  if (ending) return;
  say({ error: why });
  process.exit(1);
};
socket.on('error', (e) => lost(e.message));
socket.on('close', () => lost('the connection closed'));
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.startsWith('send ')) {
    const text = line.slice(5);
    want = text.length;
    socket.write(text);
  } else if (line === 'reset' || line === 'close') {
    ending = true;
    socket.once('close', () => {
      say(line === 'reset' ? { reset: true } : { closed: true });
      process.exit(0);
    });
    if (line === 'reset') socket.resetAndDestroy();
    else socket.end();
  }
});
