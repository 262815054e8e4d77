// OCI labels and annotations, read back from the registry: `hephy-builder run` over a fresh git
// repository with a ko, a Kaniko and a BuildKit app (two platforms each), with description,
// licenses, labels and annotations in their build-config.yaml and --label/--annotation flags on
// the command line. Every platform image's config must carry the labels, every platform manifest
// and the merged index the annotations: the standard org.opencontainers.image.* keys (revision =
// the commit built, created = its commit time, source/url = the origin remote without its
// credentials) and the user's, values that look like options or hold , " = kept whole.
// The Spin backend's annotations are read back by backends-spin.test.ts.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/tools/paths.js';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';
import { imageConfig, indexEntries, rawManifest, runCli, services, tempDir, type CliRun } from './harness.js';

const RUN_TIMEOUT_MS = 20 * 60 * 1000;
const CHECK_TIMEOUT_MS = 2 * 60 * 1000;
const BOTH = ['linux/amd64', 'linux/arm64'];

// A value each tool could misread: ko's pflag StringSlice splits at `,` and chokes on `"`, and a
// leading `--` looks like an option to any of them.
const TRICKY = '--insecure, "quoted", a=b: c';
const SECRET = 's3cret-token';

const METADATA_CONFIG = `description: "Says hello, in one line"
licenses: MIT OR Apache-2.0
labels:
  com.example.team: platform
  com.example.tricky: '${TRICKY}'
annotations:
  com.example.team: platform
  org.opencontainers.image.documentation: https://docs.example.com/app
`;

const IMAGES = ['meta-ko', 'meta-kaniko', 'meta-buildkit'];

describe('labels and annotations of ko, Kaniko and BuildKit images and their indexes, read back from the registry (e2e)', () => {
  const svc = services();
  const prefix = `e2e-meta-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let repo: TempRepo;
  let sha: string;
  let created: string;
  let result: CliRun;

  const repository = (image: string) => `${svc.registry}/${prefix}/${image}`;

  beforeAll(async () => {
    repo = tempRepo();
    cpSync(join(packageRoot(), 'examples', 'go-hello'), join(repo.root, 'meta-ko'), { recursive: true });
    const goConfig = `use_local_context: true\nbuild_backend: ko\nko_config:\n  import_path: ./cmd/hello\nplatforms: [linux/amd64, linux/arm64]\n`;
    writeFileSync(join(repo.root, 'meta-ko', 'build-config.yaml'), goConfig + METADATA_CONFIG);
    // No RUN step: both platforms build without QEMU.
    const dockerfile = 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY hello.txt /hello.txt\n';
    for (const [image, backend] of [
      ['meta-kaniko', 'kaniko'],
      ['meta-buildkit', 'buildkit'],
    ]) {
      cpSync(join(packageRoot(), 'examples', 'kaniko-app', 'hello.txt'), join(repo.root, image, 'hello.txt'));
      writeFileSync(join(repo.root, image, 'Dockerfile'), dockerfile);
      writeFileSync(
        join(repo.root, image, 'build-config.yaml'),
        `use_local_context: true\nbuild_backend: ${backend}\nbuild_args: ["BASE_IMAGE=\${BASE_IMAGE}"]\nplatforms: [linux/amd64, linux/arm64]\n${METADATA_CONFIG}`,
      );
    }
    repo.git('remote', 'add', 'origin', `https://ci-bot:${SECRET}@git.example.com/org/meta-repo.git`);
    sha = repo.commit('three apps with metadata');
    created = new Date(Number(repo.git('show', '-s', '--format=%ct', sha)) * 1000).toISOString().replace('.000Z', 'Z');
    result = await runCli([
      'run',
      '--root',
      repo.root,
      '--registry',
      svc.registry,
      '--image-prefix',
      prefix,
      '--out',
      tempDir('metadata-out'),
      '--kaniko-image',
      svc.kanikoImage,
      '--label',
      'com.example.team=from-the-flag',
      '--label=com.example.flag=-x',
      '--annotation',
      'com.example.run=42',
    ]);
    if (result.code !== 0) process.stderr.write(`hephy-builder run exited ${result.code}\n${result.stdout}\n${result.stderr}\n`);
  }, RUN_TIMEOUT_MS);

  afterAll(() => repo?.remove());

  /** What every image of this run says about itself, labels and annotations alike. */
  function standard(image: string): Record<string, string> {
    return {
      'org.opencontainers.image.created': created,
      'org.opencontainers.image.description': 'Says hello, in one line',
      'org.opencontainers.image.licenses': 'MIT OR Apache-2.0',
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.source': 'https://git.example.com/org/meta-repo',
      'org.opencontainers.image.title': image,
      'org.opencontainers.image.url': 'https://git.example.com/org/meta-repo',
      // The tag policy's version on the default branch: the short sha (never the date tag).
      'org.opencontainers.image.version': sha.slice(0, 7),
    };
  }
  const labels = (image: string) => ({
    ...standard(image),
    'com.example.team': 'from-the-flag',
    'com.example.tricky': TRICKY,
    'com.example.flag': '-x',
  });
  const annotations = (image: string) => ({
    ...standard(image),
    'com.example.team': 'platform',
    'org.opencontainers.image.documentation': 'https://docs.example.com/app',
    'com.example.run': '42',
  });

  it('publishes the three images', () => {
    expect(result.code).toBe(0);
    for (const image of IMAGES) expect(result.stdout).toContain(`published ${image} (${BOTH.join(', ')})`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
  });

  describe.each(IMAGES)('%s', (image) => {
    it(
      'the index carries the annotations, every platform config the labels and every platform manifest the annotations',
      async () => {
        const index = await rawManifest(`${repository(image)}:${sha.slice(0, 7)}`);
        expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
        expect(index.annotations).toEqual(annotations(image));
        const entries = indexEntries(index);
        expect(entries.map((e) => e.platform).sort()).toEqual(BOTH);
        for (const { digest } of entries) {
          const ref = `${repository(image)}@${digest}`;
          const config = await imageConfig(ref);
          // The tools may add labels of the base image; ours must all be there, as given.
          expect(config.config.Labels).toMatchObject(labels(image));
          const manifest = await rawManifest(ref);
          // ko adds the base image's name and digest (org.opencontainers.image.base.*).
          expect(manifest.annotations).toMatchObject(annotations(image));
          expect(JSON.stringify([config, manifest])).not.toContain(SECRET);
        }
      },
      CHECK_TIMEOUT_MS,
    );
  });
});
