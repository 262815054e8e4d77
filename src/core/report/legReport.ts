// The job summary of one build leg: its phases and what it pushed, or why it failed.
import type { LegRecord } from '../model.js';
import { formatBytes, formatDuration } from './format.js';
import { renderMarkdownTable } from './planReport.js';
import { formatRunner } from '../runners.js';

export function renderLegMarkdown(record: LegRecord): string {
  const out = [`## hephy-builder leg \`${record.legId}\``, ''];
  const outcome = record.status !== 'success' ? 'failed' : record.pushed === false ? 'built, not pushed (push disabled)' : 'pushed';
  out.push(`\`${record.image}\` for ${record.platform} with ${record.backend} on \`${formatRunner(record.runner)}\`: **${outcome}**.`, '');
  out.push(
    renderMarkdownTable(
      ['Setup', 'Build', 'Push', 'Total', 'Size'],
      [
        [record.durationsMs.setup, record.durationsMs.build, record.durationsMs.push, record.durationsMs.total]
          .map(formatDuration)
          .concat(formatBytes(record.compressedSize)),
      ],
    ),
    '',
  );
  if (record.digest && record.pushed === false)
    out.push(`Digest as built: \`${record.digest}\` (not in any registry: push is disabled).`, '');
  else if (record.digest)
    out.push(`Digest: \`${record.repository}@${record.digest}\` (no tag yet: the merge job tags the multi-arch index).`, '');
  if (record.sourceCommit) out.push(`Source commit: \`${record.sourceCommit}\``, '');
  if (record.error) {
    // A fence longer than any run of backticks in the error, which is untrusted text (CommonMark §4.5).
    const fence = '`'.repeat(Math.max(3, ...[...record.error.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    out.push(fence, record.error, fence, '');
  }
  return out.join('\n');
}
