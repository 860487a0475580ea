/** A refusal by the access rules (permission or approval limit). The HTTP layer answers it with 403. */
export class AccessError extends Error {
  constructor(
    message: string,
    /** Facts the caller may show, e.g. the limits that applied. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AccessError';
  }
}
