import { ValidationError } from '../errors';

/** A query the parser refuses, with where (0-based character offset) and what it expected there. */
export class LogQuerySyntaxError extends ValidationError {
  constructor(
    readonly reason: string,
    readonly position: number,
    readonly expected: string[],
    parameter = 'q',
  ) {
    super(`${reason} at ${position}`, parameter);
  }

  toJSON(): { error: string; parameter: string | undefined; position: number; expected: string[] } {
    return { error: this.message, parameter: this.parameter, position: this.position, expected: this.expected };
  }
}
