// The pinned actionlint that scripts/install-tools.sh installs, for tests that lint workflows.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const ACTIONLINT_VERSION = '1.7.12';

export function findActionlint(): string {
  const toolsDir = process.env.HEPHY_TOOLS_DIR || join(process.env.HOME ?? '', '.local', 'hephy-builder');
  const candidates = [join(toolsDir, 'bin', 'actionlint'), ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'actionlint'))];
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `actionlint ${ACTIONLINT_VERSION} not found in $HEPHY_TOOLS_DIR/bin (${toolsDir}/bin) or on PATH. ` +
      'Install it with `bash scripts/install-tools.sh --only actionlint`.',
  );
}
