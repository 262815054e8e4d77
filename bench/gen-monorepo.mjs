#!/usr/bin/env node
// Generates a platform team's monorepo for the plan benchmark: N image directories (default 500),
// each with a build-config.yaml, spread over teams and nesting levels and over every detection
// path (explicit backends, go.mod + cmd/ -> ko, RUN --mount -> buildkit, plain Dockerfile ->
// kaniko), plus source files, an ignored vendor/ tree holding configs that must not count, and a
// git history of one commit. Deterministic: the same N gives the same tree.
//
//   node bench/gen-monorepo.mjs OUT_DIR [--dirs N] [--no-git]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dirs: { type: 'string', default: '500' }, 'no-git': { type: 'boolean', default: false } },
});
const out = positionals[0];
const count = Number(values.dirs);
if (!out || !Number.isInteger(count) || count < 1) {
  process.stderr.write('usage: node bench/gen-monorepo.mjs OUT_DIR [--dirs N] [--no-git]\n');
  process.exit(2);
}

function write(path, text) {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), text);
}

const TEAMS = ['payments', 'search', 'identity', 'platform', 'data', 'edge', 'media', 'infra'];
const KINDS = ['kaniko', 'kaniko-auto', 'ko', 'ko-auto', 'buildkit-auto', 'kaniko-target'];

function app(i) {
  const team = TEAMS[i % TEAMS.length];
  const kind = KINDS[i % KINDS.length];
  // A third at the top, a third under a team, a third two levels down.
  const name = `svc-${String(i).padStart(4, '0')}`;
  const dir = i % 3 === 0 ? name : i % 3 === 1 ? `${team}/${name}` : `${team}/apps/${name}`;
  const tags = i % 4 === 0 ? '\nadditional_tags: [latest, stable]' : '';
  const platforms = i % 5 === 0 ? '\nplatforms: [linux/arm64]' : '';
  const files = {};
  const dockerfile = [
    'ARG BASE_IMAGE',
    'FROM ${BASE_IMAGE}',
    'COPY . /app',
    'RUN ls /app > /manifest.txt',
    'CMD ["cat", "/manifest.txt"]',
    '',
  ];
  switch (kind) {
    case 'kaniko':
      files['build-config.yaml'] =
        `use_local_context: true\nbuild_backend: kaniko\nbuild_args:\n  - BASE_IMAGE=\${BASE_IMAGE}${tags}${platforms}\n`;
      files.Dockerfile = dockerfile.join('\n');
      break;
    case 'kaniko-auto':
      files['build-config.yaml'] = `use_local_context: true\nbuild_args: ["BASE_IMAGE=\${BASE_IMAGE}"]${tags}${platforms}\n`;
      files.Dockerfile = dockerfile.join('\n');
      break;
    case 'kaniko-target':
      files['build-config.yaml'] =
        `use_local_context: true\ndockerfile_path: docker/Dockerfile\ntarget: runtime\nbuild_args: ["BASE_IMAGE=\${BASE_IMAGE}"]${tags}\n`;
      files['docker/Dockerfile'] = [
        'ARG BASE_IMAGE',
        'FROM ${BASE_IMAGE} AS build',
        'RUN echo built > /out',
        'FROM ${BASE_IMAGE} AS runtime',
        'COPY --from=build /out /out',
        '',
      ].join('\n');
      break;
    case 'ko':
      files['build-config.yaml'] =
        `use_local_context: true\nbuild_backend: ko\nko_config:\n  import_path: ./cmd/${name}\n  env: [CGO_ENABLED=0]\n  ldflags: ["-s", "-w"]${tags}${platforms}\n`;
      files['go.mod'] = `module example.com/${team}/${name}\n\ngo 1.22\n`;
      files[`cmd/${name}/main.go`] = `package main\n\nfunc main() { println("${name}") }\n`;
      files['internal/lib/lib.go'] = 'package lib\n\nfunc Answer() int { return 42 }\n';
      break;
    case 'ko-auto':
      files['build-config.yaml'] = `use_local_context: true${tags}\n`;
      files['go.mod'] = `module example.com/${team}/${name}\n\ngo 1.22\n`;
      files[`cmd/${name}/main.go`] = `package main\n\nfunc main() { println("${name}") }\n`;
      break;
    case 'buildkit-auto':
      files['build-config.yaml'] = `use_local_context: true\nbuild_args: ["BASE_IMAGE=\${BASE_IMAGE}"]${tags}${platforms}\n`;
      files.Dockerfile = ['ARG BASE_IMAGE', 'FROM ${BASE_IMAGE}', 'RUN --mount=type=cache,target=/cache echo hi >> /cache/log', ''].join(
        '\n',
      );
      break;
  }
  files['README.md'] = `# ${name}\n\nOwned by ${team}.\n`;
  files['src/config.json'] = JSON.stringify({ name, team, replicas: (i % 3) + 1 }, null, 2);
  return { dir, files };
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (let i = 0; i < count; i++) {
  const { dir, files } = app(i);
  for (const [path, text] of Object.entries(files)) write(join(dir, path), text);
}
// Ignored trees: vendored third-party code that happens to carry build configs, and build output.
write('.gitignore', 'vendor/\n**/dist/\n');
for (let i = 0; i < 20; i++) {
  write(`vendor/github.com/thirdparty/lib${i}/build-config.yaml`, 'use_local_context: true\n');
  write(`vendor/github.com/thirdparty/lib${i}/Dockerfile`, 'FROM scratch\n');
}
write('docs/README.md', '# Images\n\nOne directory per image.\n');
write('rebuild-weekly.txt', Array.from({ length: 20 }, (_, i) => app(i * 7).dir).join('\n') + '\n');

if (!values['no-git']) {
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: out,
      stdio: 'ignore',
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', `${count} generated image directories`);
}
process.stdout.write(`${out}\n`);
