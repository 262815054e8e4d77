// Issue 8, "must show": hostile build-config.yaml files, one case per attack, across every key.
// Each case is planned the way `validate`, `plan` and `run` plan a repository (core/plan.ts over a
// temp directory laid out as repository + app + the machine's disk around it) and must end in a
// clean `file:line:col` error at the offending value, with nothing planned for the app and nothing
// of a file outside the repository quoted, or in a safe result (the value stays a value). The
// ${VAR} cases go through the backends' own option builders with a hostile process environment.
// The README's Security section gives the number of cases (checked at the end of this file).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildkitBuildOptions } from '../../src/backends/buildkit.js';
import { kanikoInvocation } from '../../src/backends/kaniko.js';
import { koBuildOptions } from '../../src/backends/ko.js';
import { buildEnvironment } from '../../src/core/buildEnv.js';
import { buildPlan } from '../../src/core/plan.js';
import type { Problem } from '../../src/core/problem.js';
import { UserError } from '../../src/core/problem.js';
import type { BuildConfig } from '../../src/core/config/schema.js';
import { buildxBuildArgs } from '../../src/tools/buildx.js';
import { testLeg } from '../helpers/legContext.js';

/** What a file outside the repository holds: never in a message. */
const SECRET = 'TOP-SECRET-HOST-CONTENT';
const CONFIG = 'app/build-config.yaml';
const DOCKERFILE = 'FROM scratch\nCOPY . /\n';

interface Layout {
  /** The machine's disk around the repository: outside/secret.txt and the like. */
  disk: string;
  root: string;
  app: string;
}

interface PlanCase {
  name: string;
  /** The config's text; absent: `setup` writes (or links) it. */
  config?: string;
  /** Files under the app directory (default: a Dockerfile). */
  files?: Record<string, string>;
  setup?: (l: Layout) => void;
  /**
   * [line, column, path fragment, message fragment]: one error there (column 0: any, where the parser's
   * depth limit hits depends on the stack); or 'safe': planned without errors.
   */
  expect: [number, number, string, string] | 'safe';
  /** For a config that cannot be located (not a regular file): the problem names the file only. */
  whole?: [string, string];
  /** The build-env names the plan knows (as `plan --build-env`, the action's plan job); default: unchecked. */
  buildEnvNames?: string[];
}

const outsideDockerfile = (l: Layout) => {
  mkdirSync(join(l.disk, 'outside'), { recursive: true });
  writeFileSync(join(l.disk, 'outside', 'Dockerfile'), `FROM scratch\n# ${SECRET}\n`);
  writeFileSync(join(l.disk, 'outside', 'secret.txt'), `${SECRET}\n`);
  writeFileSync(join(l.disk, 'outside', 'spin.toml'), `# ${SECRET}\n`);
};
const fifo = (path: string) => execFileSync('mkfifo', [path]);
const big = (path: string) => {
  writeFileSync(path, 'FROM scratch\n');
  truncateSync(path, 4 * 1024 * 1024 + 1);
};

const at = (line: number, column: number, path: string, message: string): PlanCase['expect'] => [line, column, path, message];

