/**
 * Lua scripts of the Redis backend. Each changes a room atomically and PUBLISHes what happened on
 * the room's channel with the next event number `ev`, so every node sees one order of events —
 * the same order the changes were made in. Times come from Redis (`TIME`), so nodes with skewed
 * clocks agree on grace periods and ages.
 *
 * Keys of room R (the `{R}` hash tag keeps a room on one Redis Cluster slot):
 *   mesh:{R}:meta      hash: epoch, seq (last message sequence), ev (last event number), bytes
 *   mesh:{R}:log       list of messages, oldest first: "<at>|<bytes>|<from>|<n>|<frame JSON>"
 *   mesh:{R}:members   hash: peer id → member JSON
 *   mesh:{R}:events    pub/sub channel
 * Shared: mesh:rooms (set of room ids), mesh:deadlines (zset "R|peer" → grace expiry, ms),
 *   mesh:nodes (set of node ids), mesh:node:<id> (liveness, expires), mesh:node:<id>:members (set "R|peer").
 */

/** Helpers prepended to every script. */
const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function publish(room, ev_table)
  local ev = redis.call('HINCRBY', 'mesh:{' .. room .. '}:meta', 'ev', 1)
  ev_table.ev = ev
  redis.call('PUBLISH', 'mesh:{' .. room .. '}:events', cjson.encode(ev_table))
  return ev
end
local function info(m)
  return { id = m.id, name = m.name, session = m.session, baseN = m.baseN, lastN = m.lastN, online = m.online }
end
local function node_alive(node)
  return node and redis.call('EXISTS', 'mesh:node:' .. node) == 1
end
local function drop_room_if_empty(room)
  if redis.call('HLEN', 'mesh:{' .. room .. '}:members') == 0 then
    redis.call('DEL', 'mesh:{' .. room .. '}:meta', 'mesh:{' .. room .. '}:log', 'mesh:{' .. room .. '}:members')
    redis.call('SREM', 'mesh:rooms', room)
  end
end
local function remove_member(room, m, reason)
  redis.call('HDEL', 'mesh:{' .. room .. '}:members', m.id)
  redis.call('ZREM', 'mesh:deadlines', room .. '|' .. m.id)
  if m.node then redis.call('SREM', 'mesh:node:' .. m.node .. ':members', room .. '|' .. m.id) end
  local kick = false
  if reason == 'replaced' then kick = m.conn or false end
  publish(room, { t = 'frame', except = m.id, frame = { type = 'peer-left', id = m.id, session = m.session, reason = reason }, kick = kick })
  drop_room_if_empty(room)
end
local function split_entry(e)
  local a = string.find(e, '|', 1, true)
  local b = string.find(e, '|', a + 1, true)
  local c = string.find(e, '|', b + 1, true)
  local d = string.find(e, '|', c + 1, true)
  return tonumber(string.sub(e, 1, a - 1)), tonumber(string.sub(e, a + 1, b - 1)), string.sub(e, b + 1, c - 1), tonumber(string.sub(e, c + 1, d - 1)), string.sub(e, d + 1)
end
local function trim_log(room, max_messages, max_bytes, max_age, now)
  local meta, log = 'mesh:{' .. room .. '}:meta', 'mesh:{' .. room .. '}:log'
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
 * join: KEYS none; ARGV room, frame JSON (validated, name normalised), nameKey, node, conn,
 * new epoch, max members, max rooms, grace ms, max messages, max bytes, max age ms.
 * Returns JSON: {error} or {epoch, seq, ev, resumed, disconnectedFor, self, members, replay, firstSeq, epochChanged}.
 */
