import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clickhouseConnection } from '../../../bin/backends';
import { loadConfig } from '../../../core/config';
import { ValidationError } from '../../../core/errors';

const DAY_US = 86_400_000_000;

describe('config: RETENTION and MAX_DISK_BYTES', () => {
  it('RETENTION: an age in minutes, hours, days or weeks, or off; a week by default', () => {
    expect(loadConfig({}).retention).toBe(7 * DAY_US);
    expect(loadConfig({ RETENTION: '30m' }).retention).toBe(30 * 60_000_000);
    expect(loadConfig({ RETENTION: '12h' }).retention).toBe(12 * 3_600_000_000);
    expect(loadConfig({ RETENTION: '14D' }).retention).toBe(14 * DAY_US);
    expect(loadConfig({ RETENTION: '2w' }).retention).toBe(14 * DAY_US);
    for (const off of ['off', 'none', 'forever', 'OFF']) expect(loadConfig({ RETENTION: off }).retention).toBeNull();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-config-')), 'c.json');
    fs.writeFileSync(file, '{"retention": "3d", "maxDiskBytes": "2GiB"}');
    expect(loadConfig({ CONFIG_FILE: file })).toMatchObject({ retention: 3 * DAY_US, maxDiskBytes: 2 * 2 ** 30 });
  });

  it('MAX_DISK_BYTES: bytes, or with a binary unit; unlimited by default', () => {
    expect(loadConfig({}).maxDiskBytes).toBeNull();
    expect(loadConfig({ MAX_DISK_BYTES: '1073741824' }).maxDiskBytes).toBe(2 ** 30);
    expect(loadConfig({ MAX_DISK_BYTES: '512MiB' }).maxDiskBytes).toBe(512 * 2 ** 20);
    expect(loadConfig({ MAX_DISK_BYTES: '10G' }).maxDiskBytes).toBe(10 * 2 ** 30);
    expect(loadConfig({ MAX_DISK_BYTES: '1.5 GiB' }).maxDiskBytes).toBe(1.5 * 2 ** 30);
    expect(loadConfig({ MAX_DISK_BYTES: 'unlimited' }).maxDiskBytes).toBeNull();
  });

  it('CLICKHOUSE_RETENTION_DAYS: whole days, or off; kept forever by default; the ClickHouse span and metric stores get it', () => {
    expect(loadConfig({}).clickhouseRetentionDays).toBeNull();
    expect(loadConfig({ CLICKHOUSE_RETENTION_DAYS: '30' }).clickhouseRetentionDays).toBe(30);
    expect(loadConfig({ CLICKHOUSE_RETENTION_DAYS: 'off' }).clickhouseRetentionDays).toBeNull();
    expect(clickhouseConnection(loadConfig({ CLICKHOUSE_RETENTION_DAYS: '14' }))).toMatchObject({ retentionDays: 14 });
    expect(clickhouseConnection(loadConfig({}))).not.toHaveProperty('retentionDays');
  });

  it.each([
    ['CLICKHOUSE_RETENTION_DAYS', '0'],
    ['CLICKHOUSE_RETENTION_DAYS', '7d'],
    ['CLICKHOUSE_RETENTION_DAYS', '3651'],
    ['RETENTION', '7'],
    ['RETENTION', '7 days'],
    ['RETENTION', '0m'],
    ['RETENTION', '3651d'],
    ['RETENTION', '-1d'],
    ['MAX_DISK_BYTES', '1MiB'],
    ['MAX_DISK_BYTES', '10GB!'],
    ['MAX_DISK_BYTES', '2PiB'],
    ['MAX_DISK_BYTES', 'lots'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).parameter).toBe(name);
    expect((err as ValidationError).message).toContain(name);
  });
});
