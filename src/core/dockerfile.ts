// A small Dockerfile scanner: enough structure (instructions, their flags, stages) to tell whether
// Kaniko can build a Dockerfile or whether it needs BuildKit. It is not a full parser: it never
// expands variables and only splits words on whitespace, which is all the checks below need.

export interface DockerfileInstruction {
  /** 1-based line where the instruction starts. */
  line: number;
  /** Upper-cased keyword, e.g. RUN. */
  keyword: string;
  /** `--name[=value]` flags before the first argument, e.g. { mount: ['type=cache,target=/x'] }. */
  flags: Record<string, string[]>;
  /** The words after the flags (for the JSON form, the raw text). */
  args: string[];
  /** The instruction as one line: continuations joined, comments dropped, heredoc bodies left out. */
  text: string;
  heredocs: string[];
}

export interface DockerfileStage {
  line: number;
  image: string;
  name?: string;
}

export interface BuildkitOnlyUse {
  line: number;
  /** Short name of the feature, e.g. "RUN --mount". */
  feature: string;
  /** The instruction (or directive) that uses it, shortened for messages. */
  text: string;
}

export interface DockerfileScan {
  directives: Record<string, { value: string; line: number }>;
  instructions: DockerfileInstruction[];
  stages: DockerfileStage[];
  /** Every use of a feature Kaniko cannot build, in line order. */
  buildkitOnly: BuildkitOnlyUse[];
}

// What Kaniko cannot build, and where that is stated. Kaniko parses Dockerfiles with the
// BuildKit parser of dockerfile syntax 1.2 and nothing newer ("Support bind Build Mounts",
// GoogleContainerTools/kaniko#1568, comment of 2022-04-29); the 1.3+ features below are unknown
// flags or silently ignored there. We pin chainguard-dev/kaniko v1.25.5; the osscontainertools fork
// has since added heredocs and cache/secret mounts behind feature flags (osscontainertools/kaniko
// #206, #214, #245, #391), which we do not rely on.
const FLAG_FEATURES: { keyword: string; flag: string; source: string }[] = [
  // Any mount type: cache (kaniko#969), bind/from (kaniko#1568, #2192: accepted but silently not
  // mounted), secret and ssh (kaniko#969 comments: "Unknown flag: mount"), tmpfs.
  { keyword: 'RUN', flag: 'mount', source: 'kaniko#969, kaniko#1568, kaniko#2192' },
  // BuildKit network modes (moby/buildkit#1141); Kaniko runs RUN in its own rootfs without
  // separate namespaces (kaniko#587), so it cannot isolate a step's network.
  { keyword: 'RUN', flag: 'network', source: 'moby/buildkit#1141, kaniko#587' },
  // --security=insecure needs a BuildKit entitlement; same reason as --network.
  { keyword: 'RUN', flag: 'security', source: 'dockerfile labs syntax; kaniko#1568 (syntax 1.2 only)' },
  { keyword: 'RUN', flag: 'device', source: 'dockerfile labs syntax; kaniko#1568 (syntax 1.2 only)' },
  // COPY --link (dockerfile 1.4): "It is not (not even syntactically)" supported (kaniko#2193).
  { keyword: 'COPY', flag: 'link', source: 'kaniko#2193' },
  { keyword: 'ADD', flag: 'link', source: 'kaniko#2193' },
  // --parents and --exclude (dockerfile 1.7, moby/buildkit#3001): newer than Kaniko's parser.
  { keyword: 'COPY', flag: 'parents', source: 'moby/buildkit#3001; kaniko#1568 (syntax 1.2 only)' },
  { keyword: 'ADD', flag: 'parents', source: 'moby/buildkit#3001; kaniko#1568 (syntax 1.2 only)' },
  { keyword: 'COPY', flag: 'exclude', source: 'dockerfile 1.7; kaniko#1568 (syntax 1.2 only)' },
  { keyword: 'ADD', flag: 'exclude', source: 'dockerfile 1.7; kaniko#1568 (syntax 1.2 only)' },
  // ADD --checksum and --keep-git-dir (dockerfile 1.6), ADD --unpack (1.17).
  { keyword: 'ADD', flag: 'checksum', source: 'dockerfile 1.6; kaniko#1568 (syntax 1.2 only)' },
  { keyword: 'ADD', flag: 'keep-git-dir', source: 'dockerfile 1.6; kaniko#1568 (syntax 1.2 only)' },
  { keyword: 'ADD', flag: 'unpack', source: 'dockerfile 1.17; kaniko#1568 (syntax 1.2 only)' },
];
// Not listed on purpose: COPY/ADD --chmod, which Kaniko supports since GoogleContainerTools/kaniko#3119.

