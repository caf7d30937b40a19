import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointStore, writeFileAtomic, type FileCheckpoint } from '../../../../collector/shipper/checkpoint-store';
import { fingerprintOf, identityKey } from '../../../../collector/shipper/file-identity';

const entry = (offset: number): FileCheckpoint => ({
  originPath: '/var/log/a.log', path: '/var/log/a.log', offset, fingerprint: 'abc', fingerprintBytes: 3, lastTimeUs: 1, clockUs: 2, truncations: 0, updatedMs: 3,
});

describe('CheckpointStore', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips, starting empty, creating the folder', () => {
    const store = new CheckpointStore(path.join(dir, 'state'));
    expect(store.load()).toEqual({});
    store.save({ '1:2': entry(10) });
    expect(new CheckpointStore(path.join(dir, 'state')).load()).toEqual({ '1:2': entry(10) });
  });

  it('replaces the file by rename, leaving no temp file behind', () => {
    const store = new CheckpointStore(dir);
    store.save({ '1:2': entry(10) });
    const inodeBefore = fs.statSync(store.path).ino;
    store.save({ '1:2': entry(20) });
    expect(fs.statSync(store.path).ino).not.toBe(inodeBefore);
    expect(fs.readdirSync(dir)).toEqual(['checkpoints.json']);
    expect(store.load()['1:2'].offset).toBe(20);
  });

  it('keeps the old content when writing the temp file fails', () => {
    const file = path.join(dir, 'x.json');
    writeFileAtomic(file, 'old');
    fs.mkdirSync(`${file}.tmp-${process.pid}`); // the temp path is taken: the write fails before the rename
    expect(() => writeFileAtomic(file, 'new')).toThrow();
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
  });

  it('refuses a corrupt checkpoint file instead of starting over', () => {
    fs.writeFileSync(path.join(dir, 'checkpoints.json'), '{"version":2}');
    expect(() => new CheckpointStore(dir).load()).toThrow(/version 1/);
  });
});

describe('file identity', () => {
  it('keys by device and inode; fingerprints the first bytes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ident-'));
    const file = path.join(dir, 'a.log');
    fs.writeFileSync(file, 'hello world\n');
    const fd = fs.openSync(file, 'r');
    expect(identityKey(fs.fstatSync(fd))).toBe(`${fs.statSync(file).dev}:${fs.statSync(file).ino}`);
    expect(fingerprintOf(fd, 5)).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintOf(fd, 5)).not.toBe(fingerprintOf(fd, 6));
    expect(fingerprintOf(fd, 100)).toBe(''); // shorter than asked
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true });
  });
});
