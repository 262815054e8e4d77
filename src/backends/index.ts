// The registry of backends: one file each, one interface for all.
import type { BackendName } from '../core/backendTraits.js';
import type { Backend } from './backend.js';
import { buildkitBackend } from './buildkit.js';
import { kanikoBackend } from './kaniko.js';
import { koBackend } from './ko.js';
import { spinBackend } from './spin.js';

const backends: Record<BackendName, Backend> = {
  ko: koBackend,
  kaniko: kanikoBackend,
  buildkit: buildkitBackend,
  spin: spinBackend,
};

export function backendFor(name: BackendName): Backend {
  return backends[name];
}
