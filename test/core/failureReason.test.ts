import { MAX_REASON_CHARS, buildkitFailureReason, goCompilerReason, koFailureReason, oneLine } from '../../src/core/failureReason.js';

// Output shapes as the pinned tools print them (ko v0.19.1 with go's compiler errors; buildx
// v0.36.1 --progress=plain with BuildKit v0.32.2); the same reasons are checked on real builds in
// test/e2e/failureReasons.test.ts.
const KO_COMPILE = `2026/11/30 14:59:01 Using base 127.0.0.1:5000/hephy/static:nonroot for example.com/broken
2026/11/30 14:59:01 Building example.com/broken for linux/amd64
# example.com/broken
./main.go:4:2: undefined: undefinedThing
./main.go:5:2: undefined: otherThing
Error: failed to publish images: error building "ko://example.com/broken": build: go build: exit status 1
`;

const KO_PLATFORM = `Error: failed to publish images: error building "ko://example.com/app": no matching platforms in base image index
`;

const BUILDKIT_RUN = `#5 [1/2] FROM 127.0.0.1:5000/hephy/busybox@sha256:abc
#5 DONE 0.1s
#6 [2/2] RUN echo "compiling" && echo "fatal: no such recipe" >&2 && exit 3
#6 0.105 compiling
#6 0.106 fatal: no such recipe
#6 ERROR: process "/bin/sh -c echo \\"compiling\\" && echo \\"fatal: no such recipe\\" >&2 && exit 3" did not complete successfully: exit code: 3
------
 > [2/2] RUN echo "compiling" && echo "fatal: no such recipe" >&2 && exit 3:
0.105 compiling
0.106 fatal: no such recipe
------
Dockerfile:3
--------------------
   1 |     ARG BASE_IMAGE
   2 |     FROM \${BASE_IMAGE} AS build
   3 | >>> RUN echo "compiling" && echo "fatal: no such recipe" >&2 && exit 3
   4 |
--------------------
ERROR: failed to build: failed to solve: process "/bin/sh -c echo \\"compiling\\" && echo \\"fatal: no such recipe\\" >&2 && exit 3" did not complete successfully: exit code: 3
`;

const BUILDKIT_GO = `#9 [build 3/4] RUN go build -o /app ./cmd/server
#9 1.902 # example.com/app/cmd/server
#9 1.903 cmd/server/main.go:12:5: syntax error: unexpected }
#9 ERROR: process "/bin/sh -c go build -o /app ./cmd/server" did not complete successfully: exit code: 1
Dockerfile:7
ERROR: failed to build: failed to solve: process "/bin/sh -c go build -o /app ./cmd/server" did not complete successfully: exit code: 1
`;

const BUILDKIT_PUSH = `#8 exporting to image
#8 pushing layers 0.1s done
#8 ERROR: failed to push 127.0.0.1:5000/team/app: unexpected status from POST request to http://127.0.0.1:5000/v2/team/app/blobs/uploads/: 401 Unauthorized
ERROR: failed to build: failed to solve: failed to push 127.0.0.1:5000/team/app: unexpected status from POST request to http://127.0.0.1:5000/v2/team/app/blobs/uploads/: 401 Unauthorized
`;

describe('koFailureReason', () => {
  it("names the compiler's first error as file:line:col and counts the others", () => {
    expect(koFailureReason(KO_COMPILE)).toBe('main.go:4:2: undefined: undefinedThing (and 1 more)');
  });

  it("is ko's own error without the wrapping every failure carries", () => {
    expect(koFailureReason(KO_PLATFORM)).toBe('error building "ko://example.com/app": no matching platforms in base image index');
    expect(koFailureReason('nothing useful\n')).toBeUndefined();
  });
});

describe('buildkitFailureReason', () => {
  it('names the failing step, its Dockerfile line, its last output and the exit code', () => {
    expect(buildkitFailureReason(BUILDKIT_RUN)).toBe(
      '[2/2] RUN echo "compiling" && echo "fatal: no such recipe" >&2 && exit 3 (Dockerfile:3): fatal: no such recipe; process "/bin/sh -c echo \\"compiling\\" && echo \\"fatal: no such recipe\\" >&2 && exit 3" did not complete successfully: exit code: 3',
    );
  });

  it("prefers the compiler's error to the step's last line", () => {
    expect(buildkitFailureReason(BUILDKIT_GO)).toMatch(
      /^\[build 3\/4\] RUN go build .* \(Dockerfile:7\): cmd\/server\/main.go:12:5: syntax error: unexpected \}; process/,
    );
  });

  it("keeps the registry's status of a failed push", () => {
    expect(buildkitFailureReason(BUILDKIT_PUSH)).toMatch(
      /^exporting to image: failed to push 127.0.0.1:5000\/team\/app: .*401 Unauthorized$/,
    );
  });

  it('is undefined when BuildKit printed no error', () => {
    expect(buildkitFailureReason('#1 DONE 0.0s\n')).toBeUndefined();
  });
});

describe('oneLine and goCompilerReason', () => {
  it('folds and cuts', () => {
    expect(oneLine('a\n  b\tc')).toBe('a b c');
    expect(oneLine('x'.repeat(1000))).toHaveLength(MAX_REASON_CHARS);
  });

  it('reads compiler lines inside a logrus line too', () => {
    expect(goCompilerReason('time=x level=error msg="./pkg/a.go:3: missing return"')).toBe('pkg/a.go:3: missing return');
  });
});
