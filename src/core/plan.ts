// The plan: which apps this run builds, with which backend, and one leg per (image, platform) on
// the runner for that platform. Everything that is wrong with the input becomes a Problem and a
// skipped directory; the other apps still build.
import { basename, join, resolve } from 'node:path';
import { checkApp } from './appCheck.js';
import { traitsOf } from './backendTraits.js';
import { compareDirs, discoverApps, selectChanged, selectDirs, type DiscoveredApp, type Discovery, type IgnoreCheck } from './discovery.js';
import type { Locate } from './detect.js';
import type { ConfigPath } from './config/locator.js';
import { formatPath } from './config/locator.js';
import { entryPath } from './config/images.js';
import { basesOf, dependantsOf, orderImages, type WrittenNeed } from './imageGraph.js';
import { defaultImageName, resolveImageSpec, type ResolvedImage } from './imageSpec.js';
import { imageInputs, type GoPackageLister } from './inputs/index.js';
import type { ImageSpec, Leg, Plan, PlanPublish, SelectionMode, SkippedDir } from './model.js';
import { platformSlug } from './platform.js';
import { messageOf, type Problem } from './problem.js';
import { parseRebuildList, unknownListedDirs } from './rebuildList.js';
import { DEFAULT_RUNNERS, runnerFor, type RunnerMap } from './runners.js';
import { FULL_OBJECT_ID, resolveAdvertisedRef, type AdvertisedRef } from './upstreamRef.js';
import { readRepositoryFile } from './repoPath.js';
import { unknownVariableProblems } from './buildEnv.js';
import { classifyRun, describeTagRun, imageTags, runMayPush, taggedCommit, writesInputRecords, type TaggingOptions } from './tagPolicy.js';
import { DEFAULT_TAG_MODE } from './tags.js';
import { LOCAL_SUPPLY_CHAIN, resolveSupplyChain, type SupplyChainContext, type SupplyChainSettings } from './supplyChain.js';

/** GitHub runs at most 256 jobs from one matrix (docs: "Using a matrix for your jobs"). */
export const MATRIX_JOB_LIMIT = 256;
/** `validate` warns from this many legs on. */
export const MATRIX_WARNING_LEGS = 200;

/** A local run with nothing said: a push to the default branch, `main`. */
export const LOCAL_RUN = { eventName: 'push', ref: 'refs/heads/main', defaultBranch: 'main' } as const;

export interface PlanOptions {
  /** Names the root's image; default: the root directory's name. */
  repoName?: string;
  runners?: RunnerMap;
  /** Excludes git-ignored configs (the adapter passes git.isIgnored). */
  isIgnored?: IgnoreCheck;
  /**
   * The refs an upstream repository advertises (the adapter passes git ls-remote), to resolve each
   * upstream_ref to one commit that every leg builds. Absent: refs stay as written and each leg
   * resolves its own (`validate` and a build job's re-plan never go online).
   * @throws an Error whose message says why the upstream could not be reached.
   */
  listUpstreamRefs?: (repo: string) => Promise<AdvertisedRef[]>;
  /** Runs `go list -deps` for ko apps' inputs (src/tools/goList.ts); without it, their module counts. */
  goPackages?: GoPackageLister;
  /** Files changed since a rev, or 'all' (e.g. a new branch); needed for `since` mode. */
  changedFiles?: (rev: string) => Promise<'all' | string[]> | 'all' | string[];
  /** The run the tags are decided for; default: a local push to main, today, bare per-image tags. */
  tagging?: TaggingOptions;
  /**
   * The variables the build environment will hold (build-env / --build-env names): every
   * `${NAME}` of a config must be one of them or a safe GitHub value. Absent: not checked
   * (`validate`, which does not know the build's environment).
   */
  buildEnvNames?: readonly string[];
  /**
   * The run the SBOM, provenance and signing defaults are decided for, and the inputs or flags
   * over them (core/supplyChain.ts); each image's config keys win. Absent: a local run without a
   * key (SBOM and provenance on, unsigned).
   */
  supplyChain?: Omit<SupplyChainContext, 'run'>;
}

