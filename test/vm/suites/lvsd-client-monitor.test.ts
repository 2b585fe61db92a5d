/**
 * client_monitor on a real kernel: a small shell script stands in for a piranha-style monitor.
 * It records its argv, adds its real server with the ipvsadm it was given (-I), says
 * `[ active ]`, and deletes its entry on SIGTERM. lvsd runs it with nanny's argv, takes the sorry
 * server out when it says `[ active ]`, leaves its entry alone across reconciliations, restarts it
 * when it dies (hard_shutdown = 0) after removing the entry it left, and stops it before removing
 * the service.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lvsdStatus, startLvsd, until, type RunningLvsd } from '../lvsd-process.js';

const inVm = process.env['LVS_VM_GUEST'] === '1' || existsSync('/proc/net/ip_vs');
const ipvsadm = (...args: string[]): string => execFileSync('ipvsadm', args, { encoding: 'utf8' });
const running: RunningLvsd[] = [];
const PORT = 8080;

const monitorScript = (log: string): string => `#!/bin/sh
echo "$0 $*" >> ${log}
while [ $# -gt 0 ]; do
  case "$1" in
    -h) rip=$2; shift ;;
    -p) vport=$2; shift ;;
    -r) rport=$2; shift ;;
    -I) ipvsadm=$2; shift ;;
    -w) weight=$2; shift ;;
    -V) vip=$2; shift ;;
    -M) method=$2; shift ;;
  esac
  shift
done
trap '"$ipvsadm" -d -t $vip:$vport -r $rip:$rport; echo "[inactive] shutting down $rip:$rport"; exit 0' TERM
"$ipvsadm" -a -t $vip:$vport -r $rip:$rport -$method -w $weight && echo "[ active ] making $rip:$rport available"
while :; do sleep 1 & wait $!; done
`;

const config = (monitor: string, scheduler: string): string => `primary = 192.0.2.1
network = nat
hard_shutdown = 0
virtual web {
     active = 1
     address = 192.0.2.92 eth0:1
     port = ${PORT}
     scheduler = ${scheduler}
     timeout = 2
     reentry = 4
     sorry_server = 127.0.0.2
     client_monitor = ${monitor}
     server a {
         address = 127.0.0.1
         active = 1
         weight = 3
     }
}
`;

describe('client_monitor run by a real lvsd', { skip: inVm ? false : 'runs inside the IPVS VM (test/vm/run)' }, () => {
  after(() => {
    for (const r of running) r.child.kill('SIGKILL');
    ipvsadm('-C');
  });

  it('runs the program with nanny\'s argv and lets it keep its own entry', async () => {
    ipvsadm('-C');
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-monitor-'));
    const log = join(dir, 'argv.log');
    const monitor = join(dir, 'monitor.sh');
    writeFileSync(monitor, monitorScript(log));
    chmodSync(monitor, 0o755);
    const file = join(dir, 'lvs.cf');
    const socket = join(dir, 'lvsd.sock');
    writeFileSync(file, config(monitor, 'wlc'));
    const lvsd = await startLvsd(['-c', file, '--pidfile', join(dir, 'lvs.pid'), '--status-socket', socket]);
    running.push(lvsd);
    const table = (): string => ipvsadm('-Ln');
    const explain = (): string => `${table()}\n${lvsd.output()}`;
    const real = /-> 127\.0\.0\.1:8080 +Masq +3 /;
    const sorry = /-> 127\.0\.0\.2:8080 +Masq/;
    const argv = (): string[] => readFileSync(log, 'utf8').trim().split('\n');

    await until('the program has added its server and lvsd has taken the sorry server out', () => real.test(table()) && !sorry.test(table()), explain);
    assert.deepEqual(argv(), [`${monitor} -c -h 127.0.0.1 -p ${PORT} -r ${PORT} -a 4 -I /sbin/ipvsadm -t 2 -w 3 -V 192.0.2.92 -M m --nodaemon --lvs`]);
    await until('lvsd has logged the program\'s line', () => /lvs: web\/a: \[ active \] making 127\.0\.0\.1:8080 available/.test(lvsd.output()), explain);
    const status = await lvsdStatus(socket);
    assert.equal(status.services[0]?.monitor, monitor);
    assert.deepEqual([status.services[0]?.servers[0]?.health, status.services[0]?.servers[0]?.kernelWeight], ['up', 3]);
    const program = status.checkers.find((c) => c.name === 'web/a');
    assert.ok(program?.pid !== null && program?.pid !== undefined, JSON.stringify(status.checkers));

    // The program may change its entry; lvsd's reconciliations (here one forced by a reload) leave it be.
    ipvsadm('-e', '-t', `192.0.2.92:${PORT}`, '-r', `127.0.0.1:${PORT}`, '-m', '-w', '7');
    writeFileSync(file, config(monitor, 'rr'));
    lvsd.child.kill('SIGHUP');
    await until('the scheduler is changed', () => new RegExp(`TCP  192\\.0\\.2\\.92:${PORT} rr`).test(table()), explain);
    assert.match(table(), /-> 127\.0\.0\.1:8080 +Masq +7 /);
    assert.equal(argv().length, 1, 'an unchanged server keeps its program');

    // A program that dies is restarted; the entry it left is removed first, and the new one adds it again.
    process.kill(program.pid, 'SIGKILL');
    await until('the program runs again and has added its server', () => argv().length === 2 && real.test(table()), explain);
    await until('lvsd has logged the death', () => /lvs: nanny for child web\/a died \(signal SIGKILL\)! restarting it/.test(lvsd.output()), explain);
    assert.equal((await lvsdStatus(socket)).checkers.find((c) => c.name === 'web/a')?.restarts, 1);

    lvsd.child.kill('SIGTERM');
    assert.equal(await lvsd.exited, 0, lvsd.output());
    assert.match(lvsd.output(), /web\/a: \[inactive\] shutting down 127\.0\.0\.1:8080/);
    assert.doesNotMatch(table(), /192\.0\.2\.92/);
  });
});