const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);
// BuildKit treats a word `<<WORD`, `<<-WORD`, `<<"WORD"` or `2<<WORD` as a heredoc (not `<<<`).
const HEREDOC_WORD = /^\d*<<(-?)\s*(["']?)([^<"'\s]+)\2$/;
// What BuildKit's ADD fetches as a git repository: git@, git://, ssh://, or a URL ending in .git.
const GIT_URL = /^(git@|git:\/\/|ssh:\/\/)|^https?:\/\/\S+\.git(#\S*)?$/;
const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$/;
/** The feature name of a `# syntax=` directive, which Kaniko ignores rather than fails on. */
export const SYNTAX_DIRECTIVE_FEATURE = '# syntax= directive';

const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const MAX_TEXT = 80;

function shorten(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 3)}...` : text;
}

function parseFlags(words: string[]): { flags: Record<string, string[]>; rest: string[] } {
  const flags: Record<string, string[]> = {};
  let i = 0;
  for (; i < words.length && words[i].startsWith('--'); i++) {
    const [name, ...value] = words[i].slice(2).split('=');
    (flags[name.toLowerCase()] ??= []).push(value.length ? value.join('=') : 'true');
  }
  return { flags, rest: words.slice(i) };
}

/** Scans Dockerfile text. Never throws: text it does not understand yields fewer findings. */
export function scanDockerfile(text: string): DockerfileScan {
  const lines = text.split(/\r?\n/);
  const directives: DockerfileScan['directives'] = {};
  const instructions: DockerfileInstruction[] = [];

  // Parser directives: `# name=value` lines at the very top, until the first other line.
  let i = 0;
  for (; i < lines.length; i++) {
    const match = DIRECTIVE.exec(lines[i].trim());
    if (!match) break;
    const name = match[1].toLowerCase();
    // An unknown or repeated directive is a comment, and a comment ends the directives.
    if (!KNOWN_DIRECTIVES.has(name) || name in directives) break;
    directives[name] = { value: match[2], line: i + 1 };
  }
  const escape = directives.escape?.value === '`' ? '`' : '\\';

  while (i < lines.length) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i++;
      continue;
    }
    const startLine = i + 1;
    // Join continuation lines. Comment and blank lines inside a continuation are dropped.
    let joined = '';
    let current = raw;
    for (;;) {
      const body = current.replace(/\s+$/, '');
      if (body.endsWith(escape) && i + 1 < lines.length) {
        joined += body.slice(0, -1);
        i++;
        while (i < lines.length && (lines[i].trim() === '' || lines[i].trim().startsWith('#'))) i++;
        if (i >= lines.length) break;
        current = lines[i];
        continue;
      }
      joined += body.endsWith(escape) ? body.slice(0, -1) : body;
      i++;
      break;
    }
    joined = joined.trim();
    const [keywordWord = '', ...restWords] = joined.split(/\s+/);
    const keyword = keywordWord.toUpperCase();
    const afterKeyword = joined.slice(keywordWord.length).trim();
    const { flags, rest } = parseFlags(restWords);
    const isJson = rest.length > 0 && rest[0].startsWith('[');

    // Heredoc bodies follow the instruction's last line, one after another.
    const heredocs: string[] = [];
    if (HEREDOC_KEYWORDS.has(keyword) && !isJson) {
      for (const word of rest) {
        const match = HEREDOC_WORD.exec(word);
        if (!match) continue;
        const [, dash, , delimiter] = match;
        heredocs.push(delimiter);
        while (i < lines.length) {
          const bodyLine = dash ? lines[i].replace(/^\t+/, '') : lines[i];
          i++;
          if (bodyLine === delimiter) break;
        }
      }
    }
    instructions.push({
      line: startLine,
      keyword,
      flags,
      args: isJson ? [afterKeyword.slice(afterKeyword.indexOf('['))] : rest,
      text: `${keywordWord} ${afterKeyword}`.trim(),
      heredocs,
    });
  }

  return { directives, instructions, stages: findStages(instructions), buildkitOnly: findBuildkitOnly(directives, instructions) };
}

