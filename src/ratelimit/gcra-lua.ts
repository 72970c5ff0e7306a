/**
 * The GCRA steps of gcra.ts as Redis scripts, decided on the server's clock (`TIME`) so that the workers'
 * clocks never matter. Redis 5+ replicates a script's effects, not the script, so reading TIME before
 * writing is allowed. Times are stored with microsecond precision (`%.3f` ms): Lua's default number
 * formatting keeps 14 digits, which would round a 13-digit epoch in ms to 0.1 ms.
 *
 * Each key is one string `tat interval burst hold`: the theoretical arrival time, the interval and burst last
 * used (so `kscrape limits show` can tell the configured rate) and the holdOff end (0 = none), times in ms.
 * It expires when it stops mattering (max of tat and hold), so idle hosts cost nothing.
 */

/**
 * KEYS: one per rule. ARGV[1] = cost; then per rule, intervalMs and burst.
 * Returns {granted 0|1, retryAfterMs (integer, >= 1 when refused), server time in µs (integer)}.
 * A refusal writes nothing; an admission advances every key. Three calls per rule at most (TIME once,
 * GET, SET PX): the value is one string, `tat interval burst hold`, so no HSET + PEXPIRE pair.
 */
export const ACQUIRE_LUA = `
local t = redis.call('TIME')
local nowUs = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = nowUs / 1000
local cost = tonumber(ARGV[1])
local wait = 0
local tats = {}
local holds = {}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local tat = now
  local hold = 0
  local v = redis.call('GET', KEYS[i])
  if v then
    local a, b = string.match(v, '^(%S+) %S+ %S+ (%S+)$')
    tat = tonumber(a) or now
    hold = tonumber(b) or 0
    if tat < now then tat = now end
  end
  local newTat = tat + interval * cost
  local allowAt = newTat - interval * (burst + 1)
  if allowAt - now > wait then wait = allowAt - now end
  if hold - now > wait then wait = hold - now end
  tats[i] = newTat
  holds[i] = hold
end
if wait > 0.001 then
  local w = math.ceil(wait)
  if w < 1 then w = 1 end
  return {0, w, nowUs}
end
for i = 1, #KEYS do
  local expireAt = tats[i]
  if holds[i] > expireAt then expireAt = holds[i] end
  redis.call('SET', KEYS[i], string.format('%.3f %s %s %.3f', tats[i], ARGV[2 * i], ARGV[2 * i + 1], holds[i]),
    'PX', math.max(1, math.ceil(expireAt - now)))
end
return {1, 0, nowUs}
`;

/**
 * KEYS[1]: the key; KEYS[2]: its retry-after marker; ARGV[1]: delay in ms; ARGV[2]: '1' when the host asked for
 * the hold (429/503 Retry-After). Nobody is admitted before server now + delay; a longer hold stays. A hold the
 * host asked for is also noted in the marker (a key of its own that expires with it, outside the limiter's
 * prefix), so `kscrape limits show` tells it from the worker's spacing holds; the admission scripts never read it.
 * Returns the server time in µs. A key that only holds (no admission yet) shows `-` for interval and burst.
 */
export const HOLD_LUA = `
local t = redis.call('TIME')
local nowUs = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = nowUs / 1000
local holdUntil = now + tonumber(ARGV[1])
local tat, interval, burst, hold = now, '-', '-', 0
local v = redis.call('GET', KEYS[1])
if v then
  local a, b, c, d = string.match(v, '^(%S+) (%S+) (%S+) (%S+)$')
  tat, interval, burst, hold = tonumber(a) or now, b or '-', c or '-', tonumber(d) or 0
end
if holdUntil > hold then
  local expireAt = tat
  if holdUntil > expireAt then expireAt = holdUntil end
  redis.call('SET', KEYS[1], string.format('%.3f %s %s %.3f', tat, interval, burst, holdUntil), 'PX', math.max(1, math.ceil(expireAt - now)))
end
if ARGV[2] == '1' and redis.call('PTTL', KEYS[2]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], string.format('%.3f', holdUntil), 'PX', math.max(1, math.ceil(tonumber(ARGV[1]))))
end
return nowUs
`;

/**
 * KEYS: the keys to describe. Returns the server time in µs, then for each key {value or '', pttl}:
 * one round trip and one clock for `kscrape limits show`.
 */
export const INSPECT_LUA = `
local t = redis.call('TIME')
local out = {tonumber(t[1]) * 1000000 + tonumber(t[2])}
for i = 1, #KEYS do
  out[#out + 1] = {redis.call('GET', KEYS[i]) or '', redis.call('PTTL', KEYS[i])}
end
return out
`;
