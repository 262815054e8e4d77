// Push off, with images of the plan built on this one (issue 14): the OCI layout the backend
// wrote of the built image is copied to where the next wave finds it (LegContext.keepLayout),
// before the leg's scratch directory goes.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LegContext } from './backend.js';

/** Copies `layoutDir` to ctx.keepLayout when push is off and one is asked for; a no-op otherwise. */
export function keepBuiltLayout(ctx: Pick<LegContext, 'target' | 'keepLayout' | 'log'>, layoutDir: string): void {
  if (ctx.target.push || !ctx.keepLayout || layoutDir === ctx.keepLayout) return;
  if (!existsSync(join(layoutDir, 'index.json'))) return;
  rmSync(ctx.keepLayout, { recursive: true, force: true });
  // Symlinks are copied as links, never followed: a layout is regular files only.
  cpSync(layoutDir, ctx.keepLayout, { recursive: true, verbatimSymlinks: true });
  ctx.log(`OCI layout kept in ${ctx.keepLayout}`);
}
