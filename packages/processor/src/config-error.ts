/** Every configuration problem at once, so one run shows them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid processor configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
