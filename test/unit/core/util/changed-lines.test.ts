import { printWhenChanged } from '../../../../core/util/changed-lines';

describe('printWhenChanged (STATUS_LINES=changed)', () => {
  it('prints a status line only when it differs from the last one printed', () => {
    const printed: string[] = [];
    const print = printWhenChanged((line) => printed.push(line));
    for (const line of ['shipped 0', 'shipped 0', 'shipped 5', 'shipped 5', 'shipped 5', 'shipped 0']) print(line);
    expect(printed).toEqual(['shipped 0', 'shipped 5', 'shipped 0']);
  });
});
