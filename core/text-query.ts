import { ValidationError } from './errors';
import type { TextQuery } from './contracts/log-store';

export const MAX_TEXT_QUERY_LENGTH = 1024;
export const MAX_TEXT_QUERY_PARTS = 32;

/**
 * Splits free text into words and "quoted phrases". Quotes are the only
 * syntax; everything else is a literal word, so stores can never mistake user
 * text for query syntax. An unclosed quote runs to the end of the text.
 */
export function parseTextQuery(text: string, parameter = 'q'): TextQuery {
  if (text.length > MAX_TEXT_QUERY_LENGTH) {
    throw new ValidationError(`${parameter} is longer than ${MAX_TEXT_QUERY_LENGTH} characters`, parameter);
  }
  const terms: string[] = [];
  const phrases: string[] = [];
  const re = /"([^"]*)"?|([^\s"]+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) {
      const phrase = m[1].trim().replace(/\s+/g, ' ');
      if (phrase) phrases.push(phrase);
    } else if (m[2]) {
      terms.push(m[2]);
    }
  }
  if (terms.length + phrases.length > MAX_TEXT_QUERY_PARTS) {
    throw new ValidationError(`${parameter} has more than ${MAX_TEXT_QUERY_PARTS} words and phrases`, parameter);
  }
  return { terms, phrases };
}
