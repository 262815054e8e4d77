// A LegContext for backend tests: temp source, work and cache dirs, and a log that is kept.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LegContext } from '../../src/backends/backend.js';
import type { BackendName, BuildConfig } from '../../src/core/config/schema.js';
import type { ImageMetadata } from '../../src/core/imageMetadata.js';

export interface TestLeg {
  ctx: LegContext;
  logs: string[];
  /** Writes files (path -> text) under ctx.sourceDir. */
  write(files: Record<string, string>): void;
}

function dir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function testLeg(options: {
  backend: BackendName;
  config?: BuildConfig;
  platform?: string;
  image?: string;
  repository?: string;
  env?: NodeJS.ProcessEnv;
  onRunner?: boolean;
  baseImage?: string;
  sourceDir?: string;
  workDir?: string;
  /** target.push; default true. */
  push?: boolean;
  /** Labels and annotations of the image; default none. */
  metadata?: ImageMetadata;
}): TestLeg {
  const image = options.image ?? 'app';
  const platform = options.platform ?? 'linux/arm64';
  const logs: string[] = [];
  const sourceDir = options.sourceDir ?? dir('hephy-src-');
  const ctx: LegContext = {
    spec: {
      image,
      dir: image,
      config: options.config ?? {},
      backend: options.backend,
      backendReason: 'test',
      platforms: [platform],
      source: { kind: 'local', dir: image },
      additionalTags: [],
      tags: [],
    },
    leg: {
      id: `${image}--${platform.replace(/\//g, '-')}`,
      image,
      dir: image,
      backend: options.backend,
      platform,
      runner: 'ubuntu-latest',
      emulated: false,
    },
    sourceDir,
    target: { repository: options.repository ?? '127.0.0.1:5000/hephy/app', insecure: true, push: options.push ?? true },
    workDir: options.workDir ?? dir('hephy-work-'),
    metadata: options.metadata ?? { labels: {}, annotations: {} },
    cacheDir: dir('hephy-cache-'),
    env: options.env ?? { PATH: process.env.PATH, HOME: process.env.HOME },
    options: { baseImage: options.baseImage },
    secrets: [],
    onRunner: options.onRunner ?? false,
    log: (line) => logs.push(line),
  };
  return {
    ctx,
    logs,
    write(files) {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(sourceDir, path)), { recursive: true });
        writeFileSync(join(sourceDir, path), text);
      }
    },
  };
}
