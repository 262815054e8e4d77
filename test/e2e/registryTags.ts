// Tags of a repository on the local (plain http) registry. A repository that was only ever pushed
// to by digest has no tag list at all: distribution answers NAME_UNKNOWN, which means no tags.
export async function repositoryTags(repository: string): Promise<string[]> {
  const slash = repository.indexOf('/');
  const host = repository.slice(0, slash);
  const name = repository.slice(slash + 1);
  const response = await fetch(`http://${host}/v2/${name}/tags/list`);
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`GET tags of ${repository}: HTTP ${response.status}`);
  const body = (await response.json()) as { tags?: string[] | null };
  return body.tags ?? [];
}