/**
 * The stage a `--target` (or `COPY --from`) name selects. Both builders compare stage names
 * without case: BuildKit lowercases a stage's name when it parses `FROM ... AS Name` and the
 * target when it looks it up (moby/buildkit v0.32.2 frontend/dockerfile/instructions/parse.go
 * parseBuildStageName, frontend/dockerfile/dockerfile2llb/convert.go findStateByName); Kaniko
 * matches with strings.EqualFold (chainguard-dev/kaniko v1.25.5 pkg/dockerfile/dockerfile.go
 * targetStage).
 */
export function stageNamed(scan: Pick<DockerfileScan, 'stages'>, name: string): DockerfileStage | undefined {
  const wanted = name.toLowerCase();
  return scan.stages.find((stage) => stage.name?.toLowerCase() === wanted);
}

function findStages(instructions: DockerfileInstruction[]): DockerfileStage[] {
  return instructions
    .filter((ins) => ins.keyword === 'FROM')
    .map((ins) => {
      const [image = '', as, name] = ins.args;
      return as?.toUpperCase() === 'AS' && name ? { line: ins.line, image, name } : { line: ins.line, image };
    });
}

function findBuildkitOnly(directives: DockerfileScan['directives'], instructions: DockerfileInstruction[]): BuildkitOnlyUse[] {
  const found: BuildkitOnlyUse[] = [];
  // Kaniko ignores `# syntax=` and parses with its built-in parser; BuildKit honours the
  // frontend the file asks for (kaniko#1568), so a file that names one is meant for BuildKit.
  if (directives.syntax) {
    found.push({ line: directives.syntax.line, feature: SYNTAX_DIRECTIVE_FEATURE, text: `# syntax=${directives.syntax.value}` });
  }
  for (const ins of instructions) {
    const text = shorten(ins.text);
    for (const { keyword, flag } of FLAG_FEATURES) {
      if (ins.keyword === keyword && ins.flags[flag]) found.push({ line: ins.line, feature: `${keyword} --${flag}`, text });
    }
    // Heredocs (dockerfile 1.4): kaniko#1713, "unknown instruction" on the heredoc's body.
    if (ins.heredocs.length > 0) found.push({ line: ins.line, feature: `${ins.keyword} heredoc (<<${ins.heredocs[0]})`, text });
    // ADD <git URL> (dockerfile 1.6): Kaniko takes a git repository only as the whole build
    // context (kaniko#269, #672), not as an ADD source.
    if (ins.keyword === 'ADD' && !ins.args[0]?.startsWith('[') && ins.args.slice(0, -1).some((src) => GIT_URL.test(src))) {
      found.push({ line: ins.line, feature: 'ADD of a git URL', text });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** A FROM whose image names a build argument that nothing sets. */
export interface UnsetFromArg {
  line: number;
  name: string;
  /** The FROM instruction, for the message. */
  text: string;
}

// `$NAME` and `${NAME}`; `${NAME:-word}` and `${NAME:+word}` carry their own fallback.
const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(:?[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * The build arguments a FROM image reads that have no value: declared by no global ARG (before the
 * first FROM) or by one without a default (or an empty one), and not in `given` (the build_args
 * names and what the builder sets itself, e.g. the automatic platform args). BuildKit and Kaniko
 * expand such a variable to the empty string, and the build then fails on an image reference like
 * `` or `alpine:` with an error that names neither the line nor the argument.
 */
export function unsetFromArgs(scan: Pick<DockerfileScan, 'instructions'>, given: ReadonlySet<string>): UnsetFromArg[] {
  const withValue = new Set<string>();
  const unset: UnsetFromArg[] = [];
  let seenFrom = false;
  for (const instruction of scan.instructions) {
    if (instruction.keyword === 'ARG' && !seenFrom) {
      for (const word of instruction.args) {
        const eq = word.indexOf('=');
        if (eq >= 0 && word.slice(eq + 1).replace(/^["']|["']$/g, '') !== '') withValue.add(word.slice(0, eq));
      }
      continue;
    }
    if (instruction.keyword !== 'FROM') continue;
    seenFrom = true;
    const image = instruction.args[0] ?? '';
    for (const match of image.matchAll(VARIABLE)) {
      const name = match[1] ?? match[3];
      if (match[2] || withValue.has(name) || given.has(name)) continue;
      unset.push({ line: instruction.line, name, text: instruction.text });
    }
  }
  return unset;
}
