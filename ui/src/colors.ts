import { quantize, interpolateSinebow, scaleOrdinal, type ScaleOrdinal } from 'd3';

/** Tableau 10 without its red and pink: red marks errors in the waterfall and must not mean a service. */
const PALETTE = ['#4e79a7', '#f28e2c', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#9c755f', '#bab0ab'];

/** One colour per service, stable for a sorted service list. */
export function serviceColors(services: string[]): ScaleOrdinal<string, string> {
  const range = services.length <= PALETTE.length ? PALETTE : quantize((t) => interpolateSinebow(0.1 + t * 0.8), services.length);
  return scaleOrdinal<string, string>().domain(services).range(range);
}
