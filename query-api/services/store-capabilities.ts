import { needsFullText, type LogStore, type LogFilterQuery } from '../../core/contracts/log-store';
import type { SpanStore } from '../../core/contracts/span-store';
import { ValidationError } from '../../core/errors';

/**
 * The API's side of the stores' capabilities: a request that needs what the
 * configured backend lacks is a 400 that says so and names the parameter,
 * never an empty answer that looks like "no match".
 */

/** `q` with free text (words, phrases, prefixes of the body) needs a log store with full text. */
export function requireFullText(store: LogStore, query: Pick<LogFilterQuery, 'filter' | 'text'>): void {
  if (!store.capabilities.fullText && needsFullText(query)) {
    throw new ValidationError(
      `the log store (${store.capabilities.backend}) has no full-text search: q may filter by field (service:, level:, trace_id:, attributes) but not by words of the message`,
      'q',
    );
  }
}

/** `attr` / `tags` need a span store with attribute search. */
export function requireAttributeSearch(store: SpanStore, parameter: 'attr' | 'tags'): void {
  if (!store.capabilities.attributeSearch) {
    throw new ValidationError(`the span store (${store.capabilities.backend}) cannot search traces by attribute: leave out ${parameter}`, parameter);
  }
}