/** The problem of a matrix over GitHub's limit: the count, the limit and what to do. */
export function matrixLimitProblem(legs: number, severity: 'error' | 'warning' = 'error', wave?: number): Problem {
  const over = legs > MATRIX_JOB_LIMIT;
  const where = wave === undefined ? 'the plan has' : `wave ${wave} of the plan has`;
  return {
    file: '.',
    line: 1,
    column: 1,
    path: '',
    message: over
      ? `${where} ${legs} legs (one job per image and platform), over GitHub's limit of ${MATRIX_JOB_LIMIT} jobs per matrix: GitHub would refuse the whole matrix`
      : `${legs} legs (one job per image and platform) when every app builds: GitHub's limit is ${MATRIX_JOB_LIMIT} jobs per matrix`,
    hint: 'split the repository into several roots, one workflow call each (the `root` input), or build fewer directories per run (the `dirs` input)',
    severity,
  };
}

const short = (rev: string) => (/^[0-9a-f]{40}$/.test(rev) ? rev.slice(0, 7) : rev);

/** Which discovered apps the mode selects, and why the others are not built. */
async function select(
  root: string,
  discovery: Discovery,
  mode: SelectionMode,
  options: PlanOptions,
): Promise<{ selected: Set<string>; notSelected: string; problems: Problem[]; changed?: string[] }> {
  const dirs = discovery.apps.map((app) => app.dir);
  switch (mode.kind) {
    case 'all':
      return { selected: new Set(dirs), notSelected: '', problems: [] };
    case 'since': {
      if (!options.changedFiles) throw new Error('buildPlan: since mode needs options.changedFiles');
      const changed = await options.changedFiles(mode.rev);
      if (changed === 'all') return { selected: new Set(dirs), notSelected: '', problems: [] };
      // Chosen by the apps' inputs once their configs are read (selectByInputs).
      return { selected: new Set(), changed, notSelected: `no input changed since ${short(mode.rev)}`, problems: [] };
    }
    case 'rebuild-list': {
      // Inside the repository, a regular file within the size limit, like every file a config names.
      const read = readRepositoryFile(root, root, mode.file);
      if ('problem' in read) {
        const problem: Problem = {
          file: mode.file,
          line: 1,
          column: 1,
          path: '',
          message:
            read.code === 'missing' ? `the rebuild list ${mode.file} does not exist` : `the rebuild list ${mode.file} ${read.problem}`,
          hint: read.code === 'missing' ? 'list one app directory per line in it, or pass another file' : undefined,
          severity: 'error',
        };
        return { selected: new Set(), notSelected: `not listed in ${mode.file}`, problems: [problem] };
      }
      const text = read.text;
      const { dirs: listed, problems } = parseRebuildList(text, mode.file);
      // A line naming no app (removed, renamed or excluded since) only skips that line.
      problems.push(...unknownListedDirs(listed, dirs, mode.file, discovery.skipped));
      const known = new Set(dirs);
      return {
        selected: new Set(listed.map((entry) => entry.dir).filter((dir) => known.has(dir))),
        notSelected: `not listed in ${mode.file}`,
        problems,
      };
    }
    case 'dirs': {
      const { selected, problems } = selectDirs(dirs, mode.dirs, 'dirs', discovery.skipped);
      return { selected, notSelected: 'not asked for', problems };
    }
  }
}

const hasErrors = (problems: Problem[]) => problems.some((p) => p.severity === 'error');

/** One image of an app, resolved. */
interface AppImage {
  spec: ResolvedImage;
  locate?: Locate;
  /** Its needs as written, located (core/imageGraph.ts resolves them). */
  needs: WrittenNeed[];
}

/** One discovered app resolved to its images, or the reason it cannot be built and its problems. */
interface ResolvedApp {
  app: DiscoveredApp;
  /** One per image of its config (`images:`, core/config/images.ts); absent when it cannot be built. */
  images?: AppImage[];
  problems: Problem[];
  skipReason?: string;
  locate?: Locate;
}