// --- values a tool would read as an option, or as something else than the key means
const optionCases: PlanCase[] = [
  {
    name: 'upstream_ref --upload-pack=<command>',
    config: 'upstream_repo: https://example.org/r.git\nupstream_ref: "--upload-pack=touch /tmp/pwned; git-upload-pack"\n',
    expect: at(2, 15, 'upstream_ref', 'not a valid git ref'),
  },
  {
    name: 'upstream_ref -x',
    config: 'upstream_repo: https://example.org/r.git\nupstream_ref: -x\n',
    expect: at(2, 15, 'upstream_ref', 'not a valid git ref'),
  },
  {
    name: 'upstream_ref with ..',
    config: 'upstream_repo: https://example.org/r.git\nupstream_ref: main..dev\n',
    expect: at(2, 15, 'upstream_ref', 'not a valid git ref'),
  },
  {
    name: 'upstream_ref with ^{}',
    config: 'upstream_repo: https://example.org/r.git\nupstream_ref: "v1^{}"\n',
    expect: at(2, 15, 'upstream_ref', 'not a valid git ref'),
  },
  {
    name: 'upstream_ref with a space',
    config: 'upstream_repo: https://example.org/r.git\nupstream_ref: "a b"\n',
    expect: at(2, 15, 'upstream_ref', 'not a valid git ref'),
  },
  {
    name: 'upstream_ref ending in .lock',
    config: 'upstream_repo: https://example.org/r.git\nupstream_ref: heads/x.lock\n',
    expect: at(2, 15, 'upstream_ref', 'not a valid git ref'),
  },
  {
    name: 'upstream_ref @{-1}',
    config: 'upstream_repo: https://example.org/r.git\nupstream_ref: "@{-1}"\n',
    expect: at(2, 15, 'upstream_ref', 'not a valid git ref'),
  },
  {
    name: 'upstream_repo --upload-pack=<command>',
    config: 'upstream_repo: "--upload-pack=touch /tmp/pwned"\nupstream_ref: main\n',
    expect: at(1, 16, 'upstream_repo', 'which git would read as an option'),
  },
  {
    name: 'upstream_repo ext:: remote helper',
    config: 'upstream_repo: "ext::sh -c touch% /tmp/pwned"\nupstream_ref: main\n',
    expect: at(1, 16, 'upstream_repo', 'remote helper'),
  },
  {
    name: 'upstream_repo file://',
    config: 'upstream_repo: file:///etc\nupstream_ref: main\n',
    expect: at(1, 16, 'upstream_repo', 'file:// scheme is not allowed'),
  },
  {
    name: 'upstream_repo a local path',
    config: 'upstream_repo: /etc\nupstream_ref: main\n',
    expect: at(1, 16, 'upstream_repo', 'is a local path'),
  },
  {
    name: 'upstream_repo with a password',
    config: 'upstream_repo: "https://user:hunter2@example.org/r.git"\nupstream_ref: main\n',
    expect: at(1, 16, 'upstream_repo', 'holds credentials'),
  },
  {
    name: 'upstream_repo plain http:// to a remote host',
    config: 'upstream_repo: http://example.org/r.git\nupstream_ref: main\n',
    expect: at(1, 16, 'upstream_repo', 'only to a loopback host'),
  },
  {
    name: 'upstream_repo git:// to a remote host',
    config: 'upstream_repo: git://example.org/r.git\nupstream_ref: main\n',
    expect: at(1, 16, 'upstream_repo', 'only to a loopback host'),
  },
  {
    name: 'ko import_path --push=true',
    config: 'build_backend: ko\nko_config:\n  import_path: "--push=true"\n',
    expect: at(3, 16, 'ko_config.import_path', 'ko would read as an option'),
  },
  {
    name: 'ko import_path --image-refs=FILE',
    config: 'build_backend: ko\nko_config:\n  import_path: "--image-refs=/tmp/x"\n',
    expect: at(3, 16, 'ko_config.import_path', 'ko would read as an option'),
  },
  {
    name: 'ko import_path -v',
    config: 'build_backend: ko\nko_config:\n  import_path: -v\n',
    expect: at(3, 16, 'ko_config.import_path', 'ko would read as an option'),
  },
  {
    name: 'ko import_path with a space',
    config: 'build_backend: ko\nko_config:\n  import_path: "example.com/a b"\n',
    expect: at(3, 16, 'ko_config.import_path', 'whitespace'),
  },
  {
    name: 'ko import_path ./... (many packages)',
    config: 'build_backend: ko\nko_config:\n  import_path: ./...\n',
    expect: at(3, 16, 'ko_config.import_path', 'names many packages'),
  },
  {
    name: 'ko base_image --insecure',
    config: 'build_backend: ko\nko_config:\n  base_image: "--insecure"\n',
    expect: at(3, 15, 'ko_config.base_image', 'read as an option'),
  },
  {
    name: 'ko base_image upper case',
    config: 'build_backend: ko\nko_config:\n  base_image: Registry.example/Base\n',
    expect: at(3, 15, 'ko_config.base_image', 'must be lowercase'),
  },
  {
    name: 'ko base_image with a space',
    config: 'build_backend: ko\nko_config:\n  base_image: "a b"\n',
    expect: at(3, 15, 'ko_config.base_image', 'whitespace'),
  },
  {
    name: 'ko flags -toolexec',
    config: 'build_backend: ko\nko_config:\n  flags: ["-toolexec=/bin/sh"]\n',
    expect: at(3, 11, 'ko_config.flags', 'not a valid go build flag'),
  },
  {
    name: 'ko flags -overlay',
    config: 'build_backend: ko\nko_config:\n  flags: ["-overlay=/tmp/o.json"]\n',
    expect: at(3, 11, 'ko_config.flags', 'not a valid go build flag'),
  },
  {
    name: 'ko flags -modfile',
    config: 'build_backend: ko\nko_config:\n  flags: ["-modfile=/etc/passwd"]\n',
    expect: at(3, 11, 'ko_config.flags', 'not a valid go build flag'),
  },
  {
    name: 'ko flags two flags in one entry',
    config: 'build_backend: ko\nko_config:\n  flags: ["-trimpath -toolexec=sh"]\n',
    expect: at(3, 11, 'ko_config.flags', 'not a valid go build flag'),
  },
  {
    name: 'ko ldflags -extld',
    config: 'build_backend: ko\nko_config:\n  ldflags: ["-extld=/bin/sh"]\n',
    expect: at(3, 13, 'ko_config.ldflags', 'not a valid linker flag list'),
  },
  {
    name: 'ko ldflags -extldflags hidden after -X',
    config: 'build_backend: ko\nko_config:\n  ldflags: ["-X main.v=1 -extldflags=-Wl,-T,/etc/passwd"]\n',
    expect: at(3, 13, 'ko_config.ldflags', 'not a valid linker flag list'),
  },
  {
    name: 'ko env GOFLAGS',
    config: 'build_backend: ko\nko_config:\n  env: ["GOFLAGS=-toolexec=sh"]\n',
    expect: at(3, 9, 'ko_config.env', 'GOFLAGS may not be set'),
  },
  {
    name: 'ko env LD_PRELOAD',
    config: 'build_backend: ko\nko_config:\n  env: ["LD_PRELOAD=/tmp/x.so"]\n',
    expect: at(3, 9, 'ko_config.env', 'LD_PRELOAD may not be set'),
  },
  {
    name: 'ko env PATH',
    config: 'build_backend: ko\nko_config:\n  env: ["PATH=/tmp"]\n',
    expect: at(3, 9, 'ko_config.env', 'PATH may not be set'),
  },
  {
    name: 'ko env GOPROXY',
    config: 'build_backend: ko\nko_config:\n  env: ["GOPROXY=http://evil.example"]\n',
    expect: at(3, 9, 'ko_config.env', 'GOPROXY may not be set'),
  },
  {
    name: 'target --output=...',
    config: 'build_backend: buildkit\ntarget: "--output=type=local,dest=/"\n',
    expect: at(2, 9, 'target', 'not a valid stage name'),
  },
  { name: 'target -x', config: 'build_backend: buildkit\ntarget: -x\n', expect: at(2, 9, 'target', 'not a valid stage name') },
  {
    name: 'dockerfile_path --file=...',
    config: 'dockerfile_path: "--file=/etc/passwd"\n',
    expect: at(1, 18, 'dockerfile_path', 'must not start with `-`'),
  },
  { name: 'context_path -', config: 'context_path: "-"\n', expect: at(1, 15, 'context_path', 'must not start with `-`') },
  {
    name: 'build_args entry --network=host',
    config: 'build_args: ["--network=host"]\n',
    expect: at(1, 14, 'build_args', 'expected KEY=VALUE'),
  },
  { name: 'platforms --platform=...', config: 'platforms: ["--output=/"]\n', expect: at(1, 13, 'platforms', '') },
  { name: 'additional_tags -latest', config: 'additional_tags: ["-latest"]\n', expect: at(1, 19, 'additional_tags', 'a tag starts with') },
  { name: 'image_name --x', config: 'image_name: "--x"\n', expect: at(1, 13, 'image_name', 'an image name is lowercase') },
  { name: 'image_name with a path', config: 'image_name: ../../x\n', expect: at(1, 13, 'image_name', 'an image name is lowercase') },
  { name: 'labels key -x', config: 'labels:\n  "-x": y\n', expect: at(2, 3, 'labels', 'a key is letters and digits') },
  // Issue 12: the supply-chain switches are booleans only; no value reaches cosign or syft.
  { name: 'sign --key=/etc/passwd', config: 'sign: "--key=/etc/passwd"\n', expect: at(1, 7, 'sign', 'expected true or false') },
  { name: 'sign keyless (a mode, not a switch)', config: 'sign: keyless\n', expect: at(1, 7, 'sign', 'expected true or false') },
  { name: 'sbom yes (YAML 1.1 boolean)', config: 'sbom: yes\n', expect: at(1, 7, 'sbom', 'expected true or false') },
  { name: 'provenance a mapping', config: 'provenance:\n  mode: max\n', expect: at(2, 3, 'provenance', 'expected true or false') },
  { name: 'description with a newline', config: 'description: "two\\nlines"\n', expect: at(1, 14, 'description', 'one line of text') },
  {
    name: 'build_args value --network=host stays a value',
    config: 'build_backend: buildkit\nbuild_args: ["X=--network=host"]\n',
    expect: 'safe',
  },
];

