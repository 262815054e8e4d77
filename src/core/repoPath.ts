// Files and directories a config names, kept inside the repository. A config may name its build
// context, Dockerfile, Spin manifest or Go package with `..` and through symbolic links; what
// counts is where the path really leads (every link followed), and that must be inside the
// repository root. What is read is read only when it is a regular file of at most
// MAX_INPUT_FILE_BYTES, checked before reading: /dev/zero, a FIFO or a socket is refused, never
// opened for a blocking read. Errors say what is wrong with the path, never what the file holds.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { formatBytes } from './report/format.js';

/** The largest file hephy-builder reads from a repository (a config, a Dockerfile, go.mod ...). */
export const MAX_INPUT_FILE_BYTES = 4 * 1024 * 1024;

export type RepositoryPath =
  /** Inside the repository; `path` is the real path (no link left in it). */
  | { kind: 'inside'; path: string; stats: Stats }
  /** Would be inside, but nothing is there. */
  | { kind: 'missing' }
  /** Leads outside the repository: by its `..` (`path`) or through a symbolic link (`link`). */
  | { kind: 'outside'; via: 'path' | 'link' }
  /** Cannot be followed: a link loop, a file used as a directory, no permission. */
  | { kind: 'unreadable'; reason: string };

function isWithin(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return resolve(root);
  }
}

function errnoReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ELOOP') return 'a symbolic link loop';
  if (code === 'ENOTDIR') return 'a path through something that is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENAMETOOLONG') return 'the path is too long';
  return code ?? 'cannot be read';
}

/**
 * Where `path` (relative to `from`, or absolute) leads, judged against the repository `root`:
 * its real path when it exists, else whether the part of it that exists stays inside.
 */
export function resolveInRepository(root: string, from: string, path: string): RepositoryPath {
  const lexicalRoot = resolve(root);
  const target = resolve(from, path);
  if (path.includes('\0')) return { kind: 'unreadable', reason: 'the path holds a NUL character' };
  if (!isWithin(target, lexicalRoot) && !isWithin(target, realRoot(root))) return { kind: 'outside', via: 'path' };
  const rootReal = realRoot(root);
  let real: string;
  try {
    real = realpathSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code !== 'ENOENT') return { kind: 'unreadable', reason: errnoReason(error) };
    // Missing: the part that exists must not already have left through a link.
    let existing = dirname(target);
    for (;;) {
      try {
        const realAncestor = realpathSync(existing);
        return isWithin(realAncestor, rootReal) ? { kind: 'missing' } : { kind: 'outside', via: 'link' };
      } catch (ancestorError) {
        const code = (ancestorError as NodeJS.ErrnoException)?.code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') return { kind: 'unreadable', reason: errnoReason(ancestorError) };
        const up = dirname(existing);
        if (up === existing) return { kind: 'missing' };
        existing = up;
      }
    }
  }
  if (!isWithin(real, rootReal)) return { kind: 'outside', via: 'link' };
  try {
    return { kind: 'inside', path: real, stats: statSync(real) };
  } catch (error) {
    return { kind: 'unreadable', reason: errnoReason(error) };
  }
}

/** "a directory", "a FIFO", ... for a non-regular file, for messages. */
export function describeFileType(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

export type FileRead = { bytes: Buffer } | { problem: string; code: 'missing' | 'not-a-file' | 'too-large' | 'unreadable' };

/**
 * Reads a regular file of at most `maxBytes`. The file is opened without blocking and without
 * following a final symbolic link, and its type and size are checked on the open descriptor
 * before a byte is read, so a FIFO, a device or a file swapped for a link in between is refused.
 */
export function readRegularFile(path: string, maxBytes: number = MAX_INPUT_FILE_BYTES): FileRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT') return { problem: 'does not exist', code: 'missing' };
    if (code === 'ELOOP') return { problem: 'is a symbolic link', code: 'not-a-file' };
    if (code === 'EISDIR') return { problem: 'is a directory, not a file', code: 'not-a-file' };
    if (code === 'ENXIO') return { problem: 'is a socket, not a file', code: 'not-a-file' };
    return { problem: `cannot be read (${errnoReason(error)})`, code: 'unreadable' };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { problem: `is ${describeFileType(stats)}, not a regular file`, code: 'not-a-file' };
    if (stats.size > maxBytes) {
      return { problem: `is ${formatBytes(stats.size)}, larger than the ${formatBytes(maxBytes)} hephy-builder reads`, code: 'too-large' };
    }
    // Read at most one byte past the limit: a file that grows after fstat is still bounded.
    const buffer = Buffer.alloc(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) break;
    }
    if (length > maxBytes) return { problem: `is larger than the ${formatBytes(maxBytes)} hephy-builder reads`, code: 'too-large' };
    return { bytes: buffer.subarray(0, length) };
  } catch (error) {
    return { problem: `cannot be read (${errnoReason(error)})`, code: 'unreadable' };
  } finally {
    closeSync(fd);
  }
}

