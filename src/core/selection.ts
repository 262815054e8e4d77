// Which directories a CI run builds, decided from the triggering event. Explicit inputs win over
// the event, so a workflow author can always force a mode.
import type { SelectionMode } from './model.js';
import type { RunContext } from './runContext.js';

export interface SelectionInputs {
  since?: string;
  dirs?: string[];
  rebuildList?: string;
}

const ZERO_SHA = /^0{40}$/;
export const DEFAULT_REBUILD_LIST = 'rebuild-weekly.txt';

/** What of the run's context decides the selection. */
export type SelectionContext = Pick<RunContext, 'eventName' | 'before' | 'pullRequest' | 'dispatchInputs'>;

export function selectionFromEvent(event: SelectionContext, inputs: SelectionInputs): { mode: SelectionMode; why: string } {
  if (inputs.dirs?.length) return { mode: { kind: 'dirs', dirs: inputs.dirs }, why: 'the dirs input lists them' };
  if (inputs.since) return { mode: { kind: 'since', rev: inputs.since }, why: `changed since ${inputs.since} (since input)` };
  switch (event.eventName) {
    case 'pull_request':
    case 'pull_request_target': {
      const base = event.pullRequest?.baseSha;
      if (base) return { mode: { kind: 'since', rev: base }, why: `changed since the PR base ${base.slice(0, 7)}` };
      return { mode: { kind: 'all' }, why: 'pull request without a base sha: building everything' };
    }
    case 'push': {
      const before = event.before;
      if (before && !ZERO_SHA.test(before)) {
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
      const dirs = event.dispatchInputs?.dirs;
      if (dirs?.trim()) {
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
