/**
 * For periodic status lines: prints a line only when it differs from the last
 * one printed, so an idle process stays quiet (STATUS_LINES=changed).
 */
export function printWhenChanged(log: (line: string) => void): (line: string) => void {
  let last: string | undefined;
  return (line) => {
    if (line === last) return;
    last = line;
    log(line);
  };
}
