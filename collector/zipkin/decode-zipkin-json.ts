import { ValidationError } from '../../core/errors';
import type { InputLimits } from '../../core/limits';
import type { Span } from '../../core/model';
import { decodeTraceRequestJson } from '../../core/otlp';
import { zipkinSpansToOtlpJson } from './zipkin-to-otlp';

/**
 * A Zipkin v2 JSON body (`[span, …]`) → model spans: translated to OTLP/JSON
 * (zipkin-to-otlp.ts), then decoded by the OTLP codec with its validation and
 * input limits. All or nothing, as Zipkin has no partial success: a body that
 * is not JSON, or any span the translation or the codec refuses, throws a
 * ValidationError naming it.
 */
export function decodeZipkinJson(body: Buffer, limits?: Partial<InputLimits>): Span[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new ValidationError(`request body is not valid JSON: ${(err as Error).message}`, 'body');
  }
  const { request } = zipkinSpansToOtlpJson(parsed);
  const decoded = decodeTraceRequestJson(request, limits);
  if (decoded.rejected > 0) throw new ValidationError(`${decoded.rejected} span(s) refused: ${decoded.rejectReasons.join('; ')}`, 'body');
  return decoded.spans;
}