// --- paths that leave the repository, symbolic links, special files
const pathCases: PlanCase[] = [
  {
    name: 'context_path ../..',
    config: 'context_path: ../..\n',
    setup: outsideDockerfile,
    expect: at(1, 15, 'context_path', 'leads outside the repository'),
  },
  {
    name: 'context_path ../../outside',
    config: 'context_path: ../../outside\n',
    setup: outsideDockerfile,
    expect: at(1, 15, 'context_path', 'leads outside the repository'),
  },
  {
    name: 'dockerfile_path ../../outside/Dockerfile',
    config: 'dockerfile_path: ../../outside/Dockerfile\n',
    setup: outsideDockerfile,
    expect: at(1, 18, 'dockerfile_path', 'leads outside the repository'),
  },
  {
    name: 'dockerfile_path ../../outside/secret.txt',
    config: 'build_backend: kaniko\ndockerfile_path: ../../outside/secret.txt\n',
    setup: outsideDockerfile,
    expect: at(2, 18, 'dockerfile_path', 'leads outside the repository'),
  },
  {
    name: 'dockerfile_path absolute',
    config: `dockerfile_path: ${'/'}etc/passwd\n`,
    expect: at(1, 18, 'dockerfile_path', 'must be relative'),
  },
  { name: 'context_path absolute', config: `context_path: ${'/'}etc\n`, expect: at(1, 15, 'context_path', 'must be relative') },
  {
    name: 'context_path a symlink to a directory outside',
    config: 'context_path: ctx\n',
    setup: (l) => {
      outsideDockerfile(l);
      symlinkSync(join(l.disk, 'outside'), join(l.app, 'ctx'));
    },
    expect: at(1, 15, 'context_path', 'symbolic link'),
  },
  {
    name: 'dockerfile_path a symlink to a file outside',
    config: 'dockerfile_path: Dockerfile.link\n',
    setup: (l) => {
      outsideDockerfile(l);
      symlinkSync(join(l.disk, 'outside', 'Dockerfile'), join(l.app, 'Dockerfile.link'));
    },
    expect: at(1, 18, 'dockerfile_path', 'symbolic link'),
  },
  {
    name: 'the default Dockerfile a symlink outside',
    config: 'build_backend: kaniko\n',
    files: {},
    setup: (l) => {
      outsideDockerfile(l);
      symlinkSync(join(l.disk, 'outside', 'Dockerfile'), join(l.app, 'Dockerfile'));
    },
    expect: at(1, 16, 'build_backend', 'symbolic link'),
  },
  {
    name: 'a directory of the context path a symlink outside',
    config: 'context_path: sub/ctx\n',
    setup: (l) => {
      outsideDockerfile(l);
      symlinkSync(l.disk, join(l.app, 'sub'));
      mkdirSync(join(l.disk, 'ctx'), { recursive: true });
    },
    expect: at(1, 15, 'context_path', 'symbolic link'),
  },
  {
    name: '.dockerignore of the context a symlink outside',
    config: 'build_backend: buildkit\n',
    setup: (l) => {
      outsideDockerfile(l);
      symlinkSync(join(l.disk, 'outside', 'secret.txt'), join(l.app, '.dockerignore'));
    },
    expect: at(1, 16, 'build_backend', '.dockerignore'),
  },
  {
    name: 'spin manifest_path ../../outside/spin.toml',
    config: 'build_backend: spin\nspin_config:\n  manifest_path: ../../outside/spin.toml\n',
    setup: outsideDockerfile,
    expect: at(3, 18, 'spin_config.manifest_path', 'leads outside the repository'),
  },
  {
    name: 'spin manifest a symlink outside',
    config: 'build_backend: spin\n',
    setup: (l) => {
      outsideDockerfile(l);
      symlinkSync(join(l.disk, 'outside', 'spin.toml'), join(l.app, 'spin.toml'));
    },
    expect: at(1, 16, 'build_backend', 'symbolic link'),
  },
  {
    name: 'ko import_path ../../outside',
    config: 'build_backend: ko\nko_config:\n  import_path: ../../outside\n',
    files: { 'go.mod': 'module example.com/app\n\ngo 1.22\n' },
    setup: outsideDockerfile,
    expect: at(3, 16, 'ko_config.import_path', 'leads outside the repository'),
  },
  {
    name: 'ko import_path a symlink to a package outside',
    config: 'build_backend: ko\nko_config:\n  import_path: ./cmd/x\n',
    files: { 'go.mod': 'module example.com/app\n\ngo 1.22\n' },
    setup: (l) => {
      outsideDockerfile(l);
      mkdirSync(join(l.app, 'cmd'), { recursive: true });
      symlinkSync(join(l.disk, 'outside'), join(l.app, 'cmd', 'x'));
    },
    expect: at(3, 16, 'ko_config.import_path', 'symbolic link'),
  },
  {
    name: 'context_path a symbolic link loop',
    config: 'context_path: loop\n',
    setup: (l) => symlinkSync(join(l.app, 'loop'), join(l.app, 'loop')),
    expect: at(1, 15, 'context_path', 'symbolic link loop'),
  },
  {
    name: 'the Dockerfile a FIFO (no hang)',
    config: 'build_backend: kaniko\n',
    files: {},
    setup: (l) => fifo(join(l.app, 'Dockerfile')),
    expect: at(1, 16, 'build_backend', 'FIFO'),
  },
  {
    name: 'dockerfile_path a symlink to /dev/zero',
    config: 'dockerfile_path: zero\n',
    setup: (l) => symlinkSync('/dev/zero', join(l.app, 'zero')),
    expect: at(1, 18, 'dockerfile_path', 'symbolic link'),
  },
  {
    name: 'the Dockerfile over 4 MiB',
    config: 'build_backend: kaniko\n',
    files: {},
    setup: (l) => big(join(l.app, 'Dockerfile')),
    expect: at(1, 16, 'build_backend', 'larger than'),
  },
  {
    name: 'dockerfile_path a directory',
    config: 'build_backend: kaniko\ndockerfile_path: dir\n',
    setup: (l) => mkdirSync(join(l.app, 'dir')),
    expect: at(2, 18, 'dockerfile_path', 'directory'),
  },
  {
    name: 'context_path a file',
    config: 'build_backend: kaniko\ncontext_path: Dockerfile\n',
    expect: at(2, 15, 'context_path', 'not a directory'),
  },
  {
    name: '.dockerignore a FIFO',
    config: 'build_backend: buildkit\n',
    setup: (l) => fifo(join(l.app, '.dockerignore')),
    expect: at(1, 16, 'build_backend', 'FIFO'),
  },
  {
    name: 'spin.toml a FIFO',
    config: 'build_backend: spin\n',
    setup: (l) => fifo(join(l.app, 'spin.toml')),
    expect: at(1, 16, 'build_backend', 'not a regular file'),
  },
  {
    name: 'context_path .. stays inside: fine',
    config: 'context_path: ..\ndockerfile_path: app/Dockerfile\n',
    expect: 'safe',
  },
];

