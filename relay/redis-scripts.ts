/**
 * Lua scripts of the Redis backend. Each changes a room atomically and PUBLISHes what happened on
 * the room's channel with the next event number `ev`, so every node sees one order of events —
 * the same order the changes were made in. Every script checks everything before it writes
 * anything (Redis does not roll a script back when it fails half-way). Times come from Redis
 * (`TIME`), so nodes with skewed clocks agree on grace periods and ages; ARGV[1] is an offset
 * added to them (0 in production; tests move it to expire grace periods without waiting).
 * Client input reaches the scripts only as plain arguments, never as JSON to decode, and
 * neither member keys (only their SHA-256) nor tokens are ever sent.
 *
 * Keys of room R (the `{R}` hash tag keeps a room on one Redis Cluster slot), all expiring
 * `ttl` ms after the room was last touched (a heartbeat of a node with members in it, a join,
 * a member going offline), so nothing a bug or a crash leaves behind lives for ever:
 *   mesh:{R}:meta      hash: epoch, seq (last message sequence), ev (last event number), bytes
 *   mesh:{R}:log       list of messages, oldest first: "<at>|<bytes>|<from>|<n>|<frame JSON>"
 *   mesh:{R}:members   hash: peer id → member JSON
 *   mesh:{R}:events    pub/sub channel
 * Shared: mesh:rooms (zset room → expiry, real ms), mesh:deadlines (zset "R|peer" → grace
 * expiry), mesh:nodes (set of node ids), mesh:node:<id> (liveness, expires),
 * mesh:node:<id>:members (set "R|peer").
 */

/** Helpers prepended to every script. ARGV[1]: clock offset, ms. */
const PRELUDE = `
local OFFSET = tonumber(ARGV[1])
local function real_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function now_ms() return real_ms() + OFFSET end
local function k(room, what) return 'mesh:{' .. room .. '}:' .. what end
local function publish(room, ev_table)
  local ev = redis.call('HINCRBY', k(room, 'meta'), 'ev', 1)
  ev_table.ev = ev
  redis.call('PUBLISH', k(room, 'events'), cjson.encode(ev_table))
  return ev
end
local function info(m)
  return { id = m.id, name = m.name, session = m.session, baseN = m.baseN, lastN = m.lastN, online = m.online }
end
local function node_alive(node)
  return node and redis.call('EXISTS', 'mesh:node:' .. node) == 1
end
local function touch(room, ttl)
  if redis.call('EXISTS', k(room, 'meta')) == 0 then return end
  for _, what in ipairs({ 'meta', 'log', 'members' }) do redis.call('PEXPIRE', k(room, what), ttl) end
  redis.call('ZADD', 'mesh:rooms', real_ms() + ttl, room)
end
local function drop_room_if_empty(room)
  if redis.call('HLEN', k(room, 'members')) == 0 then
    redis.call('DEL', k(room, 'meta'), k(room, 'log'), k(room, 'members'))
    redis.call('ZREM', 'mesh:rooms', room)
  end
end
local function remove_member(room, m, reason, drop)
  redis.call('HDEL', k(room, 'members'), m.id)
  redis.call('ZREM', 'mesh:deadlines', room .. '|' .. m.id)
  if m.node then redis.call('SREM', 'mesh:node:' .. m.node .. ':members', room .. '|' .. m.id) end
  local kick = false
  if reason == 'replaced' then kick = m.conn or false end
  publish(room, { t = 'frame', except = m.id, frame = { type = 'peer-left', id = m.id, session = m.session, reason = reason }, kick = kick })
  if drop then drop_room_if_empty(room) end
end
local function go_offline(room, m, now, grace, ttl)
  if m.node then redis.call('SREM', 'mesh:node:' .. m.node .. ':members', room .. '|' .. m.id) end
  m.online, m.conn, m.node, m.disconnectedAt = false, false, false, now
  redis.call('HSET', k(room, 'members'), m.id, cjson.encode(m))
  redis.call('ZADD', 'mesh:deadlines', now + grace, room .. '|' .. m.id)
  publish(room, { t = 'frame', except = m.id, frame = { type = 'peer-status', id = m.id, online = false } })
  touch(room, ttl)
end
local function split_entry(e)
  local a = string.find(e, '|', 1, true)
  local b = string.find(e, '|', a + 1, true)
  local c = string.find(e, '|', b + 1, true)
  local d = string.find(e, '|', c + 1, true)
  return tonumber(string.sub(e, 1, a - 1)), tonumber(string.sub(e, a + 1, b - 1)), string.sub(e, b + 1, c - 1), tonumber(string.sub(e, c + 1, d - 1)), string.sub(e, d + 1)
end
local function frame_seq(frame) return tonumber(string.match(frame, '^{"type":"message","seq":(%d+)')) end
local function trim_log(room, max_messages, max_bytes, max_age, now)
  local meta, log = k(room, 'meta'), k(room, 'log')
  while true do
    local oldest = redis.call('LINDEX', log, 0)
    if not oldest then break end
    local at, bytes = split_entry(oldest)
    local total = tonumber(redis.call('HGET', meta, 'bytes') or '0')
    if redis.call('LLEN', log) > max_messages or total > max_bytes or now - at > max_age then
      redis.call('LPOP', log)
      redis.call('HINCRBY', meta, 'bytes', -bytes)
    else
      break
    end
  end
end
`;

