// Every workflow the generator can produce, in the shapes the tests check: both variants of the
// reusable workflow, callers with each kind of option, and this repository's CI.
import { parse } from 'yaml';
import { renderCallerWorkflow, renderCiWorkflow, renderReusableWorkflow } from '../../src/generator/index.js';

export interface Rendered {
  name: string;
  text: string;
}

export function allRenderedWorkflows(): Rendered[] {
  return [
    { name: 'reusable.yml', text: renderReusableWorkflow() },
    { name: 'reusable-local.yml', text: renderReusableWorkflow({ variant: 'local' }) },
    { name: 'caller.yml', text: renderCallerWorkflow() },
    { name: 'caller-local.yml', text: renderCallerWorkflow({ variant: 'local' }) },
    {
      name: 'caller-registry.yml',
      text: renderCallerWorkflow({
        registry: 'registry.example.com:5000',
        imagePrefix: 'platform',
        tagMode: 'single-repo',
        runners: 'linux/arm64: my-arm-runner\nlinux/amd64: [self-hosted, x64]\n',
        rebuildList: 'weekly.txt',
        root: 'images',
        branch: 'trunk',
        cron: '0 3 * * 0',
      }),
    },
    { name: 'caller-inherit.yml', text: renderCallerWorkflow({ registry: 'registry.example.com', secrets: 'inherit' }) },
    { name: 'caller-unsigned.yml', text: renderCallerWorkflow({ sign: 'false' }) },
    { name: 'ci.yml', text: renderCiWorkflow() },
  ];
}

type Doc = Record<string, unknown>;

export function parseWorkflow(text: string): Doc {
  return parse(text) as Doc;
}

export function jobsOf(doc: Doc): Record<string, Doc> {
  return (doc.jobs ?? {}) as Record<string, Doc>;
}

export function stepsOf(job: Doc): Doc[] {
  return (job.steps ?? []) as Doc[];
}

/** `run:` scripts of every step of every job. */
export function runScripts(doc: Doc): string[] {
  return Object.values(jobsOf(doc)).flatMap((job) => stepsOf(job).flatMap((s) => (typeof s.run === 'string' ? [s.run] : [])));
}

/** Expressions inside `run:` scripts: a script-injection risk when they expand untrusted text. */
export function expressionsInRun(doc: Doc): string[] {
  return runScripts(doc).flatMap((script) => script.match(/\$\{\{[\s\S]*?\}\}/g) ?? []);
}

/** Every `uses:` line of the raw text, with its trailing comment. */
export function usesLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /^\s*(-\s+)?uses:/.test(l))
    .map((l) => l.trim().replace(/^-\s+/, ''));
}
