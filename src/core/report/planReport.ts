// How a plan reads to a person: a terminal table for the CLI and markdown for the job summary.
// Both come from the same rows so they never disagree.
import { describeSupplyChain } from '../supplyChain.js';
import type { Plan } from '../model.js';
import { formatProblem } from '../problem.js';
import { formatRunner } from '../runners.js';

interface PlanRow {
  image: string;
  dir: string;
  backend: string;
  platforms: string;
  runners: string;
  why: string;
}

function planRows(plan: Plan): PlanRow[] {
  return plan.images.map((spec) => {
    const legs = plan.matrix.include.filter((leg) => leg.image === spec.image);
    return {
      image: spec.image,
      dir: spec.dir,
      backend: spec.backend,
      platforms: spec.platforms.join(', '),
      runners: legs.map((leg) => `${formatRunner(leg.runner)}${leg.emulated ? ' (QEMU)' : ''}`).join(', '),
      why: spec.backendReason,
    };
  });
}

export function renderTextTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Escapes text for a markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Untrusted text (a tool's error, a runner label, a Dockerfile step) as plain inline text of
 * GitHub Markdown: no HTML (`<`, `>`, `&` as entities), no emphasis, code, link, strike-through
 * or @mention (a backslash before ASCII punctuation, CommonMark 0.31 §2.4), one line. `|` is left
 * to `cell`, which every table cell and list line passes through.
 */
export function plainText(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]~@]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * Untrusted text as an inline code span: inside one, Markdown and HTML are not read (CommonMark
 * §6.1), but a backtick would end it, so backticks become quotes; one line.
 */
export function inlineCode(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\r?\n/g, ' ')}\``;
}