/**
 * join: ARGV offset, ttl, room, peer, key digest, session, name, name key, baseN, lastN,
 * resume epoch ('' for none), resume lastSeq, node, conn, new epoch, max members, max rooms,
 * grace ms (unused), max messages, max bytes, max age ms.
 * Returns JSON: {error} or {epoch, seq, ev, resumed, disconnectedFor, self, members, replay, firstSeq}.
 */
export const JOIN = PRELUDE + `
local ttl, room, peer, key_digest, session, name, name_key = tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local base_n, last_n, resume_epoch, resume_seq = tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11], tonumber(ARGV[12])
local node, conn, new_epoch, max_members, max_rooms = ARGV[13], ARGV[14], ARGV[15], tonumber(ARGV[16]), tonumber(ARGV[17])
local now = now_ms()
local meta, members_key = k(room, 'meta'), k(room, 'members')
-- 1. Checks. Nothing is written before they all pass.
local epoch = redis.call('HGET', meta, 'epoch')
if not epoch then
  redis.call('ZREMRANGEBYSCORE', 'mesh:rooms', '-inf', real_ms())
  if redis.call('ZCARD', 'mesh:rooms') >= max_rooms then return cjson.encode({ error = 'too-many-rooms' }) end
end
local all = redis.call('HGETALL', members_key)
local members, count = {}, 0
for i = 1, #all, 2 do members[all[i]] = cjson.decode(all[i + 1]); count = count + 1 end
local me = members[peer]
if me and me.keyDigest ~= key_digest then return cjson.encode({ error = 'key-mismatch' }) end
local holders = {}
for id, m in pairs(members) do
  if id ~= peer and m.nameKey == name_key then
    if m.online and node_alive(m.node) then return cjson.encode({ error = 'name-taken' }) end
    holders[#holders + 1] = m
  end
end
if not me and count - #holders >= max_members then return cjson.encode({ error = 'room-full' }) end
-- 2. The join happens.
if not epoch then
  epoch = new_epoch
  redis.call('HSET', meta, 'epoch', epoch, 'seq', 0, 'ev', 0, 'bytes', 0)
end
for _, m in ipairs(holders) do
  remove_member(room, m, 'replaced', false)
  members[m.id] = nil
end
local resumed, disconnected_for = false, cjson.null
if me then
  if me.disconnectedAt then disconnected_for = now - me.disconnectedAt end
  local rejoin = me.session ~= session
  if me.node then redis.call('SREM', 'mesh:node:' .. me.node .. ':members', room .. '|' .. me.id) end
  local old_conn = me.conn
  me.name, me.nameKey, me.session, me.online, me.node, me.conn, me.disconnectedAt = name, name_key, session, true, node, conn, false
  if last_n > me.lastN then me.lastN = last_n end
  if rejoin then me.baseN = base_n end
  resumed = not rejoin
  redis.call('HSET', members_key, me.id, cjson.encode(me))
  local frame
  if rejoin then frame = { type = 'peer-joined', member = info(me) } else frame = { type = 'peer-status', id = me.id, online = true } end
  publish(room, { t = 'frame', except = me.id, frame = frame, kick = old_conn or false, kickPeer = me.id })
else
  me = { id = peer, keyDigest = key_digest, name = name, nameKey = name_key, session = session, baseN = base_n, lastN = last_n,
         online = true, node = node, conn = conn, disconnectedAt = false, quality = false }
  redis.call('HSET', members_key, me.id, cjson.encode(me))
  publish(room, { t = 'frame', except = me.id, frame = { type = 'peer-joined', member = info(me) } })
end
redis.call('ZREM', 'mesh:deadlines', room .. '|' .. me.id)
redis.call('SADD', 'mesh:node:' .. node .. ':members', room .. '|' .. me.id)
touch(room, ttl)
-- 3. Catch-up, in the same atomic step: everything after what the client saw (same epoch), or the whole log.
trim_log(room, tonumber(ARGV[19]), tonumber(ARGV[20]), tonumber(ARGV[21]), now)
local seq = tonumber(redis.call('HGET', meta, 'seq'))
local from = 0
if resume_epoch == epoch then from = math.min(resume_seq, seq) end
local replay, first_seq = {}, seq + 1
for i, e in ipairs(redis.call('LRANGE', k(room, 'log'), 0, -1)) do
  local _, _, _, _, frame = split_entry(e)
  local s = frame_seq(frame)
  if i == 1 then first_seq = s end
  if s > from then replay[#replay + 1] = frame end
end
local others = {}
for id, m in pairs(members) do
  if id ~= me.id then
    local mi = info(m)
    mi.online = m.online and node_alive(m.node)
    others[#others + 1] = mi
  end
end
return cjson.encode({ epoch = epoch, seq = seq, ev = tonumber(redis.call('HGET', meta, 'ev')), resumed = resumed,
  disconnectedFor = disconnected_for, self = info(me), members = others, replay = replay, firstSeq = first_seq })
`;

