import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './wait';

const ENTRY = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'chainscope.js');

export interface RoleProcess {
  child: ChildProcess;
  output: () => string;
  /** Waits until the process printed a line matching `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends a signal and waits for the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `chainscope <role>` from dist/ as its own process, as an operator would. */
export function spawnRole(role: string, env: Record<string, string>): RoleProcess {
  const child = spawn(process.execPath, [ENTRY, role], {
    env: { ...process.env, DEMO: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    waitForOutput: (pattern, timeoutMs = 30_000) =>
      waitFor(() => {
        if (child.exitCode !== null) throw new Error(`${role} exited with ${child.exitCode}:\n${out}`);
        return out.match(pattern) ?? undefined;
      }, `${role} to print ${pattern}`, timeoutMs),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
