import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { escapeGlob, expandGlob, globToRegExp, staticBase } from '../../../../collector/shipper/glob';

describe('globToRegExp', () => {
  it.each([
    ['/var/log/*.log', '/var/log/app.log', true],
    ['/var/log/*.log', '/var/log/sub/app.log', false],
    ['/var/log/app?.log', '/var/log/app1.log', true],
    ['/var/log/app?.log', '/var/log/app12.log', false],
    ['/var/log/**/*.log', '/var/log/app.log', true],
    ['/var/log/**/*.log', '/var/log/a/b/app.log', true],
    ['/var/log/app.log*', '/var/log/app.log.1', true],
    ['/var/log/[ab].log', '/var/log/b.log', true],
    ['/var/log/[!ab].log', '/var/log/b.log', false],
    ['/var/log/a+b(1).log', '/var/log/a+b(1).log', true],
    ['/var/log/a.log', '/var/log/aXlog', false],
  ])('%s matches %s: %s', (pattern, file, expected) => {
    expect(globToRegExp(pattern).test(file)).toBe(expected);
  });

  it('finds the static base folder', () => {
    expect(staticBase('/var/log/*/x.log')).toBe('/var/log');
    expect(staticBase('/var/log/app.log')).toBe('/var/log');
  });
});

describe('expandGlob', () => {
  it('lists matching files, recursing only for **', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glob-'));
    for (const f of ['a.log', 'b.txt', 'sub/c.log', 'sub/deep/d.log']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), 'x');
    }
    expect(expandGlob(`${dir}/*.log`)).toEqual([`${dir}/a.log`]);
    expect(expandGlob(`${dir}/**/*.log`)).toEqual([`${dir}/a.log`, `${dir}/sub/c.log`, `${dir}/sub/deep/d.log`]);
    expect(expandGlob(`${dir}/*/c.log`)).toEqual([`${dir}/sub/c.log`]);
    expect(expandGlob(`${dir}/b.txt`)).toEqual([`${dir}/b.txt`]);
    expect(expandGlob(`${dir}/missing/*.log`)).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });

  it('escapeGlob: a folder with glob characters in its name matches only itself', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glob-'));
    for (const f of ['data[1]*?/a.log', 'data1xy/b.log']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), 'x');
    }
    expect(escapeGlob('/d/a[1]*?')).toBe('/d/a[[]1][*][?]');
    expect(expandGlob(`${escapeGlob(`${dir}/data[1]*?`)}/*.log`)).toEqual([`${dir}/data[1]*?/a.log`]);
    fs.rmSync(dir, { recursive: true });
  });
});
