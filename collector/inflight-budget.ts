import { OverloadedError } from '../core/errors';

/** What one request holds of the budget; give it back with {@link InflightBudget.release}. */
export interface BudgetHold {
  bytes: number;
}

/**
 * Request bytes received and being decoded or published at once
 * (MAX_INFLIGHT_BYTES), one budget per receiver. A request
 * always passes when nothing else is in flight, so one large request is never
 * refused; a request whose next bytes would pass the budget is refused with
 * OverloadedError (503 / RESOURCE_EXHAUSTED).
 */
export class InflightBudget {
  private held = 0;

  constructor(
    private readonly maxBytes: number,
    /** Called on each refusal (a counter). */
    private readonly onRefused: () => void = () => {},
  ) {}

  get bytesInFlight(): number {
    return this.held;
  }

  hold(hold: BudgetHold, bytes: number): void {
    const others = this.held - hold.bytes;
    if (others > 0 && this.held + bytes > this.maxBytes) {
      this.onRefused();
      throw new OverloadedError('collector is busy: too many request bytes in flight', 1);
    }
    this.held += bytes;
    hold.bytes += bytes;
  }

  release(hold: BudgetHold): void {
    this.held -= hold.bytes;
    hold.bytes = 0;
  }
}