// --- the config file itself, and YAML built to hurt the parser
const fileCases: PlanCase[] = [
  {
    name: 'build-config.yaml a symlink to /dev/zero',
    setup: (l) => symlinkSync('/dev/zero', join(l.app, 'build-config.yaml')),
    expect: 'safe',
    whole: [CONFIG, ''],
  },
  {
    name: 'build-config.yaml a FIFO (no hang)',
    setup: (l) => fifo(join(l.app, 'build-config.yaml')),
    expect: 'safe',
    whole: [CONFIG, 'FIFO'],
  },
  {
    name: 'build-config.yaml a symlink to a file outside',
    setup: (l) => {
      outsideDockerfile(l);
      symlinkSync(join(l.disk, 'outside', 'secret.txt'), join(l.app, 'build-config.yaml'));
    },
    expect: 'safe',
    whole: [CONFIG, 'outside the repository'],
  },
  {
    name: 'build-config.yaml over 4 MiB',
    setup: (l) => big(join(l.app, 'build-config.yaml')),
    expect: 'safe',
    whole: [CONFIG, 'larger than'],
  },
  {
    name: 'YAML billion laughs (aliases of aliases)',
    config: [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'build_args: *g',
      '',
    ].join('\n'),
    expect: at(3, 8, '', 'alias bomb'),
  },
  {
    name: 'YAML alias for a value',
    config: 'x: &v "--upload-pack=sh"\nupstream_repo: https://example.org/r.git\nupstream_ref: *v\n',
    expect: at(3, 15, 'upstream_ref', 'which git would read as an option'),
  },
  {
    name: 'YAML merge key bringing in a bad value',
    config: 'base: &b\n  import_path: "--push=true"\nbuild_backend: ko\nko_config:\n  <<: *b\n',
    expect: at(2, 16, 'ko_config.import_path', 'ko would read as an option'),
  },
  {
    name: 'YAML nested 10000 deep',
    config: `build_args: ${'['.repeat(10000)}${']'.repeat(10000)}\n`,
    expect: at(1, 0, '', 'nested too deeply'),
  },
  { name: 'YAML a !!binary tag', config: 'build_args: !!binary aGVsbG8=\n', expect: at(1, 22, 'build_args', 'got binary data') },
  {
    name: 'YAML an unknown !tag',
    config: 'image_name: !js/function "function(){}"\n',
    expect: at(1, 26, 'image_name', 'an image name is lowercase'),
  },
  { name: 'YAML two documents', config: 'image: a\n---\nimage: b\n', expect: at(2, 1, '', 'one YAML document') },
  {
    name: 'YAML duplicate keys',
    config: 'build_backend: kaniko\nbuild_backend: buildkit\n',
    expect: at(2, 1, 'build_backend', 'duplicate key'),
  },
  { name: 'YAML a NUL byte', config: 'image_name: "a\\0b"\n', expect: at(1, 13, 'image_name', 'an image name is lowercase') },
  { name: 'YAML invalid UTF-8', config: 'image: \xff\xfe\n', expect: at(1, 1, '', 'not UTF-8') },
  { name: 'YAML a bare list', config: '- a\n- b\n', expect: at(1, 1, '', 'expected a mapping') },
  {
    name: 'YAML an unknown key (prototype pollution)',
    config: '__proto__:\n  polluted: true\n',
    expect: at(1, 1, '__proto__', 'unknown key'),
  },
];

