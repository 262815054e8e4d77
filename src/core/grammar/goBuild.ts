// What a config may hand to `go build` through ko: flags from an allowlist, environment variables
// outside a list of Go's own settings. ko passes ko_config.flags (its defaultFlags) to `go build`
// as they are and ko_config.env (defaultEnv) as the build's environment (ko v0.19.1
// pkg/build/gobuild.go `build`, `buildEnv`); ko itself refuses only `-toolexec`. A flag or a
// variable can make go run another program (-toolexec, GOFLAGS, GOCACHEPROG), read or write files
// outside the repository (-overlay, -modfile, -pkgdir, -o, -C, GOCACHE, GOMODCACHE), or weaken
// module verification (GOSUMDB=off, GOINSECURE): those come from the runner, never from a config.
// Flag names: `go help build` (Go 1.26); variables: `go help environment`.

export interface AllowedGoFlag {
  name: string;
  /** Allowed values of `-name=value`; absent: a boolean flag, written without a value. */
  values?: RegExp;
  /** How the value is written in docs and messages. */
  shape?: string;
  why: string;
}

/** The go build flags ko_config.flags may hold (one entry each, `-name` or `-name=value`). */
export const ALLOWED_GO_FLAGS: readonly AllowedGoFlag[] = [
  { name: 'trimpath', why: 'remove file system paths from the binary' },
  { name: 'a', why: 'rebuild every package' },
  { name: 'v', why: 'print package names as they build' },
  { name: 'race', why: 'the race detector' },
  { name: 'msan', why: 'memory sanitizer' },
  { name: 'asan', why: 'address sanitizer' },
  { name: 'modcacherw', why: 'leave the module cache writable' },
  { name: 'tags', values: /^[A-Za-z0-9_.,]*$/, shape: 'LIST', why: 'build tags, comma-separated' },
  { name: 'mod', values: /^(readonly|vendor|mod)$/, shape: 'readonly|vendor|mod', why: 'how go.mod is used' },
  { name: 'buildvcs', values: /^(true|false|auto)$/, shape: 'true|false|auto', why: 'stamp version control information' },
  { name: 'buildmode', values: /^(default|exe|pie)$/, shape: 'default|exe|pie', why: 'an executable (what an image runs)' },
  { name: 'pgo', values: /^(auto|off)$/, shape: 'auto|off', why: "profile-guided optimisation from the main package's default.pgo" },
  { name: 'p', values: /^[1-9][0-9]{0,3}$/, shape: 'N', why: 'parallel build jobs' },
];

/** Why a ko_config.flags entry is refused, or undefined when it is allowed. */
export function goFlagProblem(entry: string): string | undefined {
  const match = /^--?([A-Za-z][A-Za-z0-9_-]*)(?:=(.*))?$/s.exec(entry);
  if (!match) {
    return entry.startsWith('-')
      ? `\`${entry}\` is not a go build flag`
      : `\`${entry}\` is not a flag: each entry is one flag, e.g. -trimpath or -tags=netgo`;
  }
  const [, name, value] = match;
  const allowed = ALLOWED_GO_FLAGS.find((flag) => flag.name === name);
  if (!allowed) {
    const why = REFUSED_FLAG_REASONS[name];
    return `go build flag -${name} is not allowed${why ? ` (${why})` : ''}`;
  }
  if (!allowed.values) {
    return value === undefined || /^(true|false)$/.test(value) ? undefined : `-${name} takes no value`;
  }
  if (value === undefined) return `write -${name}=${allowed.shape} as one entry`;
  if (!allowed.values.test(value)) return `-${name}=${value}: expected -${name}=${allowed.shape}`;
  return undefined;
}

const REFUSED_FLAG_REASONS: Record<string, string> = {
  toolexec: 'it runs another program for every compile step',
  exec: 'it runs another program',
  overlay: 'it reads files from outside the repository',
  modfile: 'it reads a go.mod from anywhere',
  pkgdir: 'it writes outside the build',
  o: 'ko chooses where the binary goes',
  C: 'it changes the directory go builds in',
  ldflags: 'use ko_config.ldflags',
  gcflags: 'compiler flags can read files from anywhere (-importcfg, -embedcfg)',
  asmflags: 'assembler flags can read files from anywhere',
  gccgoflags: 'compiler flags can read files from anywhere',
  compiler: 'the compiler comes from the runner',
  linkshared: 'it links against shared libraries of the runner',
};

/**
 * Variables of go's own that ko_config.env may not set: the runner decides which Go runs, where
 * its files go, which proxies and checksum database it trusts, and which platform it builds for
 * (the leg's platform, which ko sets from the plan). Also the loader's and the shell's own.
 */