function resolveApp(absRoot: string, app: DiscoveredApp, repoName: string, options: PlanOptions): ResolvedApp {
  const configFile = app.configFile ? { path: join(absRoot, app.configFile), shown: app.configFile } : undefined;
  const checked = checkApp(join(absRoot, app.dir), configFile, { displayDir: app.dir, root: absRoot });
  const { config: fileConfig, locate, images: checkedImages, problems } = checked;
  if (!fileConfig || !checkedImages) return { app, problems, skipReason: `invalid ${app.configFile}` };
  if (checkedImages.some((image) => !image.detection.backend))
    return { app, problems, skipReason: 'nothing to build: no backend detected' };
  const file = app.configFile ?? app.dir;
  const dirImage = fileConfig.image_name ?? defaultImageName(app.dir, repoName);
  const images = checkedImages.map(({ name, config, locate: at, detection }, index): AppImage => {
    const { spec, problems: specProblems } = resolveImageSpec({
      dir: app.dir,
      configFile: app.configFile,
      config,
      detection: { ...detection, backend: detection.backend! },
      repoName,
      image: name === undefined ? undefined : (config.image_name ?? `${dirImage}-${name}`),
      locate: at,
    });
    problems.push(...specProblems);
    if (name !== undefined) spec.entryName = name;
    const where = (path: ConfigPath) => formatPath(name === undefined ? path : entryPath(fileConfig.images?.[index], index, path));
    if (config.secrets?.length && detection.backend !== 'buildkit') {
      problems.push({
        file,
        ...(at?.(['secrets']) ?? { line: 1, column: 1 }),
        path: where(['secrets']),
        message: `secrets are mounted by the buildkit backend only; ${detection.backend} cannot keep them out of the image`,
        hint: 'set build_backend: buildkit (RUN --mount=type=secret,id=NAME), or remove secrets',
        severity: 'error',
      });
    }
    if (options.buildEnvNames && app.configFile) {
      problems.push(...unknownVariableProblems(config, app.configFile, at, options.buildEnvNames));
    }
    const needs = (config.needs ?? []).map((need, j) => ({
      name: need,
      at: { file, ...(at?.(['needs', j]) ?? { line: 1, column: 1 }), path: where(['needs', j]) },
    }));
    return { spec, locate: at, needs };
  });
  // Problems shared by several images (one Dockerfile, the top-level keys) are shown once.
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const id = `${p.file}:${p.line}:${p.column}:${p.message}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
  return { app, images, problems: unique, locate };
}

/**
 * `--since`: the apps one of whose inputs changed (core/inputs/), wherever the file lives. An app
 * that cannot be resolved (its config has errors) has no known inputs: it is selected by the
 * files below its directory, as before inputs existed, so its problems are shown when it changes.
 */
async function selectByInputs(
  absRoot: string,
  resolved: ResolvedApp[],
  changed: readonly string[],
  options: PlanOptions,
): Promise<{ selected: Set<string>; images: Set<string>; warnings: Map<string, string[]> }> {
  const owned = selectChanged(
    resolved.map((r) => r.app.dir),
    changed,
  );
  const selected = new Set<string>();
  const warnings = new Map<string, string[]>();
  const images = new Set<string>();
  for (const { app, images: appImages } of resolved) {
    if (!appImages) {
      if (owned.has(app.dir)) selected.add(app.dir);
      continue;
    }
    for (const { spec } of appImages) {
      const inputs = await imageInputs(absRoot, spec, { goPackages: options.goPackages, isIgnored: options.isIgnored });
      if (changed.some((path) => inputs.covers(path))) {
        selected.add(app.dir);
        images.add(spec.image);
        if (inputs.warnings.length > 0) warnings.set(app.dir, [...(warnings.get(app.dir) ?? []), ...inputs.warnings]);
      }
    }
  }
  return { selected, images, warnings };
}

export async function buildPlan(root: string, mode: SelectionMode, options: PlanOptions = {}): Promise<Plan> {
  const absRoot = resolve(root);
  const repoName = options.repoName ?? basename(absRoot);
  const runners = options.runners ?? DEFAULT_RUNNERS;
  const tagging: TaggingOptions = options.tagging ?? { run: LOCAL_RUN, date: new Date(), mode: DEFAULT_TAG_MODE };
  const discovery = await discoverApps(absRoot, { isIgnored: options.isIgnored });
  const skipped: SkippedDir[] = [...discovery.skipped];
  const images: ImageSpec[] = [];
  const byName = new Map<string, ImageSpec>();
  // One ls-remote per upstream repository, so images built from one upstream agree too.
  const upstreamRefs = new Map<string, Promise<AdvertisedRef[]>>();

  let selection = await select(absRoot, discovery, mode, options);
  // Every app is resolved: which images a change touches depends on their configs (context_path,
  // import_path...), and needs name images of any directory. Only selected apps' problems show.
  const resolvedApps = discovery.apps.map((app) => resolveApp(absRoot, app, repoName, options));
  let inputWarnings = new Map<string, string[]>();
  let changedImages: Set<string> | undefined;
  if (selection.changed) {
    const byInputs = await selectByInputs(absRoot, resolvedApps, selection.changed, options);
    selection = { ...selection, selected: byInputs.selected };
    changedImages = byInputs.images;
    inputWarnings = byInputs.warnings;
  }
  const { selected, notSelected, problems } = selection;
  problems.unshift(...discovery.problems);

  // Needs and waves over the whole repository (core/imageGraph.ts). Selection follows them: an
  // image built on a selected one is selected too, and a selected image's bases build before it
  // in the same run (it is built from the digests they push).
  const graph = orderImages(
    resolvedApps.flatMap(({ app, images: appImages }) =>
      (appImages ?? []).map(({ spec, needs }) => ({
        image: spec.image,
        entryName: spec.entryName,
        file: app.configFile ?? app.dir,
        needs,
        platforms: spec.platforms,
      })),
    ),
    resolvedApps.filter(({ images: appImages }) => !appImages).map(({ app }) => app.configFile ?? app.dir),
  );
  const firstOwner = new Map<string, { spec: ResolvedImage }>();
  for (const { images: appImages } of resolvedApps) {
    for (const { spec } of appImages ?? []) if (!firstOwner.has(spec.image)) firstOwner.set(spec.image, { spec });
  }
  const initiallySelected = resolvedApps.flatMap(({ app, images: appImages }) =>
    selected.has(app.dir)
      ? (appImages ?? []).map(({ spec }) => spec.image).filter((image) => !changedImages || changedImages.has(image))
      : [],
  );
  const builtOn = dependantsOf(initiallySelected, graph.needs);
  const selectedImages = basesOf(builtOn, graph.needs);
  // The graph knows images by name: an unselected directory's image comes in only when needs
  // reach it, never because it shares a name with a selected image (a twin, an error of its own).
  const initiallySelectedNames = new Set(initiallySelected);
  const reachedByNeeds = (image: string) => selectedImages.has(image) && !initiallySelectedNames.has(image);

  for (const { app, images: appImages, problems: appProblems, skipReason } of resolvedApps) {
    const chosen = (appImages ?? []).filter(({ spec }) =>
      selected.has(app.dir) ? selectedImages.has(spec.image) : reachedByNeeds(spec.image),
    );
    if (!selected.has(app.dir) && chosen.length === 0) {
      skipped.push({ dir: app.dir, reason: notSelected });
      continue;
    }
    for (const warning of inputWarnings.get(app.dir) ?? []) {
      appProblems.push({ file: app.configFile ?? app.dir, line: 1, column: 1, path: '', message: warning, severity: 'warning' });
    }
    if (!appImages || hasErrors(appProblems)) {
      problems.push(...appProblems);
      skipped.push({ dir: app.dir, reason: skipReason ?? `${app.configFile ?? app.dir} has errors` });
      continue;
    }
    // A need that cannot be planned (unknown, a cycle, too deep) is an error of the config: none of its images is planned.
    const needProblems = appImages.flatMap(({ spec }) => graph.problems.get(spec.image) ?? []);
    problems.push(...appProblems, ...needProblems);
    if (needProblems.length > 0) {
      skipped.push({ dir: app.dir, reason: `${app.configFile ?? app.dir}: needs that cannot be planned` });
      continue;
    }
    for (const { spec, locate } of chosen) {
      const imageProblems: Problem[] = [];
      // Names are unique across the repository, whether or not the other image is selected.
      const first = firstOwner.get(spec.image);
      const twin = byName.get(spec.image) ?? (first && first.spec !== spec ? first.spec : undefined);
      if (twin) {
        const at = spec.config.image_name ? locate?.(['image_name']) : undefined;
        imageProblems.push({
          file: app.configFile ?? app.dir,
          line: at?.line ?? 1,
          column: at?.column ?? 1,
          path: spec.config.image_name ? 'image_name' : '',
          message:
            twin.dir === spec.dir
              ? `image ${spec.image} is listed twice in this file`
              : `image ${spec.image} is also built from ${twin.dir}`,
          hint: 'set a distinct image_name in one of them',
          severity: 'error',
        });
      }
      const tagged = hasErrors(imageProblems) ? { tags: [], problems: [] } : imageTags(spec, tagging, locate);
      imageProblems.push(...tagged.problems);
      problems.push(...imageProblems);
      if (hasErrors(imageProblems)) {
        skipped.push({
          dir: app.dir,
          reason: twin ? `image name ${spec.image} taken by ${twin.dir}` : `${app.configFile ?? app.dir} has errors`,
        });
        continue;
      }
      if (spec.source.kind === 'upstream' && options.listUpstreamRefs) {
        const resolved = await resolveUpstream(spec.source.repo, spec.source.ref, options.listUpstreamRefs, upstreamRefs);
        if ('problem' in resolved) {
          const key = resolved.unreachable ? 'upstream_repo' : 'upstream_ref';
          const at = locate?.([key]) ?? { line: 1, column: 1 };
          problems.push({ file: app.configFile ?? app.dir, ...at, path: key, message: resolved.problem, severity: 'error' });
          skipped.push({ dir: app.dir, reason: resolved.unreachable ? 'upstream repository unreachable' : 'upstream_ref names no commit' });
          continue;
        }
        if ('commit' in resolved) {
          spec.source = { ...spec.source, commit: resolved.commit };
          spec.backendReason = `${spec.backendReason}; upstream ${resolved.ref} is ${resolved.commit}`;
        }
      }
      const supplyChain = resolveSupplyChain(
        spec.config,
        { ...(options.supplyChain ?? LOCAL_SUPPLY_CHAIN), run: tagging.run },
        { file: app.configFile ?? app.dir, locate },
      );
      problems.push(...supplyChain.problems);
      if (spec.config.buildkit_provenance && spec.backend !== 'buildkit') {
        problems.push({
          file: app.configFile ?? app.dir,
          ...(locate?.(['buildkit_provenance']) ?? { line: 1, column: 1 }),
          path: 'buildkit_provenance',
          message: `buildkit_provenance is read by the BuildKit backend only; ${spec.image} builds with ${spec.backend}, whose provenance is the SLSA statement the merge attaches`,
          severity: 'warning',
        });
      }
      const needs = graph.needs.get(spec.image);
      const planned: ImageSpec = {
        ...spec,
        tags: tagged.tags,
        ...('version' in tagged && tagged.version ? { version: tagged.version } : {}),
        // BuildKit's own provenance is BuildKit's: another backend ignores the key (warned above).
        supplyChain: spec.backend === 'buildkit' ? supplyChain.settings : withoutBuildkitProvenance(supplyChain.settings),
        ...(needs ? { needs } : {}),
        wave: graph.waves.get(spec.image) ?? 1,
      };
      byName.set(planned.image, planned);
      images.push(planned);
    }
  }

  // An image whose base is not planned (its config has errors, its name is taken) is not either.
  for (let dropped = true; dropped;) {
    dropped = false;
    for (const spec of [...images]) {
      const missing = spec.needs?.find((need) => !byName.has(need.image));
      if (!missing) continue;
      images.splice(images.indexOf(spec), 1);
      byName.delete(spec.image);
      skipped.push({ dir: spec.dir, reason: `image ${spec.image} needs ${missing.image}, which is not planned` });
      dropped = true;
    }
  }

  skipped.sort((a, b) => compareDirs(a.dir, b.dir));
  const include = images.flatMap((spec) => legsOf(spec, runners));
  // GitHub's limit is per matrix: one matrix per wave (the reusable workflow's build jobs).
  const perWave = legsPerWave(include);
  for (const [wave, legs] of perWave) {
    if (legs > MATRIX_JOB_LIMIT) problems.push(matrixLimitProblem(legs, 'error', perWave.size > 1 ? wave : undefined));
  }
  return { mode, images, matrix: { include }, skipped, problems, publish: planPublish(tagging) };
}

/** Supply-chain settings without BuildKit's in-index provenance (for images another backend builds). */
function withoutBuildkitProvenance(settings: SupplyChainSettings): SupplyChainSettings {
  const { buildkitAttestations: _attestations, buildkitProvenanceMode: _mode, ...rest } = settings;
  return rest;
}

/** How many legs each wave has, by wave (a leg without one is in wave 1). */
export function legsPerWave(legs: readonly Pick<Leg, 'wave'>[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const leg of legs) counts.set(leg.wave ?? 1, (counts.get(leg.wave ?? 1) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => a - b));
}

function planPublish(tagging: TaggingOptions): PlanPublish {
  const may = runMayPush(tagging.run);
  const run = classifyRun(tagging.run);
  return {
    mode: tagging.mode,
    ...(tagging.target ? { registry: tagging.target.registry, prefix: tagging.target.prefix } : {}),
    perArchTags: Boolean(tagging.perArchTags),
    run: describeTagRun(run, taggedCommit(tagging.run)),
    push: may.push,
    ...(may.why ? { pushWhy: may.why } : {}),
    recordInputs: may.push && writesInputRecords(run),
  };
}

export function legsOf(
  spec: Pick<ImageSpec, 'image' | 'dir' | 'backend' | 'platforms' | 'source' | 'wave'>,
  runners: RunnerMap = DEFAULT_RUNNERS,
): Leg[] {
  return spec.platforms.map((platform) => {
    const { runner, emulated } = runnerFor(platform, runners, traitsOf(spec.backend).crossCompiles);
    return {
      id: `${spec.image}--${platformSlug(platform)}`,
      image: spec.image,
      dir: spec.dir,
      backend: spec.backend,
      platform,
      runner,
      emulated,
      ...(spec.source.kind === 'upstream' && spec.source.commit ? { upstreamCommit: spec.source.commit } : {}),
      wave: spec.wave ?? 1,
    };
  });
}

/**
 * An upstream ref resolved to its commit from the refs the repository advertises, as `git fetch`
 * would (core/upstreamRef.ts); `unreachable` when the repository could not be listed.
 */
async function resolveUpstream(
  repo: string,
  ref: string,
  list: (repo: string) => Promise<AdvertisedRef[]>,
  cache: Map<string, Promise<AdvertisedRef[]>>,
): Promise<{ ref: string; commit: string } | { abbreviated: string } | { problem: string; unreachable: boolean }> {
  if (FULL_OBJECT_ID.test(ref)) return { ref, commit: ref };
  let refs = cache.get(repo);
  if (!refs) {
    refs = list(repo);
    cache.set(repo, refs);
  }
  let advertised: AdvertisedRef[];
  try {
    advertised = await refs;
  } catch (error) {
    return { problem: `cannot resolve upstream_ref ${ref}: ${messageOf(error)}`, unreachable: true };
  }
  const resolved = resolveAdvertisedRef(ref, advertised, repo);
  return 'problem' in resolved ? { ...resolved, unreachable: false } : resolved;
}
