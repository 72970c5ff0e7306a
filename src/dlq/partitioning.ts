/**
 * Re-emitted URLs land where `kscrape produce` would put them: the same partitioner (key = host). The fair
 * partitioner counts depth from this process's own re-emits (no Redis), with produce's default threshold/bands.
 */
import { createPartitioner, FAIR_DEFAULTS, LocalDepthCounter, type Partitioner, type PartitionerName } from '../partition/partitioner.js';

export function retryPartitioner(name: PartitionerName): { partitioner: Partitioner; onReEmit: (host: string) => void } {
  const depth = new LocalDepthCounter();
  return { partitioner: createPartitioner(name, { fair: { ...FAIR_DEFAULTS, depth } }), onReEmit: (host) => depth.add(host) };
}