// --- ${VAR} at plan time: a reference to anything but build-env and the safe GitHub values
const variableCases: PlanCase[] = [
  {
    name: 'plan: build_args ${HEPHY_REGISTRY_PASSWORD}',
    config: 'build_args:\n  - LEAK=${HEPHY_REGISTRY_PASSWORD}\n',
    buildEnvNames: [],
    expect: at(2, 5, 'build_args[0]', '${HEPHY_REGISTRY_PASSWORD} is not in the build environment'),
  },
  {
    name: 'plan: ko_config.ldflags ${INPUT_PASSWORD}',
    config: 'build_backend: ko\nko_config:\n  ldflags: ["-X main.v=${INPUT_PASSWORD}"]\n',
    files: { 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'main.go': 'package main\n' },
    buildEnvNames: ['VERSION'],
    expect: at(3, 13, 'ko_config.ldflags[0]', '${INPUT_PASSWORD} is not in the build environment'),
  },
  {
    name: 'plan: ko_config.env ${ACTIONS_RUNTIME_TOKEN}',
    config: 'build_backend: ko\nko_config:\n  env: ["X=${ACTIONS_RUNTIME_TOKEN}"]\n',
    files: { 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'main.go': 'package main\n' },
    buildEnvNames: [],
    expect: at(3, 9, 'ko_config.env[0]', '${ACTIONS_RUNTIME_TOKEN} is not in the build environment'),
  },
  {
    name: 'plan: ko_config.flags ${GITHUB_TOKEN} (the flag grammar refuses it first)',
    config: 'build_backend: ko\nko_config:\n  flags: ["-tags=${GITHUB_TOKEN}"]\n',
    files: { 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'main.go': 'package main\n' },
    buildEnvNames: [],
    expect: at(3, 11, 'ko_config.flags[0]', 'not a valid go build flag'),
  },
  { name: 'plan: ${GITHUB_SHA} is a safe GitHub value', config: 'build_args: ["REV=${GITHUB_SHA}"]\n', buildEnvNames: [], expect: 'safe' },
  {
    name: 'plan: a name passed with build-env',
    config: 'build_args: ["BASE=${BASE_IMAGE}"]\n',
    buildEnvNames: ['BASE_IMAGE'],
    expect: 'safe',
  },
  {
    name: 'plan: ${HEPHY_REGISTRY_PASSWORD:-none} has a default',
    config: 'build_args: ["A=${HEPHY_REGISTRY_PASSWORD:-none}"]\n',
    buildEnvNames: [],
    expect: 'safe',
  },
];

// --- build secrets: only BuildKit keeps them out of the image
const secretCases: PlanCase[] = [
  {
    name: 'secrets with kaniko (RUN steps would put them in a layer)',
    config: 'build_backend: kaniko\nsecrets: [NPM_TOKEN]\n',
    expect: at(2, 10, 'secrets', 'mounted by the buildkit backend only'),
  },
  {
    name: 'secrets with ko',
    config: 'build_backend: ko\nsecrets: [NPM_TOKEN]\n',
    files: { 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'main.go': 'package main\n' },
    expect: at(2, 10, 'secrets', 'mounted by the buildkit backend only'),
  },
  {
    name: 'secrets: a name that is an option',
    config: 'build_backend: buildkit\nsecrets: ["--privileged"]\n',
    expect: at(2, 11, 'secrets[0]', 'expected a variable name'),
  },
  {
    name: 'secrets: id=...,src=/etc/shadow smuggled into a name',
    config: 'build_backend: buildkit\nsecrets: ["X,src=/etc/shadow"]\n',
    expect: at(2, 11, 'secrets[0]', 'expected a variable name'),
  },
  { name: 'secrets with buildkit: fine', config: 'build_backend: buildkit\nsecrets: [NPM_TOKEN]\n', expect: 'safe' },
];

