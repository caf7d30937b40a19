import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseShipArgs, shipperOptionsFromConfig, ShipUsageError, type ShipperOptions } from '../../../../collector/shipper';

const base = ['--endpoint', 'http://127.0.0.1:4318', '--state-dir', '/tmp/ship-state'];

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShipUsageError);
    return (err as Error).message;
  }
  throw new Error('expected a ShipUsageError');
}

function writeConfig(content: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ship-cli-')), 'ship.json');
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('chainscope ship --service-from', () => {
  it('is absent unless given', () => {
    const options = parseShipArgs(['--path', '/l/*.log', '--service', 'app', ...base]) as ShipperOptions;
    expect(options.sources[0].serviceFrom).toBeUndefined();
  });

  it('reads field:<name> and file, repeatable, in order', () => {
    const options = parseShipArgs(['--path', '/l/*.log', '--service', 'app', '--service-from', 'field:service', '--service-from=file', ...base]) as ShipperOptions;
    expect(options.sources[0]).toMatchObject({ service: 'app', serviceFrom: [{ kind: 'field', name: 'service' }, { kind: 'file' }] });
  });

  it('refuses a bad value, naming it', () => {
    expect(usageError(() => parseShipArgs(['--path', '/l/*.log', '--service', 'app', '--service-from', 'filename', ...base]))).toBe(
      '--service-from must be field:<name> or file, got "filename"',
    );
    expect(usageError(() => parseShipArgs(['--path', '/l/*.log', '--service', 'app', '--service-from', 'field:', ...base]))).toMatch(/--service-from needs a field name after "field:"/);
  });

  it('still needs --service (the fallback) and a --path', () => {
    expect(usageError(() => parseShipArgs(['--path', '/l/*.log', '--service-from', 'file', ...base]))).toMatch(/--service is required/);
    expect(usageError(() => parseShipArgs(['--service-from', 'file', ...base]))).toMatch(/--service-from.*describe a --path/);
  });

  it('bounds --service', () => {
    expect(usageError(() => parseShipArgs(['--path', '/l/*.log', '--service', 'x'.repeat(257), ...base]))).toMatch(/--service must be at most 256 characters, got 257/);
  });
});

describe('serviceFrom in the config file', () => {
  it('takes a string or a list', () => {
    const file = writeConfig({
      endpoint: 'http://127.0.0.1:4318',
      stateDir: 'state',
      sources: [
        { paths: ['a/*.log'], service: 'a', serviceFrom: 'field:app', format: 'logfmt' },
        { paths: ['b/*.log'], service: 'b', serviceFrom: ['field:service.name', 'file'], format: 'json' },
        { paths: ['c/*.log'], service: 'c' },
      ],
    });
    const options = parseShipArgs(['--config', file]) as ShipperOptions;
    expect(options.sources.map((s) => s.serviceFrom)).toEqual([[{ kind: 'field', name: 'app' }], [{ kind: 'field', name: 'service.name' }, { kind: 'file' }], undefined]);
  });

  it('refuses bad values naming the source and the value', () => {
    const bad = (serviceFrom: unknown) => writeConfig({ endpoint: 'http://127.0.0.1:4318', stateDir: 's', sources: [{ paths: ['*.log'], service: 'a', serviceFrom }] });
    expect(usageError(() => parseShipArgs(['--config', bad('host')]))).toBe('--config: sources[0].serviceFrom must be field:<name> or file, got "host"');
    expect(usageError(() => parseShipArgs(['--config', bad(['file', 'field:'])]))).toMatch(/sources\[0\]\.serviceFrom needs a field name/);
    expect(usageError(() => parseShipArgs(['--config', bad(7)]))).toBe('--config: sources[0].serviceFrom must be "field:<name>", "file" or a list of them, got 7');
    expect(usageError(() => parseShipArgs(['--config', bad([{ field: 'x' }])]))).toMatch(/serviceFrom must be "field:<name>", "file" or a list of them, got \[\{"field":"x"\}\]/);
  });

  it('lists serviceFrom among the known keys of a source', () => {
    const file = writeConfig({ endpoint: 'http://127.0.0.1:4318', stateDir: 's', sources: [{ paths: ['*.log'], service: 'a', serviceFrm: 'file' }] });
    expect(usageError(() => parseShipArgs(['--config', file]))).toBe('--config: sources[0].serviceFrm is unknown (known: paths, service, serviceFrom, format, multiline)');
  });
});

describe('the all-in-one source (LOG_SERVICE_FROM)', () => {
  const config = { logPaths: ['/l/*.log'], logService: 'app', logServiceFrom: [] as string[], logFormat: 'json', logMultilineStart: '', dataDir: '/tmp/d', businessKeys: [] };

  it('passes the rules on to its source', () => {
    expect(shipperOptionsFromConfig(config, 'http://x').sources[0].serviceFrom).toBeUndefined();
    expect(shipperOptionsFromConfig({ ...config, logServiceFrom: ['field:svc', 'file'] }, 'http://x').sources[0].serviceFrom).toEqual([{ kind: 'field', name: 'svc' }, { kind: 'file' }]);
  });

  it('names the variable in a usage error', () => {
    expect(usageError(() => shipperOptionsFromConfig({ ...config, logServiceFrom: ['nope'] }, 'http://x'))).toBe('LOG_SERVICE_FROM must be field:<name> or file, got "nope"');
  });
});