/**
 * publish: ARGV offset, ttl, room, peer, conn, n, bytes, max message bytes, frame tail (see
 * `messageTail`), max messages, max bytes, max age. Returns JSON {seq} | {dup: seq} | {error} | {stale: true}.
 */
export const PUBLISH = PRELUDE + `
local room, peer, conn = ARGV[3], ARGV[4], ARGV[5]
local n, bytes, max_msg = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local meta, members_key, log = k(room, 'meta'), k(room, 'members'), k(room, 'log')
local raw = redis.call('HGET', members_key, peer)
if not raw then return cjson.encode({ stale = true }) end
local m = cjson.decode(raw)
if m.conn ~= conn then return cjson.encode({ stale = true }) end
if n <= m.lastN then
  local entries = redis.call('LRANGE', log, 0, -1)
  for i = #entries, 1, -1 do
    local _, _, from, en, frame = split_entry(entries[i])
    if from == peer and en == n then return cjson.encode({ dup = frame_seq(frame) }) end
  end
  return cjson.encode({ dup = 0 })
end
if n > m.lastN + 1 then return cjson.encode({ error = 'out-of-order', expected = m.lastN + 1 }) end
if bytes > max_msg then
  m.lastN = n
  redis.call('HSET', members_key, peer, cjson.encode(m))
  return cjson.encode({ error = 'payload-too-large' })
end
local now = now_ms()
local seq = redis.call('HINCRBY', meta, 'seq', 1)
local frame = '{"type":"message","seq":' .. seq .. ARGV[9] .. now .. '}'
redis.call('RPUSH', log, now .. '|' .. bytes .. '|' .. peer .. '|' .. n .. '|' .. frame)
redis.call('HINCRBY', meta, 'bytes', bytes)
m.lastN = n
redis.call('HSET', members_key, peer, cjson.encode(m))
trim_log(room, tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12]), now)
local ev = redis.call('HINCRBY', meta, 'ev', 1)
redis.call('PUBLISH', k(room, 'events'), '{"ev":' .. ev .. ',"t":"frame","except":"' .. peer .. '","frame":' .. frame .. '}')
return cjson.encode({ seq = seq })
`;

/** leave: ARGV offset, ttl, room, peer, session. Returns 1 when the member left. */
export const LEAVE = PRELUDE + `
local room, peer, session = ARGV[3], ARGV[4], ARGV[5]
local raw = redis.call('HGET', k(room, 'members'), peer)
if not raw then return 0 end
local m = cjson.decode(raw)
if m.session ~= session then return 0 end
remove_member(room, m, 'leave', true)
return 1
`;

/** offline (socket closed): ARGV offset, ttl, room, peer, conn, grace ms. Starts the grace period. */
export const OFFLINE = PRELUDE + `
local ttl, room, peer, conn, grace = tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local raw = redis.call('HGET', k(room, 'members'), peer)
if not raw then return 0 end
local m = cjson.decode(raw)
if m.conn ~= conn then return 0 end
go_offline(room, m, now_ms(), grace, ttl)
return 1
`;

/**
 * reconcile: ARGV offset, ttl, node, grace ms, then the conns this node has sockets for (or has
 * joins under way for). Every member recorded as online on this node under another conn lost
 * its socket while Redis could not hear of it: its grace period starts now. Returns the count.
 */
export const RECONCILE = PRELUDE + `
local ttl, node, grace = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local live = {}
for i = 5, #ARGV do live[ARGV[i]] = true end
local now, done = now_ms(), 0
for _, rp in ipairs(redis.call('SMEMBERS', 'mesh:node:' .. node .. ':members')) do
  local bar = string.find(rp, '|', 1, true)
  local room, peer = string.sub(rp, 1, bar - 1), string.sub(rp, bar + 1)
  local raw = redis.call('HGET', k(room, 'members'), peer)
  if not raw then
    redis.call('SREM', 'mesh:node:' .. node .. ':members', rp)
  else
    local m = cjson.decode(raw)
    if m.online and m.node == node and not live[m.conn] then
      go_offline(room, m, now, grace, ttl)
      done = done + 1
    end
  end
end
return done
`;

