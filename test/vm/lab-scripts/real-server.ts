/**
 * A lab real server (test/vm/lab.ts starts one per real-server namespace with Netns.spawnNode).
 * It answers, with its own name:
 *  - HTTP on `httpPort` (every path): 200, body NAME, header x-client: the peer it saw (address:port);
 *  - TCP on `tcpPort`: writes "NAME\n" as soon as a connection is accepted, then closes it;
 *  - TCP on each of `echoPorts`: writes "NAME\n" as soon as a connection is accepted, then echoes
 *    whatever it receives and keeps the connection open (long-lived connections for reload tests);
 *  - UDP on `udpPort`: replies NAME to every datagram, from one socket per address in
 *    `udpAddresses` (a direct-routing real server binds the VIP too, so that its replies leave
 *    from the VIP; an unbound socket would answer from the real server's own address).
 * TCP listens on every address. Prints one JSON line {"ready":true} once everything listens, then
 * one line per answer ({"proto","from"}); ends at once on SIGTERM or SIGINT.
 *
 * Usage: node real-server.js '{"name":"rs1","httpPort":80,"tcpPort":7000,"echoPorts":[7007,7008],"udpPort":53,"udpAddresses":["10.200.0.11"]}'
 */
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';

interface Options {
  name: string;
  httpPort: number;
  tcpPort: number;
  echoPorts?: number[];
  udpPort: number;
  udpAddresses: string[];
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const { name } = options;
const log = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const fail = (what: string, e: Error): never => {
  process.stderr.write(`real-server ${name}: ${what}: ${e.message}\n`);
  process.exit(1);
};
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));

const http = createHttpServer((req, res) => {
  const from = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`;
  res.writeHead(200, { 'content-type': 'text/plain', 'x-client': from, connection: 'close' });
  res.end(name);
  log({ proto: 'http', from, path: req.url });
});
http.on('error', (e) => fail(`HTTP port ${options.httpPort}`, e));

const tcp = createTcpServer((socket) => {
  socket.on('error', () => undefined);
  log({ proto: 'tcp', from: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}` });
  socket.end(`${name}\n`);
});
tcp.on('error', (e) => fail(`TCP port ${options.tcpPort}`, e));

const listening: Promise<void>[] = [
  new Promise((resolve) => http.listen(options.httpPort, '0.0.0.0', resolve)),
  new Promise((resolve) => tcp.listen(options.tcpPort, '0.0.0.0', resolve)),
];
for (const port of options.echoPorts ?? []) {
  const echo = createTcpServer((socket) => {
    socket.on('error', () => undefined);
    log({ proto: 'echo', port, from: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}` });
    socket.write(`${name}\n`);
    socket.pipe(socket);
  });
  echo.on('error', (e) => fail(`echo port ${port}`, e));
  listening.push(new Promise((resolve) => echo.listen(port, '0.0.0.0', resolve)));
}
for (const address of options.udpAddresses) {
  const udp = createSocket('udp4');
  udp.on('error', (e) => fail(`UDP ${address}:${options.udpPort}`, e));
  udp.on('message', (_msg, peer) => {
    udp.send(name, peer.port, peer.address);
    log({ proto: 'udp', from: `${peer.address}:${peer.port}`, to: address });
  });
  listening.push(new Promise((resolve) => udp.bind(options.udpPort, address, resolve)));
}
await Promise.all(listening);
log({ ready: true });
