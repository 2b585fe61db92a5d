/**
 * The lab client (test/vm/lab.ts runs it in the client namespace with `ip netns exec`): makes
 * `count` requests one after the other, each on a fresh connection or socket (so IPVS schedules
 * each one anew), and prints one JSON array with one answer per request:
 *   {"server":"rs1","client":"198.51.100.2:40000","status":200}   HTTP (client: the peer the server saw)
 *   {"server":"rs1"}                                              TCP banner or UDP reply
 *   {"server":null,"error":"connect ECONNREFUSED 198.51.100.10:80"}  no answer
 * UDP uses a connected socket, so only a reply from host:port itself counts.
 *
 * Usage: node client.js '{"protocol":"http","host":"198.51.100.10","port":80,"path":"/","count":4,"timeoutMs":10000}'
 *
 * With "stream": true it prints each answer at once as its own JSON line, with "at" (the wall
 * clock, ms) added, and waits "intervalMs" between requests: a steady client for failover runs.
 */
import { createSocket } from 'node:dgram';
import { request } from 'node:http';
import { connect } from 'node:net';

interface Job {
  protocol: 'http' | 'tcp' | 'udp';
  host: string;
  port: number;
  path: string;
  count: number;
  timeoutMs: number;
  stream?: boolean;
  intervalMs?: number;
}
interface Answer {
  server: string | null;
  client?: string;
  status?: number;
  error?: string;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;

/** once settles with the first answer given, or with a timeout error after job.timeoutMs. */
function once(start: (answer: (a: Answer) => void) => () => void): Promise<Answer> {
  return new Promise((resolve) => {
    let done = false;
    let cleanup: () => void = () => undefined;
    const answer = (a: Answer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cleanup();
      resolve(a);
    };
    const timer = setTimeout(() => answer({ server: null, error: `no answer within ${job.timeoutMs} ms` }), job.timeoutMs);
    cleanup = start(answer);
  });
}

const failed = (e: Error): Answer => ({ server: null, error: e.message });

function http(): Promise<Answer> {
  return once((answer) => {
    const req = request({ host: job.host, port: job.port, path: job.path, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', (e) => answer(failed(e)));
      res.on('end', () => {
        const client = res.headers['x-client'];
        answer({ server: body, status: res.statusCode ?? 0, ...(typeof client === 'string' ? { client } : {}) });
      });
    });
    req.on('error', (e) => answer(failed(e)));
    req.end();
    return () => req.destroy();
  });
}

function tcp(): Promise<Answer> {
  return once((answer) => {
    let data = '';
    const socket = connect({ host: job.host, port: job.port });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', (e) => answer(failed(e)));
    socket.on('end', () => answer(data === '' ? { server: null, error: 'closed without a banner' } : { server: data.trim() }));
    return () => socket.destroy();
  });
}

function udp(): Promise<Answer> {
  return once((answer) => {
    const socket = createSocket('udp4');
    socket.on('error', (e) => answer(failed(e)));
    socket.on('message', (msg) => answer({ server: msg.toString('utf8') }));
    socket.connect(job.port, job.host, () => socket.send('who?'));
    return () => {
      try {
        socket.close();
      } catch {
        // already closed
      }
    };
  });
}

const answers: Answer[] = [];
for (let i = 0; i < job.count; i++) {
  const at = Date.now();
  const answer = await { http, tcp, udp }[job.protocol]();
  if (job.stream === true) {
    process.stdout.write(`${JSON.stringify({ at, ...answer })}\n`);
    await new Promise((r) => setTimeout(r, job.intervalMs ?? 0));
  } else answers.push(answer);
}
if (job.stream !== true) process.stdout.write(`${JSON.stringify(answers)}\n`);
