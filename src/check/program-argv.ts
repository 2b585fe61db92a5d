/**
 * send_program's command line as nanny builds it: no shell and no quoting; the string is split
 * on spaces (strtok(" "): runs of spaces separate, tabs do not), and a word that is exactly `%h`
 * becomes the real server's address, exactly `%p` its port. `%h` inside a word (`--host=%h`)
 * stays as written, as in piranha: words like `date +%h` exist, so substituting inside words
 * would change working commands. Wrap such a program in a script that takes `%h %p` as words.
 */

/** splitCommand splits a send_program string into words the way strtok(s, " ") does. */
export function splitCommand(command: string): string[] {
  return command.split(' ').filter((w) => w !== '');
}

/** substituteArgs replaces the words `%h` and `%p` with the address and the port. */
export function substituteArgs(words: readonly string[], host: string, port: number): string[] {
  return words.map((w) => (w === '%h' ? host : w === '%p' ? String(port) : w));
}

/** buildArgv is splitCommand then substituteArgs. */
export function buildArgv(command: string, host: string, port: number): string[] {
  return substituteArgs(splitCommand(command), host, port);
}
