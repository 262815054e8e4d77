// `${VAR}` expansion of config values (build_args, ko_config.ldflags/env/flags) from the build
// environment (core/buildEnv.ts: variables passed on purpose, never the process environment).
// Only the braced form is expanded, so a lone `$` (shell text in a build arg, a Go template in
// ldflags) passes through untouched; `$${` writes a literal `${`.
import { UserError } from './problem.js';

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Thrown for `${NAME}` when NAME is not set (and has no `:-default`). */
export class UnsetVariableError extends UserError {
  constructor(readonly variable: string) {
    super(`\${${variable}} is not in the build environment: pass it on purpose with build-env (--build-env ${variable})`);
    this.name = 'UnsetVariableError';
  }
}

/**
 * Replaces `${NAME}` with env.NAME and `${NAME:-fallback}` with env.NAME, or fallback when NAME is
 * unset or empty. An unset NAME without a fallback is an error naming it.
 */
export function expandVars(text: string, env: Record<string, string | undefined>): string {
  return text.replace(REFERENCE, (match, body: string | undefined) => {
    if (body === undefined) return '${'; // the `$${` escape
    const fallbackAt = body.indexOf(':-');
    const name = fallbackAt >= 0 ? body.slice(0, fallbackAt) : body;
    if (!NAME.test(name)) throw new UserError(`${match} is not a variable reference: expected \${NAME} or \${NAME:-default}`);
    const value = env[name];
    if (fallbackAt >= 0) return value ? value : body.slice(fallbackAt + 2);
    if (value === undefined) throw new UnsetVariableError(name);
    return value;
  });
}

/** expandVars over a list, with errors that say which config key and entry failed. */
export function expandList(values: readonly string[], env: Record<string, string | undefined>, key: string): string[] {
  return values.map((value, i) => {
    try {
      return expandVars(value, env);
    } catch (err) {
      if (err instanceof UserError) throw new UserError(`${key}[${i}] (${value}): ${err.message}`);
      throw err;
    }
  });
}