export function renderMarkdownTable(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

export function describeMode(plan: Plan): string {
  const mode = plan.mode;
  switch (mode.kind) {
    case 'all':
      return 'every app';
    case 'since':
      return `apps changed since ${mode.rev}`;
    case 'rebuild-list':
      return `apps listed in ${mode.file}`;
    case 'dirs':
      return `the dirs asked for: ${mode.dirs.join(', ')}`;
  }
}

/** The run the tags were decided for, and whether they are pushed at all. */
function tagRunLine(plan: Plan): string {
  return `${plan.publish.run}${plan.publish.push ? '' : ` (nothing is pushed: ${plan.publish.pushWhy})`}`;
}

/**
 * The waves of a plan whose images build on each other (issue 14), one line each: the wave, its
 * legs, its images with what they need. Empty when every image is in wave 1.
 */
export function waveLines(plan: Pick<Plan, 'images' | 'matrix'>): string[] {
  const waves = [...new Set(plan.images.map((spec) => spec.wave ?? 1))].sort((a, b) => a - b);
  if (waves.length < 2) return [];
  return waves.map((wave) => {
    const images = plan.images.filter((spec) => (spec.wave ?? 1) === wave);
    const legs = plan.matrix.include.filter((leg) => (leg.wave ?? 1) === wave).length;
    const named = images.map((spec) =>
      spec.needs?.length ? `${spec.image} (on ${spec.needs.map((n) => n.image).join(', ')})` : spec.image,
    );
    return `wave ${wave}: ${legs} leg(s): ${named.join(', ')}`;
  });
}

/**
 * Why legs of a plan that selects by input digest (issue 10) have no digest and so always build,
 * one line per image and reason: `image (platform, ...): reason`. Empty without such legs.
 */
export function undigestedLines(plan: Pick<Plan, 'matrix' | 'inputDigests'>): string[] {
  const byLeg = new Map(plan.matrix.include.map((leg) => [leg.id, leg]));
  const grouped = new Map<string, string[]>();
  for (const entry of plan.inputDigests ?? []) {
    const leg = byLeg.get(entry.legId);
    if (entry.digest || !entry.reason || !leg) continue;
    const key = `${leg.image}\u0000${entry.reason}`;
    grouped.set(key, [...(grouped.get(key) ?? []), leg.platform]);
  }
  return [...grouped].map(([key, platforms]) => {
    const [image, reason] = key.split('\u0000');
    return `${image} (${platforms.join(', ')}): ${reason}`;
  });
}

export function renderPlanText(plan: Plan): string {
  const out: string[] = [];
  const legs = plan.matrix.include.length;
  out.push(`Plan: ${plan.images.length} image(s), ${legs} leg(s) — ${describeMode(plan)}`);
  if (plan.images.length) {
    out.push('');
    out.push(
      renderTextTable(
        ['IMAGE', 'DIR', 'BACKEND', 'PLATFORMS', 'RUNNERS', 'WHY'],
        planRows(plan).map((r) => [r.image, r.dir, r.backend, r.platforms, r.runners, r.why]),
      ),
    );
  }
  const waves = waveLines(plan);
  if (waves.length) out.push('', 'Waves (each builds after the one before, from the digests it pushed):', ...waves.map((w) => `  ${w}`));
  if (plan.images.length) {
    out.push('', `Tags for ${tagRunLine(plan)}:`);
    for (const image of plan.images) out.push(`  ${image.image}: ${image.tags.join(', ') || '(none in this run)'}`);
  }
  if (plan.images.some((image) => image.supplyChain)) {
    out.push('', 'Supply chain (build-config.yaml sbom/provenance/sign over the inputs over the defaults):');
    for (const image of plan.images) if (image.supplyChain) out.push(`  ${image.image}: ${describeSupplyChain(image.supplyChain)}`);
  }
  const undigested = undigestedLines(plan);
  if (undigested.length) {
    out.push('', 'Built whatever is published (no input digest to compare):', ...undigested.map((line) => `  ${line}`));
  }
  if (plan.unchanged?.length) {
    out.push('', 'Unchanged (inputs already published; re-tagged, not built):');
    for (const u of plan.unchanged)
      out.push(
        `  ${u.image} (${u.dir}): ${u.platforms.map((p) => p.platform).join(', ')} -> ${u.tags.join(', ') || '(no tag in this run)'}`,
      );
  }
  if (plan.skipped.length) {
    out.push('', 'Skipped:');
    for (const s of plan.skipped) out.push(`  ${s.dir}: ${s.reason}`);
  }
  if (plan.problems.length) {
    out.push('', 'Problems:');
    for (const p of plan.problems) out.push(`  ${formatProblem(p)}`);
  }
  return `${out.join('\n')}\n`;
}

export function renderPlanMarkdown(plan: Plan, why?: string): string {
  const out: string[] = ['## hephy-builder plan', ''];
  const legs = plan.matrix.include.length;
  out.push(`**${plan.images.length}** image(s) in **${legs}** leg(s): ${why ?? describeMode(plan)}.`, '');
  if (plan.images.length) {
    out.push(
      renderMarkdownTable(
        ['Image', 'Dir', 'Backend', 'Platforms', 'Runners', 'Why this backend'],
        planRows(plan).map((r) => [inlineCode(r.image), inlineCode(r.dir), r.backend, r.platforms, plainText(r.runners), plainText(r.why)]),
      ),
      '',
    );
    const waves = waveLines(plan);
    if (waves.length) out.push('### Waves', '', ...waves.map((w) => `- ${plainText(w)}`), '');
    out.push(`### Tags`, '', `For ${tagRunLine(plan)}:`, '');
    out.push(
      renderMarkdownTable(
        ['Image', 'Tags'],
        plan.images.map((image) => [`\`${image.image}\``, image.tags.map((t) => `\`${cell(t)}\``).join('<br>') || 'none in this run']),
      ),
      '',
    );
  } else {
    out.push('Nothing to build.', '');
  }
  const undigested = undigestedLines(plan);
  if (undigested.length)
    out.push('**Built whatever is published** (no input digest to compare):', '', ...undigested.map((line) => `- ${plainText(line)}`), '');
  if (plan.unchanged?.length) {
    out.push(
      `**Unchanged** (inputs already published; re-tagged, not built): ${plan.unchanged.map((u) => `\`${u.image}\``).join(', ')}`,
      '',
      renderMarkdownTable(
        ['Image', 'Tags'],
        plan.unchanged.map((u) => [`\`${u.image}\``, u.tags.map((t) => `\`${cell(t)}\``).join('<br>') || 'none in this run']),
      ),
      '',
    );
  }
  if (plan.skipped.length) {
    out.push('<details><summary>Skipped directories</summary>', '');
    out.push(
      renderMarkdownTable(
        ['Dir', 'Reason'],
        plan.skipped.map((s) => [inlineCode(s.dir), plainText(s.reason)]),
      ),
      '',
      '</details>',
      '',
    );
  }
  if (plan.problems.length) {
    out.push('### Problems', '');
    for (const p of plan.problems) out.push(`- ${cell(inlineCode(formatProblem(p)))}`);
    out.push('');
  }
  return out.join('\n');
}
