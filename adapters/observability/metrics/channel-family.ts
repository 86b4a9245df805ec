/**
 * The label a channel, stream or queue name is counted under. Names the code spells in full
 * (`auth:events:login`, `system:stream:health`, `async:email:queue`) are their own family; any
 * other name keeps its first two segments and a `*` (`simulation:stream:*`, `notifications:user:*`),
 * or its first one when it has two (`system:*`), so that ids (simulations, users, projects) never
 * become label values.
 */
export const channelFamily = (name: string, fixedNames: ReadonlySet<string>): string => {
  if (fixedNames.has(name)) return name;
  const first = name.indexOf(':');
  if (first < 0) return 'other';
  const second = name.indexOf(':', first + 1);
  return `${name.slice(0, second < 0 ? first : second)}:*`;
};

/** Remembers each name's family: the hot path then costs one map lookup. Bounded, as names with ids are many. */
export class ChannelFamilies {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly fixedNames: ReadonlySet<string>,
    private readonly maxRemembered = 10_000,
  ) {}

  of(name: string): string {
    const cached = this.known.get(name);
    if (cached !== undefined) return cached;
    const family = channelFamily(name, this.fixedNames);
    if (this.known.size >= this.maxRemembered) this.known.clear();
    this.known.set(name, family);
    return family;
  }
}
