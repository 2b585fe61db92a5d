/**
 * Running parsed ipvsadm commands against an IpvsClient: what `lvsadm` does once its argv is
 * parsed, and what `lvsadm -R` does for each saved line (pipelined where order allows).
 */
import type { IpvsClient } from './client.js';
import { formatDaemons, formatList, formatSave, formatTimeouts } from './format.js';
import { parseIpvsadmArgs, splitSavedLine, type IpvsadmCommand } from './ipvsadm-args.js';
import { readTable, type ActualTable } from './reconcile.js';
import type { ServiceKey } from './types.js';

/** runCommand executes one command and returns what it prints on stdout. */
export async function runCommand(client: IpvsClient, cmd: IpvsadmCommand, input: () => Promise<string> = () => Promise.resolve('')): Promise<string> {
  switch (cmd.kind) {
    case 'add-service':
      await client.addService(cmd.service);
      return '';
    case 'edit-service':
      await client.editService(cmd.service);
      return '';
    case 'delete-service':
      await client.deleteService(cmd.key);
      return '';
    case 'add-server':
      await client.addDestination(cmd.key, cmd.destination);
      return '';
    case 'edit-server':
      await client.editDestination(cmd.key, cmd.destination);
      return '';
    case 'delete-server':
      await client.deleteDestination(cmd.key, cmd.destination);
      return '';
    case 'clear':
      await client.flush();
      return '';
    case 'zero':
      await client.zero(cmd.key ?? undefined);
      return '';
    case 'set-timeouts':
      await client.setTimeouts(cmd.timeouts);
      return '';
    case 'start-daemon':
      await client.startDaemon(cmd.daemon);
      return '';
    case 'stop-daemon':
      await client.stopDaemon(cmd.state);
      return '';
    case 'save':
      return formatSave(await readTable(client));
    case 'restore':
      await restore(client, await input());
      return '';
    case 'list': {
      if (cmd.options.timeout) return formatTimeouts(await client.timeouts());
      if (cmd.options.daemon) return formatDaemons(await client.daemons());
      const [info, table] = await Promise.all([client.info(), cmd.key === null ? readTable(client) : oneService(client, cmd.key)]);
      return formatList(info, table, cmd.options);
    }
    case 'help':
    case 'version':
      return '';
  }
}

async function oneService(client: IpvsClient, key: ServiceKey): Promise<ActualTable> {
  const service = await client.service(key);
  return [{ service, destinations: await client.destinations(key) }];
}

/** RestoreError names the line of the saved table that failed. */
export class RestoreError extends Error {
  readonly code = 'IPVSADM_RESTORE';
  constructor(
    readonly line: number,
    readonly text: string,
    options: { cause: unknown },
  ) {
    super(`line ${line}: ${text}: ${(options.cause as Error).message}`, options);
    this.name = 'RestoreError';
  }
}

/**
 * restore runs the lines of an `ipvsadm -S` file. When the file only adds services and servers
 * (what -S writes), services are created first and servers next, each group pipelined; any
 * other mix runs line by line in file order.
 */
export async function restore(client: IpvsClient, text: string): Promise<void> {
  const lines = text
    .split('\n')
    .map((t, i) => ({ number: i + 1, text: t.trim() }))
    .filter((l) => l.text !== '' && !l.text.startsWith('#'));
  const parsed = lines.map((l) => {
    try {
      return { ...l, cmd: parseIpvsadmArgs(splitSavedLine(l.text)) };
    } catch (cause) {
      throw new RestoreError(l.number, l.text, { cause });
    }
  });
  const run = async (p: (typeof parsed)[number]): Promise<void> => {
    try {
      await runCommand(client, p.cmd);
    } catch (cause) {
      throw new RestoreError(p.number, p.text, { cause });
    }
  };
  if (parsed.every((p) => p.cmd.kind === 'add-service' || p.cmd.kind === 'add-server')) {
    await Promise.all(parsed.filter((p) => p.cmd.kind === 'add-service').map(run));
    await Promise.all(parsed.filter((p) => p.cmd.kind === 'add-server').map(run));
    return;
  }
  for (const p of parsed) await run(p);
}