export type RepositoryFile = { path: string; text: string } | { problem: string; code: FileProblemCode };
export type FileProblemCode = 'missing' | 'outside' | 'not-a-file' | 'too-large' | 'unreadable';

/** Why a resolved path is refused, in words that follow the path's name. */
export function outsideProblem(via: 'path' | 'link'): string {
  return via === 'path' ? 'leads outside the repository' : 'is a symbolic link (or inside one) that leads outside the repository';
}

/** Why a path that did not resolve to one inside the repository cannot be used. */
function notInside(where: Exclude<ReturnType<typeof resolveInRepository>, { kind: 'inside' }>): { problem: string; code: FileProblemCode } {
  switch (where.kind) {
    case 'outside':
      return { problem: outsideProblem(where.via), code: 'outside' };
    case 'missing':
      return { problem: 'does not exist', code: 'missing' };
    case 'unreadable':
      return { problem: `cannot be read (${where.reason})`, code: 'unreadable' };
  }
}

/** A text file of the repository: resolved, kept inside, a regular file, size-checked, then read. */
export function readRepositoryFile(root: string, from: string, path: string, maxBytes: number = MAX_INPUT_FILE_BYTES): RepositoryFile {
  const where = resolveInRepository(root, from, path);
  if (where.kind !== 'inside') return notInside(where);
  const read = readRegularFile(where.path, maxBytes);
  if ('problem' in read) return read;
  return { path: where.path, text: read.bytes.toString('utf8') };
}

/** A directory of the repository, or why not. */
export function repositoryDirectory(
  root: string,
  from: string,
  path: string,
): { path: string } | { problem: string; code: FileProblemCode } {
  const where = resolveInRepository(root, from, path);
  switch (where.kind) {
    case 'outside':
    case 'missing':
    case 'unreadable':
      return notInside(where);
    case 'inside':
      return where.stats.isDirectory()
        ? { path: where.path }
        : { problem: `is ${describeFileType(where.stats)}, not a directory`, code: 'not-a-file' };
  }
}

export interface DockerInputs {
  /** Real path of the build context directory. */
  contextDir: string;
  /** Real path of the Dockerfile, a regular file of at most MAX_INPUT_FILE_BYTES. */
  dockerfile: string;
  /** Its text (UTF-8). */
  dockerfileText: string;
}

export interface InputProblem {
  /** The config key at fault. */
  key: 'context_path' | 'dockerfile_path' | '.dockerignore';
  code: FileProblemCode;
  /** `../.. leads outside the repository`: names the path (the key is `key`), never the file's content. */
  message: string;
}

/**
 * The build context and Dockerfile of a config (context_path relative to `dir`, dockerfile_path
 * to the context), both inside `root`, the Dockerfile a regular file read within the size limit,
 * and the context's .dockerignore (which buildx reads on this machine), when there is one, a
 * regular file inside `root` too. Used at plan time (core/detect.ts) and again by the backends
 * right before the build, on the checkout or the upstream clone they build from.
 */
export function resolveDockerInputs(
  root: string,
  dir: string,
  config: { context_path?: string; dockerfile_path?: string },
): DockerInputs | InputProblem {
  const contextPath = config.context_path ?? '.';
  const context = repositoryDirectory(root, dir, contextPath);
  if ('problem' in context) return { key: 'context_path', code: context.code, message: `${contextPath} ${context.problem}` };
  const dockerfilePath = config.dockerfile_path ?? 'Dockerfile';
  const dockerfile = readRepositoryFile(root, context.path, dockerfilePath);
  if ('problem' in dockerfile) {
    return { key: 'dockerfile_path', code: dockerfile.code, message: `${dockerfilePath} ${dockerfile.problem}` };
  }
  const ignore = resolveInRepository(root, context.path, '.dockerignore');
  if (ignore.kind === 'outside')
    return { key: '.dockerignore', code: 'outside', message: `.dockerignore of the context ${outsideProblem(ignore.via)}` };
  if (ignore.kind === 'inside' && !ignore.stats.isFile()) {
    return {
      key: '.dockerignore',
      code: 'not-a-file',
      message: `.dockerignore of the context is ${describeFileType(ignore.stats)}, not a regular file`,
    };
  }
  if (ignore.kind === 'inside' && ignore.stats.size > MAX_INPUT_FILE_BYTES) {
    return {
      key: '.dockerignore',
      code: 'too-large',
      message: `.dockerignore of the context is larger than ${formatBytes(MAX_INPUT_FILE_BYTES)}`,
    };
  }
  return { contextDir: context.path, dockerfile: dockerfile.path, dockerfileText: dockerfile.text };
}
