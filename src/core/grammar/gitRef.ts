// Git ref names as git itself checks them, so that a value of upstream_ref is only ever a ref.
//
// Source: git's refs.c `check_refname_format` and `check_refname_component` (git v2.39: the
// `refname_disposition` table and the rules after it), with REFNAME_ALLOW_ONELEVEL (a bare
// `main` or `v1.2.3` is what users write). On top of those rules, a leading `-` is refused: it is
// git's rule for branch names (`strbuf_check_branch_ref`, object-name.c), and a ref that starts
// with `-` is the one that `git fetch origin <ref>` reads as an option (`--upload-pack=<command>`
// runs that command). test/core/grammar/gitRef.test.ts checks this module against
// `git check-ref-format --allow-onelevel`.

/** Why `ref` is not a ref name git accepts, or undefined when it is one. */
export function gitRefProblem(ref: string): string | undefined {
  if (ref === '') return 'it is empty';
  if (ref.startsWith('-')) return 'it starts with `-`, which git would read as an option';
  if (ref === '@') return 'a lone `@` is not a ref name (git reads it as HEAD)';
  if (ref.endsWith('/')) return 'it ends with `/`';
  if (ref.endsWith('.')) return 'it ends with `.`';
  const components = ref.split('/');
  for (const component of components) {
    const problem = componentProblem(component);
    if (problem) return problem;
  }
  return undefined;
}

// refs.c refname_disposition 4: ASCII control characters (and DEL), SP, `~ ^ : ? [ \`;
// 5: `*`, refused unless a refspec pattern is asked for (never here).
// eslint-disable-next-line no-control-regex -- control characters are exactly what git refuses
const BAD_CHARACTER = /[\u0000-\u0020\u007f~^:?[\\*]/;

function componentProblem(component: string): string | undefined {
  if (component === '') return 'it has an empty path component (`//`, or a leading `/`)';
  const bad = BAD_CHARACTER.exec(component);
  if (bad) {
    const shown =
      bad[0] <= ' ' || bad[0] === '\u007f'
        ? `the control character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
        : `\`${bad[0]}\``;
    return bad[0] === ' ' ? 'it contains a space' : `it contains ${shown}`;
  }
  if (component.includes('..')) return 'it contains `..`';
  if (component.includes('@{')) return 'it contains `@{`';
  if (component.startsWith('.')) return 'a path component starts with `.`';
  if (component.endsWith('.lock')) return 'a path component ends with `.lock`';
  return undefined;
}
