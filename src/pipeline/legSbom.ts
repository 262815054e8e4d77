// The leg's SBOM: an SPDX JSON document of the platform image it built, written beside its leg
// record so that it travels with it (the same artifact on runners) to the merge, which attaches it
// (pipeline/attest.ts). ko writes its own (`--sbom=spdx`); every other backend's image is read by
// syft, from the OCI layout the leg wrote when there is one, else from the pushed image by digest
// with the leg's registry login. A Spin app's OCI artifact is no image syft can read: syft reads
// the app's source directory instead (its components' lock files), inside the repository. The document describes the image only: the leg's environment and
// command line are not in it, and it is checked for the leg's secrets before it is kept.
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { LegBuildResult } from '../backends/backend.js';
import { legRecordName } from '../core/legRecord.js';
import type { Leg, LegRecord } from '../core/model.js';
import { pinSpdxCreated, sbomFileName, secretsIn } from '../core/sbom.js';
import { goToolPin } from '../core/toolPins.js';
import { syftScan, type SyftSource } from '../tools/syft.js';

export interface LegSbomContext {
  leg: Leg;
  /** The backend's tool and version, e.g. `ko v0.19.1`, when it wrote the SBOM itself. */
  backendTool: string;
  repository: string;
  insecure: boolean;
  /** The image was pushed (else only a layout can be read). */
  pushed: boolean;
  /** The leg's scratch directory: syft runs there. */
  workDir: string;
  /** The repository checkout (or upstream clone) a source tree must stay inside. */
  repositoryRoot: string;
  /** Where the record goes: the SBOM is written there. */
  outDir: string;
  /** Committer time of the built commit (s): the document's creation time. */
  sourceDateEpoch?: number;
  env: NodeJS.ProcessEnv;
  secrets: string[];
  log(line: string): void;
}

/**
 * The real path of a source tree, checked to be the repository root or inside it (every symbolic
 * link on the way followed). @throws Error naming both paths
 */
export function insideRepository(dir: string, repositoryRoot: string): string {
  const real = realpathSync(dir);
  const root = realpathSync(repositoryRoot);
  const rel = relative(root, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw new Error(`the sources to describe (${dir}) lead outside the repository (${repositoryRoot}): no SBOM made of them`);
  return real;
}

/**
 * Writes the SBOM of `result.digest` to `<outDir>/<record name>.spdx.json`.
 * @returns the record's `sbom` entry and the ms it took
 * @throws Error: no way to read the image, the tool's own error, or a secret in the document
 */
export async function writeLegSbom(
  result: LegBuildResult,
  ctx: LegSbomContext,
): Promise<{ sbom: NonNullable<LegRecord['sbom']>; ms: number }> {
  const started = Date.now();
  const digest = result.digest;
  if (!digest) throw new Error('no digest of the built image to describe');
  let text: string;
  let tool: string;
  if (result.sbomFile) {
    text = readFileSync(result.sbomFile, 'utf8');
    tool = ctx.backendTool;
  } else {
    let source: SyftSource;
    if (result.sourceTree) {
      const dir = insideRepository(result.sourceTree, ctx.repositoryRoot);
      source = { kind: 'dir', path: dir, basePath: dir };
    } else if (result.layoutDir) source = { kind: 'oci-dir', path: result.layoutDir };
    else if (ctx.pushed) source = { kind: 'registry', reference: `${ctx.repository}@${digest}`, insecure: ctx.insecure };
    else throw new Error('the image is neither in a layout nor pushed: nothing for syft to read');
    const scanned = await syftScan(
      { source, outputFile: join(ctx.workDir, 'syft.spdx.json'), name: ctx.repository, version: digest },
      { env: ctx.env, secrets: ctx.secrets, cwd: ctx.workDir },
    );
    text = scanned.text;
    tool = `syft ${goToolPin('syft').version}`;
  }
  const document = pinSpdxCreated(text, ctx.sourceDateEpoch, `the SBOM of ${tool}`);
  const leaked = secretsIn(document, ctx.secrets);
  if (leaked.length) throw new Error(`the SBOM of ${tool} holds ${leaked.length} of the leg's secret value(s): not kept`);
  const file = sbomFileName(legRecordName(ctx.leg.id));
  writeFileSync(join(ctx.outDir, file), document);
  const sha256 = createHash('sha256').update(document).digest('hex');
  const ms = Date.now() - started;
  ctx.log(`SBOM (SPDX, ${tool}) of ${digest}: ${file} in ${ms} ms`);
  return { sbom: { file, tool, sha256 }, ms };
}