export const REFUSED_GO_ENV: Readonly<Record<string, string>> = {
  GOFLAGS: 'go reads it as command-line flags; use ko_config.flags',
  GOTOOLCHAIN: 'the Go toolchain comes from the runner',
  GOROOT: 'the Go toolchain comes from the runner',
  GOPATH: 'it moves where go writes',
  GOBIN: 'it moves where go writes',
  GOCACHE: 'it moves where go writes',
  GOCACHEPROG: 'it runs another program',
  GOMODCACHE: 'it moves where go writes',
  GOTMPDIR: 'it moves where go writes',
  GOENV: 'it reads Go settings from another file',
  GOWORK: 'it reads a go.work from anywhere',
  GOCOVERDIR: 'it moves where go writes',
  GOAUTH: 'it runs commands for module authentication',
  GOPROXY: "module sources are the runner's choice",
  GONOPROXY: "module sources are the runner's choice",
  GOPRIVATE: 'it turns off checksum verification for matching modules',
  GOSUMDB: 'it can turn off checksum verification',
  GONOSUMDB: 'it turns off checksum verification for matching modules',
  GONOSUMCHECK: 'it turns off checksum verification',
  GOINSECURE: 'it allows fetching modules without TLS',
  GOVCS: "module sources are the runner's choice",
  GOTELEMETRY: 'telemetry is set on the runner',
  GOTELEMETRYDIR: 'it moves where go writes',
  GOOS: "the leg's platform decides it",
  GOARCH: "the leg's platform decides it",
  PATH: 'it changes which programs run',
  LD_PRELOAD: 'it loads a library into every program',
  LD_LIBRARY_PATH: 'it changes which libraries programs load',
  LD_AUDIT: 'it loads a library into every program',
};

/** Why ko_config.env may not set `name`, or undefined. */
export function goEnvProblem(name: string): string | undefined {
  const why = REFUSED_GO_ENV[name];
  return why ? `${name} may not be set from a config (${why})` : undefined;
}

/**
 * Linker flags ko_config.ldflags may hold. ko joins the entries with spaces into one
 * `-ldflags=...` (ko v0.19.1 pkg/build/gobuild.go), and go splits that value into words with
 * cmd/internal/quoted `Split` (space-separated, '...' or "..." quoting). Linker flags that run
 * another program (-extld, -extldflags, -linkmode=external with a cgo toolchain), read or write
 * files (-importcfg, -L, -r, -o, -tmpdir, -cpuprofile, -memprofile) come from nowhere but here.
 * Names: `go tool link -help` (Go 1.26).
 */
export const ALLOWED_LD_FLAGS: Readonly<Record<string, { value: 'none' | 'required' | 'optional'; why: string }>> = {
  s: { value: 'none', why: 'omit the symbol table' },
  w: { value: 'none', why: 'omit DWARF' },
  X: { value: 'required', why: 'set a string variable: -X importpath.name=value' },
  buildid: { value: 'required', why: 'the build ID' },
  B: { value: 'required', why: 'a build ID note' },
  compressdwarf: { value: 'optional', why: 'compress DWARF' },
  checklinkname: { value: 'optional', why: 'check //go:linkname uses' },
  strictdups: { value: 'required', why: 'duplicate symbol checking' },
};

/** Go's cmd/internal/quoted.Split: words separated by spaces, '...' and "..." keep spaces. */
export function splitQuoted(text: string): string[] | { problem: string } {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      const end = text.indexOf(quote, i + 1);
      if (end < 0) return { problem: `unterminated ${quote} quote` };
      words.push(text.slice(i + 1, end));
      i = end + 1;
      if (i < text.length && !/\s/.test(text[i])) return { problem: 'a quoted word must be followed by a space' };
      continue;
    }
    let end = i;
    while (end < text.length && !/\s/.test(text[end])) end++;
    words.push(text.slice(i, end));
    i = end;
  }
  return words;
}

/** Why a ko_config.ldflags entry (one or more linker flags) is refused, or undefined. */
export function ldflagsProblem(entry: string): string | undefined {
  const split = splitQuoted(entry);
  if (!Array.isArray(split)) return split.problem;
  for (let i = 0; i < split.length; i++) {
    const word = split[i];
    const match = /^--?([A-Za-z][A-Za-z0-9_]*)(?:=(.*))?$/s.exec(word);
    if (!match) {
      return word.startsWith('-') ? `\`${word}\` is not a linker flag` : `\`${word}\` is not a linker flag (write -X name=value)`;
    }
    const [, name, inline] = match;
    const allowed = ALLOWED_LD_FLAGS[name];
    if (!allowed)
      return `linker flag -${name} is not allowed (allowed: ${Object.keys(ALLOWED_LD_FLAGS)
        .map((f) => `-${f}`)
        .join(' ')})`;
    if (allowed.value === 'none' && inline !== undefined && !/^(true|false)$/.test(inline)) return `-${name} takes no value`;
    if (allowed.value === 'required' && inline === undefined) {
      const next = split[i + 1];
      if (next === undefined || next.startsWith('-')) return `-${name} needs a value`;
      i++;
    }
  }
  return undefined;
}
