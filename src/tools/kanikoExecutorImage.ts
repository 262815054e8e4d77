// The Kaniko executor image assembled from a verified executor binary, as scripts/kaniko-image.sh
// assembles it locally: no base image (nothing is pulled), the static executor, the host's CA
// bundle, and the upstream image's entrypoint and environment. On runners the action builds the
// binary from the pinned Go module (action/toolSetup.ts) and imports this image into the engine
// (docker there, podman here); the leg then runs the executor by the image ID the import returned,
// so no tag someone else set can stand in for it.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importImage, type ContainerEngine } from './containerRunner.js';
import { run, type Runner } from './exec.js';
import { toolEnv } from './paths.js';

/** Where the executor image expects its files (upstream's Dockerfile, as kaniko-image.sh). */
export const EXECUTOR_IMAGE = {
  entrypoint: ['/kaniko/executor'],
  workdir: '/workspace',
  env: ['HOME=/root', 'USER=root', 'PATH=/usr/local/bin:/kaniko', 'SSL_CERT_DIR=/kaniko/ssl/certs', 'DOCKER_CONFIG=/kaniko/.docker/'],
} as const;

/** The CA bundle of Debian and Ubuntu hosts, copied into the image for TLS to registries. */
export const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The `--change` instructions of `docker import` / `podman import` that give the image its config. */
export function executorImageChanges(): string[] {
  return [
    `ENTRYPOINT ${JSON.stringify(EXECUTOR_IMAGE.entrypoint)}`,
    `WORKDIR ${EXECUTOR_IMAGE.workdir}`,
    ...EXECUTOR_IMAGE.env.map((pair) => `ENV ${pair}`),
  ];
}

export interface ExecutorImageOptions {
  /** The verified executor binary (static: CGO_ENABLED=0). */
  binary: string;
  engine: ContainerEngine;
  /** Tag given to the image besides its ID, e.g. hephy-builder-kaniko-executor:v1.25.5. */
  tag: string;
  env: NodeJS.ProcessEnv;
  runner?: Runner;
  caBundle?: string;
}

/** Writes the image's filesystem under root (modes as in kaniko-image.sh). */
export function writeExecutorRootfs(root: string, binary: string, caBundle: string): void {
  for (const dir of ['kaniko/ssl/certs', 'kaniko/.docker', 'etc', 'workspace', 'root', 'tmp'])
    mkdirSync(join(root, dir), { recursive: true });
  copyFileSync(binary, join(root, 'kaniko', 'executor'));
  chmodSync(join(root, 'kaniko', 'executor'), 0o755);
  if (!existsSync(caBundle)) throw new Error(`no CA bundle at ${caBundle} to put into the Kaniko executor image`);
  copyFileSync(caBundle, join(root, 'kaniko', 'ssl', 'certs', 'ca-certificates.crt'));
  writeFileSync(join(root, 'etc', 'nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  chmodSync(join(root, 'kaniko'), 0o777);
  chmodSync(join(root, 'tmp'), 0o1777);
  chmodSync(join(root, 'root'), 0o700);
}

/** Assembles the executor image from `binary` and imports it into the engine; resolves to its image ID. */
export async function importExecutorImage(o: ExecutorImageOptions): Promise<string> {
  const runner = o.runner ?? run;
  const work = mkdtempSync(join(tmpdir(), 'hephy-kaniko-image-'));
  try {
    const root = join(work, 'rootfs');
    writeExecutorRootfs(root, o.binary, o.caBundle ?? HOST_CA_BUNDLE);
    const tarball = join(work, 'rootfs.tar');
    await runner('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', tarball, '.'], { env: toolEnv(o.env) });
    return await importImage({ engine: o.engine, tarball, changes: executorImageChanges(), tag: o.tag }, { env: o.env, runner });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
