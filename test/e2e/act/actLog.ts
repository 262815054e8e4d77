// act's `--json` log, read back: one JSON object per line. What the runner did is in fields of
// these entries: set-output commands (name, arg), step summaries (content), step results, each
// tagged with the job id and, for matrix jobs, the matrix values.
export interface ActEntry {
  msg: string;
  /** Job id in the workflow (plan, build, merge); absent on act's own lines. */
  jobID?: string;
  job?: string;
  step?: string;
  matrix?: Record<string, unknown>;
  command?: string;
  name?: string;
  arg?: string;
  content?: string;
  stepResult?: string;
  jobResult?: string;
  raw_output?: boolean;
  level?: string;
  /** When act logged it: RFC 3339, in whole seconds (logrus' JSON formatter). */
  time?: string;
}

export function parseActLog(text: string): ActEntry[] {
  const entries: ActEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      entries.push(JSON.parse(line) as ActEntry);
    } catch {
      // a step printed a line that merely starts with `{`: not one of act's entries
    }
  }
  return entries;
}

const matrixId = (e: ActEntry) => (typeof e.matrix?.id === 'string' ? e.matrix.id : undefined);

/** Values of `::set-output name=NAME` of a job, one per matrix leg (keyed by matrix.id, '' without). */
export function outputsOf(entries: ActEntry[], jobID: string, name: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    if (e.jobID === jobID && e.command === 'set-output' && e.name === name) out.set(matrixId(e) ?? '', e.arg ?? '');
  }
  return out;
}

/** The job summaries a job wrote (act prints each step's GITHUB_STEP_SUMMARY, then deletes it). */
export function summariesOf(entries: ActEntry[], jobID: string): string[] {
  return entries.filter((e) => e.jobID === jobID && e.command === 'summary').map((e) => e.content ?? '');
}

/**
 * The result of the step named `step` per matrix leg. Step results, not job results: act keeps one
 * result per job for all its matrix legs, so after one leg fails the others report "Job failed" too.
 */
export function stepResults(entries: ActEntry[], jobID: string, step: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    if (e.jobID === jobID && e.step === step && e.stepResult) out.set(matrixId(e) ?? '', e.stepResult);
  }
  return out;
}

/** The text the steps of a job printed, to show when an assertion fails. */
export function jobOutput(entries: ActEntry[], jobID: string): string {
  return entries
    .filter((e) => e.jobID === jobID && (e.raw_output || e.command === 'error'))
    .map((e) => `${matrixId(e) ? `[${matrixId(e)}] ` : ''}${e.msg.trimEnd()}`)
    .join('\n');
}
