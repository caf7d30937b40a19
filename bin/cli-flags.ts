/** A command line the user got wrong: the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

/** `--name value` pairs of the `known` names; anything else is a UsageError. */
export function parseFlags(args: string[], known: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    if (!known.includes(name)) throw new UsageError(`unknown argument "${name}"`);
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    flags[name] = value;
  }
  return flags;
}
