/** The one activity of the bare baseline: does nothing, so only Temporal's cost is measured. */
export function createBareActivities() {
  return {
    async recordDecision(decision: string): Promise<string> {
      return decision;
    },
  };
}

export type BareActivities = ReturnType<typeof createBareActivities>;
