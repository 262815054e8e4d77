// `--sbom`, `--provenance` and `--sign` of plan and run: the inputs over the defaults of the
// supply-chain settings (core/supplyChain.ts); a build-config.yaml's own keys win over them.
import { parseSwitch, type SupplyChainSwitches } from '../core/supplyChain.js';
import { UserError } from '../core/problem.js';
import { stringOption, type ParsedArgs } from './args.js';

export const supplyChainOptions = {
  sbom: { type: 'string' },
  provenance: { type: 'string' },
  sign: { type: 'string' },
} as const;

export function supplyChainHelp(width: number): string {
  // At least one space after the flag: `--provenance true|false` is wider than some callers' column.
  const pad = (flag: string) => `  ${flag.padEnd(width - 3)} `;
  const cont = ' '.repeat(width);
  return [
    `${pad('--sbom true|false')}an SPDX SBOM per platform (default true; a config's sbom: key wins)`,
    `${pad('--provenance true|false')}a SLSA v1 provenance statement per platform (default true;`,
    `${cont}a config's provenance: key wins)`,
    `${pad('--sign true|false')}sign each published image (default: with --sign-key; on a GitHub`,
    `${cont}runner keyless for default-branch, scheduled, manual and tag runs;`,
    `${cont}a config's sign: key wins)`,
  ].join('\n');
}

/** The switches given as flags; absent ones keep the default. @throws UserError for a value that is no boolean. */
export function supplyChainFromArgs(args: ParsedArgs): SupplyChainSwitches {
  const switches: SupplyChainSwitches = {};
  for (const name of ['sbom', 'provenance', 'sign'] as const) {
    const value = parseSwitch(stringOption(args, name), `--${name}`);
    if (value !== undefined) switches[name] = value;
  }
  return switches;
}

/**
 * `--sign true` where nothing can sign: no --sign-key and no GitHub runner (keyless needs its
 * OIDC token). @throws UserError saying what to pass.
 */
export function checkSignFlag(switches: SupplyChainSwitches, where: { onRunner: boolean; signKey: boolean }): void {
  if (switches.sign === true && !where.signKey && !where.onRunner)
    throw new UserError("--sign true needs --sign-key FILE here: keyless signing needs a GitHub runner's OIDC token");
}
