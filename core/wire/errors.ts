/** Every error answer of /api/*: `parameter` names the bad input of a 400; a query-language error says where it went wrong. */
export interface ErrorView {
  error: string;
  parameter?: string;
  position?: number;
  expected?: string[];
}
