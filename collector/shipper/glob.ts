import fs from 'node:fs';
import path from 'node:path';

/**
 * A small glob matcher for file paths: `*` and `?` stay inside one path
 * segment, `**` spans any number of segments, `[abc]` is a character class.
 * Everything else is literal. No dependency, no brace expansion.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        // `**/` matches zero or more whole segments; a trailing `**` matches anything below
        if (pattern[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close === -1) {
        re += '\\[';
      } else {
        let body = pattern.slice(i + 1, close).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += `[${body}]`;
        i = close;
      }
    } else {
      re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

/** `text` as a glob that matches only itself: `*`, `?` and `[` become one-character classes. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[]/g, '[$&]');
}

/** True when the pattern has glob syntax (otherwise it names one file). */
export function hasMagic(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** The longest leading directory of the pattern without glob syntax: where the walk starts. */
export function staticBase(pattern: string): string {
  const segments = pattern.split('/');
  const base: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (hasMagic(segment)) break;
    base.push(segment);
  }
  const joined = base.join('/');
  return joined === '' ? (pattern.startsWith('/') ? '/' : '.') : joined;
}

/** Most directory entries visited per expansion, so `/**` cannot walk a whole disk. */
const MAX_VISITED = 100_000;

/**
 * Regular files matching an absolute glob pattern, sorted. Directories that
 * cannot be read are skipped; the walk does not follow directory symlinks.
 */
export function expandGlob(pattern: string): string[] {
  const absolute = path.resolve(pattern);
  if (!hasMagic(absolute)) {
    try {
      return fs.statSync(absolute).isFile() ? [absolute] : [];
    } catch {
      return [];
    }
  }
  const matcher = globToRegExp(absolute);
  const recursive = absolute.includes('**');
  const depth = absolute.split('/').length - staticBase(absolute).split('/').length;
  const found: string[] = [];
  let visited = 0;
  const walk = (dir: string, level: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (++visited > MAX_VISITED) return;
      const full = dir === '/' ? `/${entry.name}` : `${dir}/${entry.name}`;
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          isFile = fs.statSync(full).isFile();
        } catch {
          continue;
        }
      }
      if (isFile) {
        if (matcher.test(full)) found.push(full);
      } else if (entry.isDirectory() && (recursive || level + 1 < depth)) {
        walk(full, level + 1);
      }
    }
  };
  walk(staticBase(absolute), 0);
  return found.sort();
}
