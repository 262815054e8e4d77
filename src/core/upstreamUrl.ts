// upstream_repo: which git URLs a build may clone, and how one is shown. git itself takes far more
// (git-clone(1) "GIT URLS"; transport.c and remote-curl of git 2.39): local paths and file://
// (a host directory read into the image), `<helper>::<address>` remote helpers (`ext::` runs a
// command), credentials inside the URL (kept in logs, the plan and .git/config). So:
//   https://host/path, ssh://[user@]host[:port]/path, scp-like [user@]host:path: accepted;
//   http:// and git:// (no TLS): only to a loopback host (a test's local server);
//   everything else: refused, with a hint.
// A URL's userinfo is never printed: redactUrl replaces a password (or a token in the user part
// of an http(s) URL) by ***.

export interface UrlProblem {
  message: string;
  hint: string;
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** scheme://[userinfo@]host[:port]/path; undefined for a URL without a scheme. */
function parseSchemeUrl(url: string): { scheme: string; userinfo?: string; host: string; rest: string } | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^@/]*)@)?(\[[^\]]*\]|[^/:?#]*)(.*)$/.exec(url);
  if (!m) return undefined;
  return { scheme: m[1].toLowerCase(), userinfo: m[2], host: m[3], rest: m[4] };
}

/** The URL with any password or http(s) user token replaced by ***: what may be printed. */
export function redactUrl(url: string): string {
  const parsed = parseSchemeUrl(url);
  if (parsed?.userinfo !== undefined) {
    const [user, password] = parsed.userinfo.split(/:(.*)/s);
    const shownUser = parsed.scheme === 'ssh' ? user : '***';
    const shown = password !== undefined ? `${shownUser}:***` : shownUser;
    return `${parsed.scheme}://${shown}@${parsed.host}${parsed.rest}`;
  }
  return url;
}

/** Why git must not clone `url`, or undefined when it may. Never quotes credentials. */
export function upstreamUrlProblem(url: string): UrlProblem | undefined {
  const shown = redactUrl(url);
  if (url.startsWith('-')) {
    return { message: `\`${shown}\` starts with "-", which git would read as an option`, hint: 'give an https:// or ssh:// URL' };
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) {
    return {
      message: `\`${shown}\` names a git remote helper (<helper>::<address>); \`ext::\` and others run commands`,
      hint: 'give an https:// or ssh:// URL',
    };
  }
  if (/\s/.test(url) || [...url].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    return {
      message: `\`${shown}\` holds whitespace or control characters`,
      hint: 'write the URL alone, e.g. https://github.com/owner/repo.git',
    };
  }
  const parsed = parseSchemeUrl(url);
  if (parsed) {
    const { scheme, userinfo, host } = parsed;
    if (!['https', 'http', 'ssh', 'git', 'git+ssh', 'ssh+git'].includes(scheme)) {
      return {
        message: `\`${shown}\`: the ${scheme}:// scheme is not allowed${scheme === 'file' ? ' (it reads a directory of the build host)' : ''}`,
        hint: 'use https:// or ssh:// (http:// and git:// only to a loopback host)',
      };
    }
    if (!host) return { message: `\`${shown}\` has no host`, hint: 'e.g. https://github.com/owner/repo.git' };
    const ssh = scheme.includes('ssh');
    if (userinfo !== undefined && (!ssh || userinfo.includes(':'))) {
      return {
        message: `\`${shown}\` holds credentials: they would be kept in logs, the plan and the clone's .git/config`,
        hint: 'remove them from the URL; give access with a secret instead (e.g. a git credential helper or an SSH key on the runner)',
      };
    }
    if ((scheme === 'http' || scheme === 'git') && !LOOPBACK.test(host)) {
      return {
        message: `\`${shown}\`: ${scheme}:// is unencrypted and unauthenticated, allowed only to a loopback host`,
        hint: `use https://${host}${parsed.rest}`,
      };
    }
    return undefined;
  }
  // git's scp-like syntax, [user@]host:path: a colon before any slash (git-clone(1)); anything
  // else without a scheme is a local path.
  const scp = /^(?:([^@/:]+)@)?(\[[^\]]+\]|[^/:@]+):(?!\/\/)(.+)$/.exec(url);
  if (scp) {
    if (scp[1]?.includes(':')) return { message: `\`${shown}\` holds a password`, hint: 'use an SSH key instead' };
    return undefined;
  }
  return {
    message: `\`${shown}\` is a local path: a build clones only remote repositories`,
    hint: 'give an https:// or ssh:// URL (file:// and local paths read the build host)',
  };
}
