// Which buildkitd a local run's BuildKit legs use (issue 11: two runs at once restarted one
// builder under each other).
import { createHash } from 'node:crypto';
import { isLoopbackRegistry } from '../tools/localServices.js';

/** The buildx builder (and buildkitd) that local runs share; HEPHY_RUN_BUILDER renames it. */
export const SHARED_RUN_BUILDER = 'hephy-run';

export interface RunBuilder {
  name: string;
  /** Registries it must list in buildkitd.toml when it starts; empty: loopback needs none. */
  registries: string[];
  /** HEPHY_BUILDX_BUILDER, used as it is; else one that runs share (started unless it runs). */
  given: boolean;
}

/**
 * The builder of a run's BuildKit legs. A run never stops or restarts one, so two runs at once
 * don't break each other's builds; which one a run takes depends on whether BuildKit must be told
 * about its registry, which it reads only when buildkitd starts: a loopback registry (the
 * throwaway default) needs nothing (isLoopbackRegistry), so every such run shares one builder;
 * any other registry gets a builder of its own name, listing it, shared by runs pushing there.
 */
export function runBuilder(env: NodeJS.ProcessEnv, registry: string): RunBuilder {
  if (env.HEPHY_BUILDX_BUILDER) return { name: env.HEPHY_BUILDX_BUILDER, registries: [], given: true };
  const shared = env.HEPHY_RUN_BUILDER || SHARED_RUN_BUILDER;
  if (isLoopbackRegistry(registry)) return { name: shared, registries: [], given: false };
  const tag = createHash('sha256').update(registry).digest('hex').slice(0, 8);
  return { name: `${shared}-${tag}`, registries: [registry], given: false };
}
