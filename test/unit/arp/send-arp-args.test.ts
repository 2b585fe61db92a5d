import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSendArpArgs, USAGE } from '../../../src/arp/send-arp-args.js';

const run = (args: string[]) => {
  const c = parseSendArpArgs(args);
  assert.equal(c.kind, 'run', JSON.stringify(c));
  return c.kind === 'run' ? c : assert.fail();
};

describe('send_arp arguments: the original grammar', () => {
  it('four arguments; the device defaults to eth0', () => {
    assert.deepEqual(run(['10.0.0.5', '00E081AB12CD', '10.0.0.255', 'ffffffffffff']), {
      kind: 'run',
      device: 'eth0',
      addresses: ['10.0.0.5'],
      sourceMac: '00E081AB12CD',
      targetIp: '10.0.0.255',
      targetMac: 'ffffffffffff',
      mode: 'reply',
      count: 1,
      intervalMs: 0,
    });
  });

  it('-i dev first, then four arguments (as pulse runs it)', () => {
    const c = run(['-i', 'bond0', '10.0.0.5', '00E081AB12CD', '10.0.0.255', 'ffffffffffff']);
    assert.equal(c.device, 'bond0');
    assert.deepEqual(c.addresses, ['10.0.0.5']);
  });

  it('anything else is a usage error with no extra message', () => {
    for (const args of [[], ['a'], ['a', 'b', 'c'], ['a', 'b', 'c', 'd', 'e'], ['-i', 'eth0', 'a', 'b', 'c'], ['-x', 'eth0', 'a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd', '-i', 'eth0'], ['-i', 'eth0', 'a', 'b', 'c', 'd', 'e'], ['-h']])
      assert.deepEqual(parseSendArpArgs(args), { kind: 'usage', message: null }, JSON.stringify(args));
  });

  it("does not treat '-i' elsewhere as an option (the original would read it as an address or MAC)", () => {
    assert.deepEqual(run(['10.0.0.5', '-i', 'x', 'y']).sourceMac, '-i');
  });

  it('has the usage text in the original layout', () => {
    assert.equal(USAGE, 'send_arp: sends out custom ARP packet.\n\tusage: send_arp [-i dev] src_ip_addr src_hw_addr targ_ip_addr targ_hw_addr\n\n');
  });
});

describe('send_arp arguments: the extended grammar', () => {
  it('several addresses before the last three arguments, with every option', () => {
    const c = run(['--mode', 'both', '-i', 'eth1', '--count', '5', '--interval', '0.25', '10.0.0.5', '10.0.0.6', '2001:db8::5', '02:00:00:00:00:01', '10.0.0.255', 'ffffffffffff']);
    assert.deepEqual(c, {
      kind: 'run',
      device: 'eth1',
      addresses: ['10.0.0.5', '10.0.0.6', '2001:db8::5'],
      sourceMac: '02:00:00:00:00:01',
      targetIp: '10.0.0.255',
      targetMac: 'ffffffffffff',
      mode: 'both',
      count: 5,
      intervalMs: 250,
    });
  });

  it('defaults: eth0, reply, one round, one second', () => {
    const c = run(['--interface', 'eth2', 'a', 'b', 'c', 'd']);
    assert.equal(c.device, 'eth2');
    assert.equal(run(['--mode=reply', 'a', 'b', 'c', 'd']).device, 'eth0');
    assert.deepEqual([c.mode, c.count, c.intervalMs], ['reply', 1, 1000]);
  });

  it('usage errors carry a message', () => {
    const usage = (args: string[]): string => {
      const c = parseSendArpArgs(args);
      assert.equal(c.kind, 'usage', JSON.stringify(args));
      return c.kind === 'usage' ? (c.message ?? '') : '';
    };
    assert.match(usage(['--count', '0', 'a', 'b', 'c', 'd']), /--count.*at least 1/);
    assert.match(usage(['--count', '1.5', 'a', 'b', 'c', 'd']), /--count/);
    assert.match(usage(['--interval', '-1', 'a', 'b', 'c', 'd']), /--interval/);
    assert.match(usage(['--interval', 'x', 'a', 'b', 'c', 'd']), /--interval/);
    assert.match(usage(['--mode', 'gratuitous', 'a', 'b', 'c', 'd']), /^send_arp: .*--mode.*reply, request, both/);
    assert.match(usage(['--nope', 'a', 'b', 'c', 'd']), /unknown option '--nope'/);
    assert.match(usage(['--count', '2', 'a', 'b', 'c']), /expected src_ip_addr\.\.\. src_hw_addr targ_ip_addr targ_hw_addr/);
  });

  it('--help and -? give the help text; --version the banner', () => {
    for (const flag of ['--help', '-?']) {
      const c = parseSendArpArgs([flag]);
      assert.equal(c.kind, 'help');
      if (c.kind === 'help') {
        assert.match(c.text, /Usage: send_arp \[-i dev\] \[options\] src_ip_addr\.\.\. src_hw_addr targ_ip_addr targ_hw_addr/);
        for (const word of ['--mode', '--count', '--interval', 'IPv6', 'neighbour advertisement', 'targ_ip_addr is\nnot used']) assert.ok(c.text.includes(word), word);
      }
    }
    assert.deepEqual(parseSendArpArgs(['--version']), { kind: 'version' });
  });
});