/** heartbeat: ARGV offset, ttl, node, node ttl ms, then the rooms this node has members in (kept alive). */
export const HEARTBEAT = PRELUDE + `
local ttl, node = tonumber(ARGV[2]), ARGV[3]
redis.call('SET', 'mesh:node:' .. node, '1', 'PX', tonumber(ARGV[4]))
redis.call('SADD', 'mesh:nodes', node)
for i = 5, #ARGV do touch(ARGV[i], ttl) end
return 1
`;

/** expire: grace periods that ended, and members of nodes that died. ARGV offset, ttl, grace ms. Returns the count. */
export const SWEEP = PRELUDE + `
local ttl, grace = tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms()
local done = 0
for _, node in ipairs(redis.call('SMEMBERS', 'mesh:nodes')) do
  if redis.call('EXISTS', 'mesh:node:' .. node) == 0 then
    -- A node died: its members lost their sockets now; their grace period starts.
    for _, rp in ipairs(redis.call('SMEMBERS', 'mesh:node:' .. node .. ':members')) do
      local bar = string.find(rp, '|', 1, true)
      local room, peer = string.sub(rp, 1, bar - 1), string.sub(rp, bar + 1)
      local raw = redis.call('HGET', k(room, 'members'), peer)
      if raw then
        local m = cjson.decode(raw)
        if m.node == node then go_offline(room, m, now, grace, ttl) end
      end
    end
    redis.call('DEL', 'mesh:node:' .. node .. ':members')
    redis.call('SREM', 'mesh:nodes', node)
  end
end
for _, rp in ipairs(redis.call('ZRANGEBYSCORE', 'mesh:deadlines', '-inf', now)) do
  redis.call('ZREM', 'mesh:deadlines', rp)
  local bar = string.find(rp, '|', 1, true)
  local room, peer = string.sub(rp, 1, bar - 1), string.sub(rp, bar + 1)
  local raw = redis.call('HGET', k(room, 'members'), peer)
  if raw then
    local m = cjson.decode(raw)
    if not m.online then
      remove_member(room, m, 'timeout', true)
      done = done + 1
    end
  end
end
return done
`;

/** view: ARGV offset, ttl, room, max messages, max bytes, max age. JSON of the room, or '' when there is none. */
export const VIEW = PRELUDE + `
local room = ARGV[3]
local meta = redis.call('HGETALL', k(room, 'meta'))
if #meta == 0 then return '' end
local h = {}
for i = 1, #meta, 2 do h[meta[i]] = meta[i + 1] end
local now = now_ms()
trim_log(room, tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), now)
local first = redis.call('LINDEX', k(room, 'log'), 0)
local seq = tonumber(h.seq)
local members = {}
for _, raw in ipairs(redis.call('HVALS', k(room, 'members'))) do
  local m = cjson.decode(raw)
  local dis = cjson.null
  if m.disconnectedAt then dis = now - m.disconnectedAt end
  members[#members + 1] = { id = m.id, name = m.name, online = m.online and node_alive(m.node), lastN = m.lastN, disconnectedForMs = dis, quality = m.quality or cjson.null }
end
local first_seq = seq + 1
if first then local _, _, _, _, frame = split_entry(first); first_seq = frame_seq(frame) end
return cjson.encode({ room = room, epoch = h.epoch, lastSeq = seq,
  buffer = { messages = redis.call('LLEN', k(room, 'log')), bytes = tonumber(redis.call('HGET', k(room, 'meta'), 'bytes')), firstSeq = first_seq },
  members = members })
`;

/** signal check: ARGV offset, ttl, room, from, conn, to. The target's session, '' when unknown, '!' when the sender is stale. */
export const SIGNAL_TARGET = PRELUDE + `
local from = redis.call('HGET', k(ARGV[3], 'members'), ARGV[4])
if not from or cjson.decode(from).conn ~= ARGV[5] then return '!' end
local to = redis.call('HGET', k(ARGV[3], 'members'), ARGV[6])
if not to then return '' end
return cjson.decode(to).session
`;

/** quality: ARGV offset, ttl, room, peer, report JSON (made by the relay from numbers). */
export const SET_QUALITY = PRELUDE + `
local raw = redis.call('HGET', k(ARGV[3], 'members'), ARGV[4])
if not raw then return 0 end
local m = cjson.decode(raw)
m.quality = cjson.decode(ARGV[5])
redis.call('HSET', k(ARGV[3], 'members'), ARGV[4], cjson.encode(m))
return 1
`;