// --- images: and needs: (issue 14): every key of an entry is checked as at the top level
const TWO_TARGETS = 'FROM scratch AS one\nCOPY . /\nFROM scratch AS two\nCOPY . /\n';
const imageCases: PlanCase[] = [
  { name: 'images[].name --rm', config: 'images:\n  - name: "--rm"\n', expect: at(2, 11, 'images[0].name', 'an image name is') },
  { name: 'images[].name ../etc', config: 'images:\n  - name: ../etc\n', expect: at(2, 11, 'images[0].name', 'an image name is') },
  { name: 'images[].name __proto__', config: 'images:\n  - name: __proto__\n', expect: at(2, 11, 'images[0].name', 'an image name is') },
  {
    name: 'images[].name missing',
    config: 'images:\n  - target: one\n',
    files: { Dockerfile: TWO_TARGETS },
    expect: at(2, 5, 'images[0]', ''),
  },
  {
    name: 'images[].name of 200 characters',
    config: `images:\n  - name: ${'a'.repeat(200)}\n`,
    expect: at(2, 11, 'images[0].name', 'at most 128 characters'),
  },
  {
    name: 'images[].target --output=...',
    config: 'build_backend: buildkit\nimages:\n  - name: a\n    target: "--output=type=local,dest=/"\n',
    expect: at(4, 13, 'images[0].target', 'not a valid stage name'),
  },
  {
    name: 'images[].dockerfile_path ../../outside/Dockerfile',
    config: 'images:\n  - name: a\n    dockerfile_path: ../../outside/Dockerfile\n',
    setup: outsideDockerfile,
    expect: at(3, 22, 'dockerfile_path', 'leads outside the repository'),
  },
  {
    name: 'images[].build_args --network=host',
    config: 'images:\n  - name: a\n    build_args: ["--network=host"]\n',
    expect: at(3, 18, 'images[0].build_args[0]', 'expected KEY=VALUE'),
  },
  {
    name: 'images[].platforms --platform=x',
    config: 'images:\n  - name: a\n    platforms: ["--platform=x"]\n',
    expect: at(3, 17, 'images[0].platforms[0]', 'expected os/arch'),
  },
  {
    name: 'images[].ko_config.base_image --insecure',
    config: 'images:\n  - name: a\n    build_backend: ko\n    ko_config: {base_image: "--insecure"}\n',
    expect: at(4, 29, 'images[0].ko_config.base_image', 'not a valid image reference'),
  },
  { name: 'images: a string', config: 'images: all\n', expect: at(1, 9, 'images', 'expected') },
  {
    name: 'buildkit_provenance: an option',
    config: 'buildkit_provenance: --mode=max\n',
    expect: at(1, 22, 'buildkit_provenance', 'expected true or false'),
  },
  {
    name: 'needs: 20 entries',
    config: `needs: [${Array.from({ length: 20 }, (_, i) => `n${i}`).join(', ')}]\n`,
    expect: at(1, 8, 'needs', 'at most 16 images, not 20'),
  },
  { name: 'images: []', config: 'images: []\n', expect: at(1, 9, 'images', 'at least one image') },
  {
    name: 'images: 40 entries',
    config: `images:\n${Array.from({ length: 40 }, (_, i) => `  - name: i${i}\n`).join('')}`,
    expect: at(2, 3, 'images', 'at most 32 images per file, not 40'),
  },
  {
    name: 'images inside images',
    config: 'images:\n  - name: a\n    images: [{name: b}]\n',
    expect: at(3, 5, 'images[0].images', 'unknown key `images`'),
  },
  {
    name: 'images[] with a misspelt key',
    config: 'images:\n  - name: a\n    targt: one\n',
    files: { Dockerfile: TWO_TARGETS },
    expect: at(3, 5, 'images[0].targt', 'unknown key `targt`'),
  },
  {
    name: 'images[].name twice',
    config: 'images:\n  - name: a\n  - name: a\n',
    expect: at(3, 11, 'images[1].name', 'listed twice'),
  },
  { name: 'needs --build-arg=X', config: 'needs: ["--build-arg=X"]\n', expect: at(1, 9, 'needs[0]', 'an image name is') },
  { name: 'needs: a string', config: 'needs: base\n', expect: at(1, 8, 'needs', 'expected') },
  { name: 'needs an unknown image', config: 'needs: [nope]\n', expect: at(1, 9, 'needs[0]', 'no image of this repository') },
  { name: 'needs itself', config: 'images:\n  - name: a\n    needs: [a]\n', expect: at(3, 13, 'images[0].needs[0]', 'needs itself') },
  {
    name: 'needs in a cycle',
    config: 'images:\n  - name: a\n    needs: [b]\n  - name: b\n    needs: [a]\n',
    expect: at(3, 13, 'images[0].needs[0]', 'a cycle of needs: app-a -> app-b -> app-a'),
  },
  {
    name: 'needs 4 waves deep',
    config: 'images:\n  - name: a\n  - name: b\n    needs: [a]\n  - name: c\n    needs: [b]\n  - name: d\n    needs: [c]\n',
    expect: at(8, 13, 'images[3].needs[0]', 'would build in wave 4 (app-a -> app-b -> app-c -> app-d)'),
  },
  {
    name: 'images with two targets and needs: fine',
    config: 'build_backend: buildkit\nimages:\n  - name: one\n    target: one\n  - name: two\n    target: two\n    needs: [one]\n',
    files: { Dockerfile: TWO_TARGETS },
    expect: 'safe',
  },
];

