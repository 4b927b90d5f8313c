/** A key prefix as the S3 sink writes it: no leading `/`, a trailing one (empty stays empty). */
export function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}
