import { SyslogFramer } from '../../../../collector/syslog/framing';

const text = (frames: Buffer[]) => frames.map((f) => f.toString('utf8'));

describe('SyslogFramer', () => {
  it('splits newline-framed messages, tolerating CRLF and NUL', () => {
    const f = new SyslogFramer(1024);
    expect(text(f.push(Buffer.from('<13>a: one\n<13>a: two\r\n<13>a: three\0\n<13>a: par')))).toEqual(['<13>a: one', '<13>a: two', '<13>a: three']);
    expect(text(f.push(Buffer.from('tial\n')))).toEqual(['<13>a: partial']);
  });

  it('reads octet-counted frames split at every byte across chunks, including the length prefix', () => {
    const msgs = ['<14>1 - h app - - - hello', '<14>1 - h app - - - line with\nnewline inside', '<14>1 - h app - - - ünïcode'];
    const wire = Buffer.concat(msgs.map((m) => Buffer.from(`${Buffer.byteLength(m)} ${m}`)));
    const f = new SyslogFramer(1024);
    const got: string[] = [];
    for (let i = 0; i < wire.length; i++) got.push(...text(f.push(wire.subarray(i, i + 1))));
    expect(got).toEqual(msgs);
    expect(f.bufferedBytes).toBe(0);
  });

  it('mixes both framings on one stream', () => {
    const f = new SyslogFramer(1024);
    expect(text(f.push(Buffer.from('5 <1>ab<13>x: nl\n3 <2>')))).toEqual(['<1>ab', '<13>x: nl', '<2>']);
  });

  it('skips oversized frames of either framing, counts them, and carries on', () => {
    const f = new SyslogFramer(10);
    const big = 'x'.repeat(50);
    expect(text(f.push(Buffer.from(`50 ${big.slice(0, 20)}`)))).toEqual([]);
    expect(text(f.push(Buffer.from(`${big.slice(20)}5 <1>ok`)))).toEqual(['<1>ok']);
    expect(text(f.push(Buffer.from(`<1>${big}`)))).toEqual([]);
    expect(text(f.push(Buffer.from(`${big}\n<1>fine\n`)))).toEqual(['<1>fine']);
    expect(f.oversized).toBe(2);
  });

  it('treats digits not followed by a space as a newline-framed message', () => {
    const f = new SyslogFramer(1024);
    expect(text(f.push(Buffer.from('2024-01-01 was a year\n')))).toEqual(['2024-01-01 was a year']);
  });

  it('end() keeps an unterminated line but not a partial counted frame', () => {
    const f = new SyslogFramer(1024);
    f.push(Buffer.from('<13>x: last'));
    expect(text(f.end())).toEqual(['<13>x: last']);
    const g = new SyslogFramer(1024);
    g.push(Buffer.from('20 <13>x: cut'));
    expect(g.end()).toEqual([]);
  });
});
