// Which directories a CI run builds, decided from the triggering event. Explicit inputs win over
// the event, so a workflow author can always force a mode.
import type { SelectionMode } from './model.js';

export interface SelectionInputs {
  since?: string;
  dirs?: string[];
  rebuildList?: string;
}

export interface EventContext {
  eventName: string;
  /** The parsed webhook payload (GITHUB_EVENT_PATH). */
  payload: Record<string, unknown>;
}

const ZERO_SHA = /^0{40}$/;
export const DEFAULT_REBUILD_LIST = 'rebuild-weekly.txt';

function field(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const key of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function selectionFromEvent(event: EventContext, inputs: SelectionInputs): { mode: SelectionMode; why: string } {
  if (inputs.dirs?.length) return { mode: { kind: 'dirs', dirs: inputs.dirs }, why: 'the dirs input lists them' };
  if (inputs.since) return { mode: { kind: 'since', rev: inputs.since }, why: `changed since ${inputs.since} (since input)` };
  switch (event.eventName) {
    case 'pull_request':
    case 'pull_request_target': {
      const base = field(event.payload, 'pull_request', 'base', 'sha');
      if (typeof base === 'string' && base)
        return { mode: { kind: 'since', rev: base }, why: `changed since the PR base ${base.slice(0, 7)}` };
      return { mode: { kind: 'all' }, why: 'pull request without a base sha: building everything' };
    }
    case 'push': {
      const before = field(event.payload, 'before');
      if (typeof before === 'string' && before && !ZERO_SHA.test(before)) {
        return { mode: { kind: 'since', rev: before }, why: `changed since the previous push ${before.slice(0, 7)}` };
      }
      return { mode: { kind: 'all' }, why: 'first push of this branch: building everything' };
    }
    case 'schedule':
      return {
        mode: { kind: 'rebuild-list', file: inputs.rebuildList || DEFAULT_REBUILD_LIST },
        why: `scheduled rebuild of the dirs listed in ${inputs.rebuildList || DEFAULT_REBUILD_LIST}`,
      };
    case 'workflow_dispatch': {
      const dirs = field(event.payload, 'inputs', 'dirs');
      if (typeof dirs === 'string' && dirs.trim()) {
        const list = dirs.split(/[,\s]+/).filter(Boolean);
        return { mode: { kind: 'dirs', dirs: list }, why: 'manual run for the dirs asked for' };
      }
      return { mode: { kind: 'all' }, why: 'manual run: building everything' };
    }
    default:
      if (inputs.rebuildList)
        return { mode: { kind: 'rebuild-list', file: inputs.rebuildList }, why: `dirs listed in ${inputs.rebuildList}` };
      return { mode: { kind: 'all' }, why: `${event.eventName || 'local'} run: building everything` };
  }
}