const PLAN_CASES: PlanCase[] = [...optionCases, ...pathCases, ...fileCases, ...variableCases, ...secretCases, ...imageCases];

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'hephy-hostile-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function plan(c: PlanCase, index: number) {
  const disk = join(scratch, String(index));
  const root = join(disk, 'repo');
  const app = join(root, 'app');
  mkdirSync(app, { recursive: true });
  for (const [name, text] of Object.entries(c.files ?? { Dockerfile: DOCKERFILE })) {
    mkdirSync(dirname(join(app, name)), { recursive: true });
    writeFileSync(join(app, name), text);
  }
  if (c.config !== undefined) writeFileSync(join(app, 'build-config.yaml'), c.config, c.config.includes('\xff') ? 'latin1' : 'utf8');
  c.setup?.({ disk, root, app });
  return buildPlan(root, { kind: 'all' }, { repoName: 'repo', buildEnvNames: c.buildEnvNames });
}

const errors = (problems: Problem[]) => problems.filter((p) => p.severity === 'error');

describe('hostile build-config.yaml files: a clean file:line:col error or a safe result', () => {
  it.each(PLAN_CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, index) => {
    const result = await plan(c, index);
    for (const problem of result.problems) {
      // Clean: located in a file, one line of text of ours, nothing of the host's files.
      expect(problem.file).toBeTruthy();
      expect(problem.line).toBeGreaterThanOrEqual(1);
      expect(problem.column).toBeGreaterThanOrEqual(1);
      expect(`${problem.message}${problem.hint ?? ''}`).not.toContain(SECRET);
      expect(problem.message).not.toMatch(/\n\s+at /);
    }
    const planned = result.images.some((image) => image.dir === 'app');
    if (c.whole) {
      const [file, message] = c.whole;
      expect(errors(result.problems)).toContainEqual(expect.objectContaining({ file, message: expect.stringContaining(message) }));
      expect(planned).toBe(false);
      return;
    }
    if (c.expect === 'safe') {
      expect(errors(result.problems)).toEqual([]);
      expect(planned).toBe(true);
      return;
    }
    const [line, column, path, message] = c.expect;
    expect(errors(result.problems)).toContainEqual(
      expect.objectContaining({
        file: CONFIG,
        line,
        column: column === 0 ? expect.any(Number) : column,
        path: expect.stringContaining(path),
        message: expect.stringContaining(message),
      }),
    );
    expect(planned).toBe(false);
  });
});

// --- ${VAR}: only what build-env passes, on a runner whose environment holds every secret there is
const PASSWORD = 'registry-password-value';
const RUNNER_ENV = {
  PATH: process.env.PATH,
  HEPHY_REGISTRY_PASSWORD: PASSWORD,
  HEPHY_REGISTRY_USERNAME: 'registry-user',
  INPUT_PASSWORD: PASSWORD,
  ACTIONS_RUNTIME_TOKEN: 'runtime-token-value',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-token-value',
  GITHUB_TOKEN: 'workflow-token-value',
  GITHUB_SHA: 'a'.repeat(40),
};
const SECRET_VALUES = /registry-password-value|runtime-token-value|oidc-token-value|workflow-token-value/;

interface EnvCase {
  name: string;
  backend: 'buildkit' | 'kaniko' | 'ko';
  config: BuildConfig;
  /** `build-env` entries; default none (the safe GitHub values only). */
  buildEnv?: string[];
  /** The error, naming the variable or the flag; or the argv/option text the value must end up as. */
  expect: { error: string } | { safe: string };
}