export const JOIN = PRELUDE + `
local room = ARGV[1]
local f = cjson.decode(ARGV[2])
local name_key, node, conn = ARGV[3], ARGV[4], ARGV[5]
local max_members, max_rooms = tonumber(ARGV[7]), tonumber(ARGV[8])
local now = now_ms()
local meta, members_key = 'mesh:{' .. room .. '}:meta', 'mesh:{' .. room .. '}:members'
local epoch = redis.call('HGET', meta, 'epoch')
if not epoch then
  if redis.call('SCARD', 'mesh:rooms') >= max_rooms then return cjson.encode({ error = 'too-many-rooms' }) end
  epoch = ARGV[6]
  redis.call('HSET', meta, 'epoch', epoch, 'seq', 0, 'ev', 0, 'bytes', 0)
  redis.call('SADD', 'mesh:rooms', room)
end
local all = redis.call('HGETALL', members_key)
local members, count = {}, 0
for i = 1, #all, 2 do members[all[i]] = cjson.decode(all[i + 1]); count = count + 1 end
local me = members[f.peerId]
if me and me.key ~= f.key then return cjson.encode({ error = 'key-mismatch' }) end
for id, m in pairs(members) do
  if id ~= f.peerId and m.nameKey == name_key then
    if m.online and node_alive(m.node) then return cjson.encode({ error = 'name-taken' }) end
    remove_member(room, m, 'replaced')
    members[id] = nil
    count = count - 1
  end
end
local resumed, disconnected_for = false, cjson.null
if me then
  if me.disconnectedAt then disconnected_for = now - me.disconnectedAt end
  local rejoin = me.session ~= f.session
  if me.node and me.node ~= node then redis.call('SREM', 'mesh:node:' .. me.node .. ':members', room .. '|' .. me.id) end
  local old_conn = me.conn
  me.name, me.nameKey, me.session, me.online, me.node, me.conn, me.disconnectedAt = f.name, name_key, f.session, true, node, conn, false
  if f.lastN > me.lastN then me.lastN = f.lastN end
  if rejoin then me.baseN = f.baseN end
  resumed = not rejoin
  redis.call('HSET', members_key, me.id, cjson.encode(me))
  if rejoin then
    publish(room, { t = 'frame', except = me.id, frame = { type = 'peer-joined', member = info(me) }, kick = old_conn or false, kickPeer = me.id })
  else
    publish(room, { t = 'frame', except = me.id, frame = { type = 'peer-status', id = me.id, online = true }, kick = old_conn or false, kickPeer = me.id })
  end
else
  if count >= max_members then
    drop_room_if_empty(room)
    return cjson.encode({ error = 'room-full' })
  end
  me = { id = f.peerId, key = f.key, name = f.name, nameKey = name_key, session = f.session, baseN = f.baseN, lastN = f.lastN,
         online = true, node = node, conn = conn, disconnectedAt = false, quality = false }
  redis.call('HSET', members_key, me.id, cjson.encode(me))
  publish(room, { t = 'frame', except = me.id, frame = { type = 'peer-joined', member = info(me) } })
end
redis.call('ZREM', 'mesh:deadlines', room .. '|' .. me.id)
redis.call('SADD', 'mesh:node:' .. node .. ':members', room .. '|' .. me.id)
-- Catch-up, in the same atomic step: everything after what the client saw (same epoch), or the whole log.
trim_log(room, tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12]), now)
local seq = tonumber(redis.call('HGET', meta, 'seq'))
local from = 0
local same_epoch = f.resume and f.resume.epoch == epoch
if same_epoch then from = math.min(f.resume.lastSeq, seq) end
local replay, first_seq = {}, seq + 1
local entries = redis.call('LRANGE', 'mesh:{' .. room .. '}:log', 0, -1)
for i, e in ipairs(entries) do
  local _, _, _, _, frame = split_entry(e)
  local s = tonumber(string.match(frame, '^{"type":"message","seq":(%d+)'))
  if i == 1 then first_seq = s end
  if s > from then replay[#replay + 1] = frame end
end
local others = {}
for id, m in pairs(members) do
  if id ~= me.id then
    local online = m.online and node_alive(m.node)
    local mi = info(m)
    mi.online = online
    others[#others + 1] = mi
  end
end
return cjson.encode({ epoch = epoch, seq = seq, ev = tonumber(redis.call('HGET', meta, 'ev')), resumed = resumed,
  disconnectedFor = disconnected_for, self = info(me), members = others, replay = replay, firstSeq = first_seq,
  epochChanged = (f.resume ~= nil and not same_epoch) })
`;

/**
 * publish: ARGV room, peer, conn, n, bytes, max message bytes, frame tail (JSON after the seq:
 * `,"from":…,"data":…,"sentAt":…,"at":`), max messages, max bytes, max age.
 * Returns JSON {seq} | {dup: seq} | {error} | {stale: true}.
 */
