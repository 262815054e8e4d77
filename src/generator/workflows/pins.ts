// Third-party actions used by the workflows we generate, pinned by full commit SHA: a tag can be
// moved to other code, a commit cannot. The version is written as a comment next to the SHA so a
// reader (and Dependabot/Renovate) knows what the commit is.
//
// Each SHA below was found paired with the same version comment in several unrelated public
// workflows. To bump one, resolve the new tag's commit
// (`git ls-remote https://github.com/actions/checkout refs/tags/vX.Y.Z`) and update both fields.
export interface PinnedAction {
  /** owner/repo[/path] */
  action: string;
  /** Full 40-hex commit SHA the version tag points to. */
  sha: string;
  /** The release tag, written as the trailing comment. */
  version: string;
}

export const CHECKOUT: PinnedAction = {
  action: 'actions/checkout',
  sha: '3d3c42e5aac5ba805825da76410c181273ba90b1',
  version: 'v7.0.1',
};

export const SETUP_NODE: PinnedAction = {
  action: 'actions/setup-node',
  sha: '949feb2413d6458794dcd2491c4babbbce0c15c1',
  version: 'v7.1.0',
};
