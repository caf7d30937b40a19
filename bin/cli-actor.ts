import os from 'node:os';

/** Who ran a chainscope command, as the audit log names it: `cli:<user>`. */
export function cliActor(): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = 'unknown';
  }
  return `cli:${user}`;
}