const ENV_CASES: EnvCase[] = [
  {
    name: 'build_args ${HEPHY_REGISTRY_PASSWORD}',
    backend: 'buildkit',
    config: { build_args: ['LEAK=${HEPHY_REGISTRY_PASSWORD}'] },
    expect: { error: '${HEPHY_REGISTRY_PASSWORD} is not in the build environment' },
  },
  {
    name: 'build_args ${INPUT_PASSWORD} (kaniko)',
    backend: 'kaniko',
    config: { build_args: ['LEAK=${INPUT_PASSWORD}'] },
    expect: { error: '${INPUT_PASSWORD} is not in the build environment' },
  },
  {
    name: 'build_args ${ACTIONS_RUNTIME_TOKEN}',
    backend: 'buildkit',
    config: { build_args: ['LEAK=${ACTIONS_RUNTIME_TOKEN}'] },
    expect: { error: '${ACTIONS_RUNTIME_TOKEN} is not in the build environment' },
  },
  {
    name: 'ko_config.env ${GITHUB_TOKEN}',
    backend: 'ko',
    config: { ko_config: { env: ['X=${GITHUB_TOKEN}'] } },
    expect: { error: '${GITHUB_TOKEN} is not in the build environment' },
  },
  {
    name: 'ko_config.ldflags ${HEPHY_REGISTRY_PASSWORD}',
    backend: 'ko',
    config: { ko_config: { ldflags: ['-X main.v=${HEPHY_REGISTRY_PASSWORD}'] } },
    expect: { error: '${HEPHY_REGISTRY_PASSWORD} is not in the build environment' },
  },
  {
    name: 'ko_config.flags ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}',
    backend: 'ko',
    config: { ko_config: { flags: ['-tags=${ACTIONS_ID_TOKEN_REQUEST_TOKEN}'] } },
    expect: { error: '${ACTIONS_ID_TOKEN_REQUEST_TOKEN} is not in the build environment' },
  },
  {
    name: '${HEPHY_REGISTRY_PASSWORD:-x} takes the default, not the environment',
    backend: 'buildkit',
    config: { build_args: ['A=${HEPHY_REGISTRY_PASSWORD:-x}'] },
    expect: { safe: '--build-arg=A=x' },
  },
  {
    name: '$${HEPHY_REGISTRY_PASSWORD} stays literal',
    backend: 'buildkit',
    config: { build_args: ['A=$${HEPHY_REGISTRY_PASSWORD}'] },
    expect: { safe: '--build-arg=A=${HEPHY_REGISTRY_PASSWORD}' },
  },
  {
    name: '${GITHUB_SHA}, a safe GitHub value, expands',
    backend: 'buildkit',
    config: { build_args: ['REV=${GITHUB_SHA}'] },
    expect: { safe: `--build-arg=REV=${'a'.repeat(40)}` },
  },
  {
    name: 'a build-env value that looks like a flag stays a build-arg value',
    backend: 'buildkit',
    config: { build_args: ['A=${V}'] },
    buildEnv: ['V=--network=host'],
    expect: { safe: '--build-arg=A=--network=host' },
  },
  {
    name: 'a build-env value turning an ldflag into -extld',
    backend: 'ko',
    config: { ko_config: { ldflags: ['-X main.v=${V}'] } },
    buildEnv: ['V=1 -extld=/bin/sh'],
    expect: { error: 'linker flag -extld is not allowed' },
  },
  {
    name: 'a build-env value turning a flag into -toolexec',
    backend: 'ko',
    config: { ko_config: { flags: ['${V}'] } },
    buildEnv: ['V=-toolexec=/bin/sh'],
    expect: { error: 'go build flag -toolexec is not allowed' },
  },
  {
    name: 'build-env names a variable that is not set',
    backend: 'buildkit',
    config: {},
    buildEnv: ['NOT_SET_ANYWHERE'],
    expect: { error: 'build-env: NOT_SET_ANYWHERE is not set' },
  },
  {
    name: 'build-env entry that is an option',
    backend: 'buildkit',
    config: {},
    buildEnv: ['--privileged'],
    expect: { error: 'is not a variable name' },
  },
  {
    name: 'secrets: the value is never an argument (buildx reads it from its environment)',
    backend: 'buildkit',
    config: { secrets: ['HEPHY_REGISTRY_PASSWORD'] },
    expect: { safe: '--secret=id=HEPHY_REGISTRY_PASSWORD,env=HEPHY_REGISTRY_PASSWORD' },
  },
  {
    name: 'secrets: an unset one is an error naming it',
    backend: 'buildkit',
    config: { secrets: ['NOT_SET_ANYWHERE'] },
    expect: { error: 'secrets: NOT_SET_ANYWHERE is not set' },
  },
  {
    name: 'build-env NAME takes the job value on purpose',
    backend: 'buildkit',
    config: { build_args: ['U=${HEPHY_REGISTRY_USERNAME}'] },
    buildEnv: ['HEPHY_REGISTRY_USERNAME'],
    expect: { safe: '--build-arg=U=registry-user' },
  },
];

/** The text of what the backend would hand its tool for this leg (argv, .ko.yaml options). */
function toolInput(c: EnvCase): string {
  const buildEnv = buildEnvironment(c.buildEnv ?? [], RUNNER_ENV);
  const { ctx, write } = testLeg({ backend: c.backend, config: c.config, env: RUNNER_ENV, buildEnv, baseImage: '127.0.0.1:5000/base:1' });
  write({ Dockerfile: DOCKERFILE, 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'main.go': 'package main\n\nfunc main() {}\n' });
  if (c.backend === 'buildkit') return buildxBuildArgs(buildkitBuildOptions(ctx, { from: [], to: [] })).join('\n');
  if (c.backend === 'kaniko') return kanikoInvocation(ctx, 'none').args.join('\n');
  const ko = koBuildOptions(ctx);
  return [...(ko.goEnv ?? []), ...(ko.ldflags ?? []), ...(ko.flags ?? [])].join('\n');
}

describe('${VAR} in build_args and ko_config expands from build-env only (a runner full of secrets)', () => {
  it.each(ENV_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if ('error' in c.expect) {
      let thrown: unknown;
      try {
        toolInput(c);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(UserError);
      expect((thrown as Error).message).toContain(c.expect.error);
      expect((thrown as Error).message).not.toMatch(SECRET_VALUES);
      return;
    }
    const input = toolInput(c);
    expect(input.split('\n')).toContain(c.expect.safe);
    expect(input).not.toMatch(SECRET_VALUES);
  });
});

/** The number of hostile cases, as the README's Security section states it. */
const HOSTILE_CASE_COUNT = PLAN_CASES.length + ENV_CASES.length;

describe('README', () => {
  it('gives the number of hostile-config cases this suite runs', () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    const stated = /(\d+)\s+hostile-config cases/.exec(readme);
    expect(stated?.[1]).toBe(String(HOSTILE_CASE_COUNT));
  });
});
