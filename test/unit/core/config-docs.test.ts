import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_ENV_VARS } from '../../../core/config';

describe('docs/configuration.md', () => {
  it('documents every configuration variable', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/configuration.md'), 'utf8');
    const missing = Object.values(CONFIG_ENV_VARS).filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