export const PUBLISH = PRELUDE + `
local room, peer, conn = ARGV[1], ARGV[2], ARGV[3]
local n, bytes, max_msg = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local meta, members_key, log = 'mesh:{' .. room .. '}:meta', 'mesh:{' .. room .. '}:members', 'mesh:{' .. room .. '}:log'
local raw = redis.call('HGET', members_key, peer)
if not raw then return cjson.encode({ stale = true }) end
local m = cjson.decode(raw)
if m.conn ~= conn then return cjson.encode({ stale = true }) end
if n <= m.lastN then
  local entries = redis.call('LRANGE', log, 0, -1)
  for i = #entries, 1, -1 do
    local _, _, from, en, frame = split_entry(entries[i])
    if from == peer and en == n then return cjson.encode({ dup = tonumber(string.match(frame, '^{"type":"message","seq":(%d+)')) }) end
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
local frame = '{"type":"message","seq":' .. seq .. ARGV[7] .. now .. '}'
redis.call('RPUSH', log, now .. '|' .. bytes .. '|' .. peer .. '|' .. n .. '|' .. frame)
redis.call('HINCRBY', meta, 'bytes', bytes)
m.lastN = n
redis.call('HSET', members_key, peer, cjson.encode(m))
trim_log(room, tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), now)
local ev = redis.call('HINCRBY', meta, 'ev', 1)
redis.call('PUBLISH', 'mesh:{' .. room .. '}:events', '{"ev":' .. ev .. ',"t":"frame","except":"' .. peer .. '","frame":' .. frame .. '}')
return cjson.encode({ seq = seq })
`;

/** leave: ARGV room, peer, session. Returns 1 when the member left. */
export const LEAVE = PRELUDE + `
local room, peer, session = ARGV[1], ARGV[2], ARGV[3]
local raw = redis.call('HGET', 'mesh:{' .. room .. '}:members', peer)
if not raw then return 0 end
local m = cjson.decode(raw)
if m.session ~= session then return 0 end
remove_member(room, m, 'leave')
return 1
`;

/** offline (socket closed): ARGV room, peer, conn, grace ms. Starts the grace period. */
export const OFFLINE = PRELUDE + `
local room, peer, conn, grace = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local key = 'mesh:{' .. room .. '}:members'
local raw = redis.call('HGET', key, peer)
if not raw then return 0 end
local m = cjson.decode(raw)
if conn ~= '*' and m.conn ~= conn then return 0 end
local now = now_ms()
if m.node then redis.call('SREM', 'mesh:node:' .. m.node .. ':members', room .. '|' .. peer) end
m.online, m.conn, m.node, m.disconnectedAt = false, false, false, now
redis.call('HSET', key, peer, cjson.encode(m))
redis.call('ZADD', 'mesh:deadlines', now + grace, room .. '|' .. peer)
publish(room, { t = 'frame', except = peer, frame = { type = 'peer-status', id = peer, online = false } })
return 1
`;

/** expire: grace periods that ended, and members of nodes that died. ARGV grace ms. Returns the count. */
export const SWEEP = PRELUDE + `
local grace = tonumber(ARGV[1])
local now = now_ms()
local done = 0
for _, node in ipairs(redis.call('SMEMBERS', 'mesh:nodes')) do
  if redis.call('EXISTS', 'mesh:node:' .. node) == 0 then
    -- A node died: its members lost their sockets now; their grace period starts.
    for _, rp in ipairs(redis.call('SMEMBERS', 'mesh:node:' .. node .. ':members')) do
      local bar = string.find(rp, '|', 1, true)
      local room, peer = string.sub(rp, 1, bar - 1), string.sub(rp, bar + 1)
      local key = 'mesh:{' .. room .. '}:members'
      local raw = redis.call('HGET', key, peer)
      if raw then
        local m = cjson.decode(raw)
        if m.node == node then
          m.online, m.conn, m.node, m.disconnectedAt = false, false, false, now
          redis.call('HSET', key, peer, cjson.encode(m))
          redis.call('ZADD', 'mesh:deadlines', now + grace, rp)
          publish(room, { t = 'frame', except = peer, frame = { type = 'peer-status', id = peer, online = false } })
        end
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
  local raw = redis.call('HGET', 'mesh:{' .. room .. '}:members', peer)
  if raw then
    local m = cjson.decode(raw)
    if not m.online then
      remove_member(room, m, 'timeout')
      done = done + 1
    end
  end
end
return done
`;

/** signal check: ARGV room, from, conn, to. Returns the target's session, '' when unknown, or '!' when the sender is stale. */
export const SIGNAL_TARGET = `
local key = 'mesh:{' .. ARGV[1] .. '}:members'
local from = redis.call('HGET', key, ARGV[2])
if not from or cjson.decode(from).conn ~= ARGV[3] then return '!' end
local to = redis.call('HGET', key, ARGV[4])
if not to then return '' end
return cjson.decode(to).session
`;

/** quality: ARGV room, peer, report JSON. */
export const SET_QUALITY = `
local key = 'mesh:{' .. ARGV[1] .. '}:members'
local raw = redis.call('HGET', key, ARGV[2])
if not raw then return 0 end
local m = cjson.decode(raw)
m.quality = cjson.decode(ARGV[3])
redis.call('HSET', key, ARGV[2], cjson.encode(m))
return 1
`;
