import { quantize, interpolateSinebow, scaleOrdinal, schemeTableau10, type ScaleOrdinal } from 'd3';

/** One colour per service, stable for a sorted service list. */
export function serviceColors(services: string[]): ScaleOrdinal<string, string> {
  const range = services.length <= 10 ? [...schemeTableau10] : quantize((t) => interpolateSinebow(t * 0.92), services.length);
  return scaleOrdinal<string, string>().domain(services).range(range);
}
