import { ValidationError } from '../../core/errors';
import type { InputLimits } from '../../core/limits';
import type { Span } from '../../core/model';
import { decodeTraceRequestJson } from '../../core/otlp';
import { zipkinProtoToJsonSpans } from './decode-zipkin-proto';
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
  return decodeZipkinSpans(parsed, limits);
}

/** A Zipkin proto3 ListOfSpans → model spans, by the same translation and rules as JSON. */
export function decodeZipkinProto(body: Buffer, limits?: Partial<InputLimits>): Span[] {
  return decodeZipkinSpans(zipkinProtoToJsonSpans(body), limits);
}

function decodeZipkinSpans(list: unknown, limits?: Partial<InputLimits>): Span[] {
  const { request } = zipkinSpansToOtlpJson(list);
  const decoded = decodeTraceRequestJson(request, limits);
  if (decoded.rejected > 0) throw new ValidationError(`${decoded.rejected} span(s) refused: ${decoded.rejectReasons.join('; ')}`, 'body');
  return decoded.spans;
}
