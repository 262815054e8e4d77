import { scanDockerfile, unsetFromArgs } from '../../src/core/dockerfile.js';

const features = (text: string) => scanDockerfile(text).buildkitOnly.map((u) => `${u.line}:${u.feature}`);

describe('scanDockerfile', () => {
  it('finds nothing in a Dockerfile Kaniko builds', () => {
    const text = [
      'ARG BASE_IMAGE',
      'FROM ${BASE_IMAGE} AS build',
      'COPY --chown=1000:1000 --chmod=0755 app.sh /app.sh',
      'RUN echo "a <<b" && cat /etc/os-release',
      'ADD https://example.com/file.tar.gz /tmp/',
      'FROM build',
      'COPY --from=build /app.sh /usr/local/bin/',
    ].join('\n');
    expect(scanDockerfile(text).buildkitOnly).toEqual([]);
  });

  it.each([
    ['RUN --mount=type=cache,target=/root/.cache go build ./...', 'RUN --mount'],
    ['RUN --mount=type=secret,id=token cat /run/secrets/token', 'RUN --mount'],
    ['RUN --network=none make test', 'RUN --network'],
    ['RUN --security=insecure make', 'RUN --security'],
    ['COPY --link app /app', 'COPY --link'],
    ['ADD --link app.tar /app', 'ADD --link'],
    ['COPY --parents ./a/*.txt /dst/', 'COPY --parents'],
    ['COPY --exclude=*.md . /src', 'COPY --exclude'],
    ['ADD --checksum=sha256:abc https://example.com/a.tgz /', 'ADD --checksum'],
    ['ADD git@example.com:org/repo.git /src', 'ADD of a git URL'],
    ['ADD https://example.com/org/repo.git#v1.0 /src', 'ADD of a git URL'],
  ])('flags %s as %s', (instruction, feature) => {
    expect(features(`FROM scratch\n${instruction}\n`)).toEqual([`2:${feature}`]);
  });

  it('reports each feature of one instruction', () => {
    expect(features('FROM scratch\nADD --keep-git-dir=true https://example.com/org/repo.git /src')).toEqual([
      '2:ADD --keep-git-dir',
      '2:ADD of a git URL',
    ]);
  });

  it('flags a # syntax= directive, but only at the top', () => {
    expect(features('# syntax = docker/dockerfile:1.7\nFROM scratch\n')).toEqual(['1:# syntax= directive']);
    expect(features('FROM scratch\n# syntax=docker/dockerfile:1\n')).toEqual([]);
    expect(features('# a comment\n# syntax=docker/dockerfile:1\nFROM scratch\n')).toEqual([]);
  });

  it('reports the line where a continued instruction starts, past comments inside it', () => {
    const text = ['FROM scratch', '', 'RUN apt-get update \\', '  # a comment inside', '  && true \\', '  --mount=x'].join('\n');
    // --mount after the first argument is not a flag: this is plain shell text.
    expect(features(text)).toEqual([]);
    const flagged = ['FROM scratch', 'RUN \\', '    --mount=type=cache,target=/cache \\', '    make'].join('\n');
    expect(features(flagged)).toEqual(['2:RUN --mount']);
    expect(scanDockerfile(flagged).instructions[1]).toMatchObject({ keyword: 'RUN', args: ['make'], line: 2 });
  });

  it('finds heredocs and skips their bodies', () => {
    const text = [
      'FROM scratch',
      'RUN <<EOF',
      'COPY --link this-is-shell /not-an-instruction',
      'EOF',
      'COPY <<-"CONF" /etc/app.conf',
      '\tkey=value',
      '\tCONF',
      'RUN cat <<<"here-string is not a heredoc"',
    ].join('\n');
    const scan = scanDockerfile(text);
    expect(features(text)).toEqual(['2:RUN heredoc (<<EOF)', '5:COPY heredoc (<<CONF)']);
    expect(scan.instructions.map((ins) => `${ins.line}:${ins.keyword}`)).toEqual(['1:FROM', '2:RUN', '5:COPY', '8:RUN']);
  });

  it('honours the escape directive', () => {
    const text = ['# escape=`', 'FROM scratch', 'RUN `', '  --network=host `', '  curl example.com'].join('\n');
    expect(features(text)).toEqual(['3:RUN --network']);
  });

  it('lists stages with their names', () => {
    const text = 'FROM golang:1 AS build\nFROM build as test\nFROM scratch\n';
    expect(scanDockerfile(text).stages).toEqual([
      { line: 1, image: 'golang:1', name: 'build' },
      { line: 2, image: 'build', name: 'test' },
      { line: 3, image: 'scratch' },
    ]);
  });

  it('reads the JSON form without treating its words as flags or sources', () => {
    const scan = scanDockerfile('FROM scratch\nADD ["git@example.com:o/r.git", "/src"]\nCMD ["--link"]\n');
    expect(scan.buildkitOnly).toEqual([]);
    expect(scan.instructions[1].args).toEqual(['["git@example.com:o/r.git", "/src"]']);
  });

  it('handles CRLF line endings and a trailing continuation at end of file', () => {
    expect(features('FROM scratch\r\nRUN --mount=type=tmpfs,target=/t \\\r\n')).toEqual(['2:RUN --mount']);
  });

  it('shortens long instruction text in findings', () => {
    const [use] = scanDockerfile(`FROM scratch\nRUN --mount=type=cache,target=/c ${'x'.repeat(200)}`).buildkitOnly;
    expect(use.text.length).toBeLessThanOrEqual(80);
    expect(use.text.endsWith('...')).toBe(true);
  });
});

describe('unsetFromArgs', () => {
  const unset = (text: string, given: string[] = []) => unsetFromArgs(scanDockerfile(text), new Set(given)).map((u) => [u.line, u.name]);

  it('finds a FROM image built from an ARG with no default and nothing given', () => {
    expect(unset('ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN true\n')).toEqual([[2, 'BASE_IMAGE']]);
    expect(unset('ARG VERSION=\nFROM alpine:$VERSION\n')).toEqual([[2, 'VERSION']]);
    // Not declared at all: BuildKit and Kaniko expand it to nothing as well.
    expect(unset('FROM ${NOPE}\n')).toEqual([[1, 'NOPE']]);
  });

  it('is quiet when a default, a build arg, a fallback or the builder sets it', () => {
    expect(unset('ARG BASE_IMAGE=busybox:1\nFROM ${BASE_IMAGE}\n')).toEqual([]);
    expect(unset('ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n', ['BASE_IMAGE'])).toEqual([]);
    expect(unset('FROM ${BASE_IMAGE:-busybox:1}\n')).toEqual([]);
    expect(
      unset('FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM alpine:${TARGETARCH}\n', ['TARGETARCH', 'BUILDPLATFORM']),
    ).toEqual([]);
    // A stage name, and an ARG declared after the first FROM (stage scope, not FROM's).
    expect(unset('FROM busybox AS base\nARG LATE\nFROM base\n')).toEqual([]);
  });
});
