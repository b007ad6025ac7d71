/**
 * The no-edge ablation of each trained agent: the same agent, trained and run with the edge inputs masked. `edge-rl`
 * is hierarchical, so its twin is the hierarchy trained without the edge (`rl-no-edge-meta`: meta features 6-8 and
 * PPO features 11-12 zeroed); `edge-rl-fixed` is the PPO alone, so its twin is the PPO trained without them
 * (`rl-no-edge`). Used by the claims check of `bench` and by `report edge`.
 */
export const NO_EDGE_TWINS: Readonly<Record<string, readonly string[]>> = {
  // In order of preference: a run without the hierarchical twin still gets the PPO-only one.
  'edge-rl': ['rl-no-edge-meta', 'rl-no-edge'],
  'edge-rl-fixed': ['rl-no-edge'],
};

/** The ablation policies themselves (not agents whose claims are checked). */
export const NO_EDGE_ABLATIONS: readonly string[] = [...new Set(Object.values(NO_EDGE_TWINS).flat())];

/** The first of the agent's no-edge twins that `available` accepts; 'rl-no-edge' for an agent without a known twin. */
export function noEdgeTwinOf(agent: string, available: (id: string) => boolean = () => true): string | null {
  for (const id of NO_EDGE_TWINS[agent] ?? ['rl-no-edge']) if (available(id)) return id;
  return null;
}
