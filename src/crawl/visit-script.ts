/**
 * The one Redis round trip per crawled page (EVALSHA): mark the page fetched, claim its links, count. Atomic,
 * so two workers finding the same link at the same moment cannot both claim it.
 *
 * A claim's value is one integer: owner * 2^31 + claim time (epoch seconds); the owner is a token of the page
 * that claimed it (./url-hash.ts ownerToken; 0 = `produce --crawl`). A page fetched again after a crash (its
 * offset was never committed) carries the same owner, so it may claim its links again: what the crashed try
 * claimed but never delivered is not lost (what it did deliver is produced twice, and counted).
 *
 * With --refetch-after, the validators (ETag, Last-Modified) of each fetched page are kept per URL in a second
 * bucketed hash beside the claims (`v:<bucket>`, the same field), only for pages that sent them; a link claimed
 * again because its refetch is due gets them back, so its envelope carries them and the worker's request is
 * conditional (a 304 is `not-modified`). Still one round trip per page.
 *
 * KEYS: 1 stats hash, 2 per-host queued counts, 3 top hosts zset, 4 stop flag, 5 the page's claims bucket, 6 the
 *   page's validators bucket (5 and 6: any key when no page), then per link its claims bucket and, when
 *   refetch-after is set, its validators bucket.
 * ARGV: 1 now (s), 2 key TTL (s), 3 refetch-after (s, 0 = never), 4 crawl cap (0 = none), 5 per-host cap
 *   (0 = none), 6 owner, 7 page field ('' = no page), 8 page host, 9 page depth, 10 top hosts kept, 11 the page's
 *   validators: 0 keep, 1 set to ARGV 12, 2 delete; 13 R, then R pairs (refusal reason, count) counted as
 *   `refused:<reason>`, then per link: field, host.
 * Returns: { stopped (0/1), then per link its code and its validators ('' when none or not claimed again) } with
 *   codes 0 seen, 1 claimed new, 2 claimed again (same owner or refetch due), 3 per-host cap, 4 crawl cap.
 */
export const VISIT_SCRIPT = `
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local refetch = tonumber(ARGV[3])
local maxPages = tonumber(ARGV[4])
local maxHost = tonumber(ARGV[5])
local owner = tonumber(ARGV[6])
local topN = tonumber(ARGV[10])
local SPAN = 2147483648
local stats, hosts, top = KEYS[1], KEYS[2], KEYS[3]
local stopped = redis.call('EXISTS', KEYS[4])
local function claimValue(o) return string.format('%.0f', o * SPAN + now) end

if ARGV[7] ~= '' then
  local v = redis.call('HGET', KEYS[5], ARGV[7])
  local o = 0
  if v then o = math.floor(tonumber(v) / SPAN) end
  redis.call('HSET', KEYS[5], ARGV[7], claimValue(o))
  redis.call('EXPIRE', KEYS[5], ttl)
  if ARGV[11] == '1' then
    redis.call('HSET', KEYS[6], ARGV[7], ARGV[12])
    redis.call('EXPIRE', KEYS[6], ttl)
  elseif ARGV[11] == '2' then
    redis.call('HDEL', KEYS[6], ARGV[7])
  end
  redis.call('HINCRBY', stats, 'pages', 1)
  redis.call('HINCRBY', stats, 'depth:' .. ARGV[9], 1)
  redis.call('ZINCRBY', top, 1, ARGV[8])
  if redis.call('ZCARD', top) > 2 * topN then redis.call('ZREMRANGEBYRANK', top, 0, -(topN + 1)) end
end

local r = tonumber(ARGV[13])
local counts = {}
for i = 0, r - 1 do counts[ARGV[14 + 2 * i]] = tonumber(ARGV[15 + 2 * i]) end
local first = 14 + 2 * r
local stride = 1
if refetch > 0 then stride = 2 end
local queued = tonumber(redis.call('HGET', stats, 'queued') or '0')
local added = 0
local out = { stopped }
local n = (#ARGV - first + 1) / 2
for j = 1, n do
  local key = KEYS[7 + stride * (j - 1)]
  local field = ARGV[first + 2 * (j - 1)]
  local host = ARGV[first + 2 * (j - 1) + 1]
  local v = redis.call('HGET', key, field)
  local code = 0
  local validators = ''
  if v then
    local num = tonumber(v)
    local o = math.floor(num / SPAN)
    if o == owner then
      code = 2
    elseif refetch > 0 and now - (num % SPAN) >= refetch then
      code = 2
      redis.call('HSET', key, field, claimValue(owner))
    end
  elseif maxPages > 0 and queued + added >= maxPages then
    code = 4
  elseif maxHost > 0 and tonumber(redis.call('HGET', hosts, host) or '0') >= maxHost then
    code = 3
  else
    code = 1
    added = added + 1
    redis.call('HSET', key, field, claimValue(owner))
    redis.call('HINCRBY', hosts, host, 1)
  end
  if code ~= 0 or v then redis.call('EXPIRE', key, ttl) end
  if code == 2 and stride == 2 then
    local vkey = KEYS[8 + stride * (j - 1)]
    validators = redis.call('HGET', vkey, field) or ''
    -- An unchanged page keeps its validators for as long as it keeps its claim.
    if validators ~= '' then redis.call('EXPIRE', vkey, ttl) end
  end
  if code == 0 then counts['seen'] = (counts['seen'] or 0) + 1 end
  if code == 3 then counts['host-cap'] = (counts['host-cap'] or 0) + 1 end
  if code == 4 then counts['crawl-cap'] = (counts['crawl-cap'] or 0) + 1 end
  out[2 * j] = code
  out[2 * j + 1] = validators
end
if added > 0 then redis.call('HINCRBY', stats, 'queued', added) end
for reason, c in pairs(counts) do
  if c > 0 then redis.call('HINCRBY', stats, 'refused:' .. reason, c) end
end
redis.call('EXPIRE', stats, ttl)
redis.call('EXPIRE', hosts, ttl)
redis.call('EXPIRE', top, ttl)
return out
`;
