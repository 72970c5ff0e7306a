/**
 * Where `kscrape lag` gets each group's state and members from. Pure.
 *
 * The group listing (ListGroups, one cheap request per broker) already gives every group's state. A group that is
 * Empty has no members to describe, and a group missing from a complete listing does not exist: neither needs a
 * DescribeGroups, which kscrape runs in a child process (src/kafka/isolated-describe.ts) and which therefore costs
 * a process start. Every other group (Stable, rebalancing, or not listed because a broker did not answer the
 * listing) is described.
 */

export interface ListedGroup {
  state: string;
  /** `consumer` for groups whose members join, `simple` for groups that only commit. */
  protocolType: string;
}

export interface GroupListing {
  groups: Map<string, ListedGroup>;
  /** Every broker answered the listing: a group that is not in it does not exist. */
  complete: boolean;
}

/** Protocol types of consumer groups: joined ones, and "simple" ones that only commit (assign-based readers). */
const CONSUMER_PROTOCOLS = new Set(['consumer', 'simple', '']);

/** The consumer groups of a listing, sorted. */
export function consumerGroupIds(listing: GroupListing): string[] {
  return [...listing.groups].filter(([, g]) => CONSUMER_PROTOCOLS.has(g.protocolType)).map(([id]) => id).sort();
}

export type MemberSource =
  /** Known from the listing: no members (Empty), or no group at all (Dead). */
  | { group: string; from: 'listing'; state: 'Empty' | 'Dead' }
  /** Needs a describe; `listedState` is what the listing said, if it listed the group. */
  | { group: string; from: 'describe'; listedState?: string };

export function planMemberReads(groups: readonly string[], listing: GroupListing | undefined): MemberSource[] {
  return groups.map((group): MemberSource => {
    const listed = listing?.groups.get(group);
    if (listed?.state === 'Empty' || listed?.state === 'Dead') return { group, from: 'listing', state: listed.state };
    if (!listed && listing?.complete) return { group, from: 'listing', state: 'Dead' };
    return listed ? { group, from: 'describe', listedState: listed.state } : { group, from: 'describe' };
  });
}
