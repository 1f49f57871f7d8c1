#!/usr/bin/env node
// Test client for rott-sync (and the official automerge-repo sync server).
//   node client.mjs <command> --server ws://127.0.0.1:PORT [flags]
// Prints exactly one JSON line on stdout and exits 0, or explains on stderr and exits 1.
// See README.md for the commands.
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import {
  Deadline, Failure, Unavailable, confirmViaFreshPeer, fetchDocs, loadClient, log,
  makeText, sameHeads, summarize,
} from "./lib.mjs"

// Libraries must not write to stdout: it carries only the result line.
console.log = console.info = console.debug = console.error

let o, positionals
try {
  ({ values: o, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      server: { type: "string" },
      timeout: { type: "string", default: "30000" },
      client: { type: "string", default: "v2" },
      count: { type: "string", default: "1" },
      "text-bytes": { type: "string", default: "0" },
      changes: { type: "string", default: "1" },
      storage: { type: "string" },
      url: { type: "string", multiple: true, default: [] },
      "urls-file": { type: "string" },
      "expect-heads-file": { type: "string" },
      "retry-unavailable": { type: "boolean", default: false },
      set: { type: "string", multiple: true, default: [] },
      offline: { type: "boolean", default: false },
      key: { type: "string" },
      value: { type: "string" },
      mb: { type: "string" },
      bytes: { type: "string" },
      bearer: { type: "string" },
      clients: { type: "string" },
    },
  }))
} catch (e) {
  console.error(`client: ${e.message}`)
  process.exit(1)
}

const int = (name, min = 0) => {
  const v = Number(o[name])
  if (!Number.isInteger(v) || v < min) throw new Failure(`--${name} must be an integer >= ${min}`)
  return v
}
const need = name => {
  if (o[name] === undefined) throw new Failure(`--${name} is required`)
  return o[name]
}
const oneUrl = () => {
  if (o.url.length !== 1) throw new Failure("exactly one --url is required")
  return o.url[0]
}
/** [{url, heads?}] from create/edit JSON output, or one URL per line. */
function readDocList(file) {
  const text = readFileSync(file, "utf8").trim()
  if (text.startsWith("{") || text.startsWith("[")) {
    const json = JSON.parse(text)
    const docs = Array.isArray(json) ? json : json.docs ?? [json]
    return docs.map(d => (typeof d === "string" ? { url: d } : { url: d.url, heads: d.heads }))
  }
  return text.split(/\s+/).filter(Boolean).map(url => ({ url }))
}

// ---------------------------------------------------------------- commands

async function create(api, dl) {
  const count = int("count", 1), textBytes = int("text-bytes"), changes = int("changes", 1)
  const started = Date.now()
  const writer = api.open({ server: need("server"), storage: o.storage, name: "writer" })
  try {
    const docs = []
    for (let i = 0; i < count; i++) {
      const handle = api.create(writer, { title: `doc-${i}`, n: i, text: makeText(textBytes, i + 1) })
      for (let k = 1; k < changes; k++) handle.change(d => { d.rev = (d.rev ?? 0) + 1 })
      docs.push({ url: handle.url, heads: api.heads(handle) })
    }
    log(`writer: created ${count} doc(s) in ${Date.now() - started} ms`)
    await confirmViaFreshPeer(api, o.server, docs, dl)
    return { docs, ms: Date.now() - started }
  } finally {
    await api.close(writer)
  }
}

async function fetch(api, dl) {
  const items = new Map()
  const add = ({ url, heads }) => items.set(url, { url, heads: heads ?? items.get(url)?.heads })
  o.url.forEach(url => add({ url }))
  if (o["urls-file"]) readDocList(o["urls-file"]).forEach(d => add({ url: d.url }))
  if (o["expect-heads-file"]) readDocList(o["expect-heads-file"]).forEach(add)
  if (!items.size) throw new Failure("no documents: give --url, --urls-file or --expect-heads-file")
  const docs = await fetchDocs(api, need("server"), [...items.values()], dl,
    { retryUnavailable: o["retry-unavailable"] })
  return { docs }
}

async function expectUnavailable(api, dl) {
  const url = o.url[0] ?? api.newUrl()
  const ctx = api.open({ server: need("server"), name: "seeker" })
  let started
  try {
    await api.connected(ctx, dl)
    started = Date.now()
    await api.find(ctx, url, dl)
    throw new Failure(`${url} was found, expected unavailable`)
  } catch (e) {
    if (!(e instanceof Unavailable)) throw e
    return { url, unavailableAfterMs: Date.now() - started }
  } finally {
    await api.close(ctx)
  }
}

async function edit(api, dl) {
  const url = oneUrl()
  if (!o.set.length) throw new Failure("at least one --set key=value is required")
  const sets = o.set.map(s => {
    const i = s.indexOf("=")
    if (i < 1) throw new Failure(`--set wants key=value, got ${s}`)
    return [s.slice(0, i), s.slice(i + 1)]
  })
  if (o.offline && !o.storage) throw new Failure("--offline needs --storage")
  // --offline: no network adapter at all, only local storage.
  const ctx = api.open({ server: o.offline ? undefined : need("server"), storage: o.storage, network: !o.offline, name: "editor" })
  try {
    const handle = await api.find(ctx, url, dl)
    handle.change(d => { for (const [k, v] of sets) d[k] = v })
    const heads = api.heads(handle)
    if (!o.offline) await confirmViaFreshPeer(api, o.server, [{ url, heads }], dl)
    return { url, heads }
  } finally {
    await api.close(ctx)
  }
}

async function sync(api, dl) {
  const url = oneUrl(), server = need("server")
  const local = api.open({ server, storage: need("storage"), name: "local" })
  let peer
  try {
    const handle = await api.find(local, url, dl)
    log(`local: found ${url} with heads ${api.heads(handle)}`)
    // A fresh peer shows what the server has; retry while the server lacks the doc.
    let peerHandle
    for (let attempt = 1; !peerHandle; attempt++) {
      peer = api.open({ server, name: `peer#${attempt}` })
      try {
        peerHandle = await api.find(peer, url, dl)
      } catch (e) {
        if (!(e instanceof Unavailable)) throw e
        await api.close(peer)
        await dl.sleep(200)
      }
    }
    await dl.until(() => sameHeads(api.heads(handle), api.heads(peerHandle)),
      "local and server (fresh peer) heads to agree",
      () => `(local ${api.heads(handle)}, server ${api.heads(peerHandle)})`)
    return { url, heads: api.heads(handle), ...summarize(api.doc(handle)) }
  } finally {
    await api.close(peer)
    await api.close(local)
  }
}

/** Repo A creates a document the server confirms, repo B finds it; runs `body(ha, hb)`, then closes both. */
async function withSharedDoc(api, dl, title, body) {
  const server = need("server")
  const a = api.open({ server, name: "A" })
  let b
  try {
    const ha = api.create(a, { title })
    await confirmViaFreshPeer(api, server, [{ url: ha.url, heads: api.heads(ha) }], dl)
    b = api.open({ server, name: "B" })
    const hb = await api.find(b, ha.url, dl)
    return await body(ha, hb)
  } finally {
    await api.close(b)
    await api.close(a)
  }
}

async function relay(api, dl) {
  const server = need("server")
  return withSharedDoc(api, dl, "relay", async (ha, hb) => {
    const token = `b-${Math.random().toString(36).slice(2)}`
    const sent = Date.now()
    hb.change(d => { d.fromB = token })
    await dl.until(() => api.doc(ha).fromB === token, "A to see B's change")
    const relayMs = Date.now() - sent
    log(`relay: B -> A took ${relayMs} ms`)
    ha.change(d => { d.concurrentA = "a" })
    hb.change(d => { d.concurrentB = "b" })
    await dl.until(() => {
      const da = api.doc(ha), db = api.doc(hb)
      return sameHeads(api.heads(ha), api.heads(hb)) &&
        da.concurrentA === "a" && da.concurrentB === "b" && db.concurrentA === "a" && db.concurrentB === "b"
    }, "A and B to converge", () => `(A ${api.heads(ha)} ${Object.keys(api.doc(ha))}; B ${api.heads(hb)} ${Object.keys(api.doc(hb))})`)
    const convergedHeads = api.heads(ha)
    await confirmViaFreshPeer(api, server, [{ url: ha.url, heads: convergedHeads }], dl)
    return { url: ha.url, relayMs, convergedHeads, keys: Object.keys(api.doc(ha)).sort() }
  })
}

async function ephemeral(api, dl) {
  return withSharedDoc(api, dl, "ephemeral", async (ha, hb) => {
    const received = []
    const attempts = {}
    // Ephemeral messages are best-effort: resend every second until seen (attempts counts sends).
    const deliver = async (from, to, toName, payload) => {
      let got
      const onMsg = ({ senderId, message }) => { got ??= { at: toName, senderId, message } }
      to.on("ephemeral-message", onMsg)
      try {
        for (attempts[toName] = 1; ; attempts[toName]++) {
          from.broadcast(payload)
          const until = Date.now() + 1000
          while (!got && Date.now() < until && !dl.expired()) await dl.sleep(10)
          if (got) break
          if (dl.expired()) throw new Failure(`timeout (${dl.ms} ms): ${toName} never received ${JSON.stringify(payload)}`)
          log(`ephemeral: ${toName} has not received it yet, broadcasting again`)
        }
      } finally {
        to.off("ephemeral-message", onMsg)
      }
      if (JSON.stringify(got.message) !== JSON.stringify(payload))
        throw new Failure(`${toName} received ${JSON.stringify(got.message)}, expected ${JSON.stringify(payload)}`)
      received.push(got)
    }
    await deliver(ha, hb, "B", { hello: "world", seq: 1 })
    await deliver(hb, ha, "A", { hello: "world", seq: 2 })
    return { url: ha.url, received, attempts }
  })
}

async function watch(api, dl) {
  const url = oneUrl(), key = need("key"), value = need("value"), server = need("server")
  const started = Date.now()
  let ctx, handle
  try {
    for (let attempt = 1; !handle; attempt++) {
      ctx = api.open({ server, name: `watcher#${attempt}` })
      try {
        handle = await api.find(ctx, url, dl)
      } catch (e) {
        if (!(e instanceof Unavailable)) throw e
        log(`watch: ${e.message}; retrying`)
        await api.close(ctx)
        await dl.sleep(500)
      }
    }
    await dl.until(() => String(api.doc(handle)?.[key]) === value, `${key} == ${JSON.stringify(value)}`,
      () => `(last value ${JSON.stringify(api.doc(handle)?.[key])})`, 50)
    return { url, heads: api.heads(handle), waitedMs: Date.now() - started }
  } finally {
    await api.close(ctx)
  }
}

async function many(api, dl) {
  const count = int("count", 1), server = need("server")
  const started = Date.now()
  const writer = api.open({ server, name: "writer" })
  let items
  try {
    items = []
    for (let i = 0; i < count; i++) {
      const h = api.create(writer, { title: `doc-${i}`, n: i, text: makeText(64, i + 1) })
      items.push({ url: h.url, heads: api.heads(h), n: i })
    }
    await confirmViaFreshPeer(api, server, items, dl)
  } finally {
    await api.close(writer)
  }
  const pushMs = Date.now() - started
  const fetchStart = Date.now()
  const docs = await fetchDocs(api, server, items.map(({ url }) => ({ url })), dl)
  const fetchMs = Date.now() - fetchStart
  docs.forEach((d, i) => {
    const want = items[i]
    if (d.title !== `doc-${want.n}` || d.n !== want.n || d.textLength !== 64 || !sameHeads(d.heads, want.heads))
      throw new Failure(`fetched ${d.url} differs: ${JSON.stringify(d)} vs ${JSON.stringify(want)}`)
  })
  return { count, pushMs, fetchMs }
}

async function big(api, dl) {
  const mb = Number(need("mb")), server = need("server")
  if (!(mb > 0)) throw new Failure("--mb must be > 0")
  const bytes = Math.round(mb * 1024 * 1024)
  const text = makeText(bytes, 42)
  const started = Date.now()
  const writer = api.open({ server, name: "writer" })
  let url, heads
  try {
    const h = api.create(writer, { title: "big", n: 0, text })
    url = h.url
    heads = api.heads(h)
    log(`writer: created ${bytes} byte doc in ${Date.now() - started} ms`)
    await confirmViaFreshPeer(api, server, [{ url, heads }], dl)
  } finally {
    await api.close(writer)
  }
  const pushMs = Date.now() - started
  const fetchStart = Date.now()
  const [d] = await fetchDocs(api, server, [{ url }], dl)
  const fetchMs = Date.now() - fetchStart
  if (d.textLength !== bytes || !sameHeads(d.heads, heads))
    throw new Failure(`fetched big doc differs: length ${d.textLength} (want ${bytes}), heads ${d.heads} (want ${heads})`)
  return { url, heads, bytes, pushMs, fetchMs }
}

/** Sends one binary frame of --bytes N with the plain `ws` library and reports how the server closes. */
async function oversize(api, dl) {
  const { default: WebSocket } = await import("ws")
  const server = need("server"), bytes = int("bytes", 1)
  const ws = new WebSocket(server)
  const closed = new Promise((resolve, reject) => {
    ws.on("open", () => ws.send(Buffer.alloc(bytes, 0x42)))
    ws.on("close", (code, reason) => resolve({ closeCode: code, reason: reason.toString() }))
    ws.on("error", e => log(`ws error: ${e.message}`))
  })
  return dl.race(closed, "the server to close the connection")
}

/** Opens a plain `ws` connection (optionally with an Authorization header) and reports whether the upgrade succeeded. */
async function probe(api, dl) {
  const { default: WebSocket } = await import("ws")
  const server = need("server")
  const headers = o.bearer ? { Authorization: `Bearer ${o.bearer}` } : {}
  const ws = new WebSocket(server, { headers })
  const outcome = new Promise(resolve => {
    ws.on("open", () => { ws.close(1000); resolve({ status: 101, open: true }) })
    ws.on("unexpected-response", (req, res) => resolve({ status: res.statusCode, open: false }))
    ws.on("error", e => resolve({ status: 0, open: false, error: e.message }))
  })
  return dl.race(outcome, "the upgrade answer")
}

/** --clients N repos at once, each creating --count documents; then a fresh repo fetches every one. */
async function soak(api, dl) {
  const clients = int("clients", 1), count = int("count", 1), server = need("server")
  const started = Date.now()
  const repos = Array.from({ length: clients }, (_, c) => api.open({ server, name: `soak-${c}` }))
  const items = []
  try {
    for (const [c, repo] of repos.entries()) {
      for (let i = 0; i < count; i++) {
        const h = api.create(repo, { title: `doc-${c * count + i}`, n: c * count + i, text: makeText(64, c + i + 1) })
        items.push({ url: h.url, heads: api.heads(h), n: c * count + i })
      }
    }
    await confirmViaFreshPeer(api, server, items, dl)
  } finally {
    await Promise.all(repos.map(r => api.close(r)))
  }
  const docs = await fetchDocs(api, server, items.map(({ url }) => ({ url })), dl)
  docs.forEach((d, i) => {
    if (d.n !== items[i].n || !sameHeads(d.heads, items[i].heads)) throw new Failure(`soak doc ${d.url} differs`)
  })
  return { clients, documents: items.length, ms: Date.now() - started }
}

const commands = {
  create, fetch, "expect-unavailable": expectUnavailable, edit, sync, relay, ephemeral, watch, many, big,
  oversize, probe, soak,
}

// ---------------------------------------------------------------- main

// The websocket adapters throw from their socket "error" listener for anything
// but ECONNREFUSED (e.g. ECONNRESET when the server dies); they reconnect anyway.
const NET_ERRORS = new Set(["ECONNRESET", "EPIPE", "ECONNREFUSED", "ETIMEDOUT", "ECONNABORTED"])
process.on("uncaughtException", e => {
  if (NET_ERRORS.has(e?.code) || /WebSocket was closed before|Unexpected server response/.test(e?.message)) {
    log(`network error (adapter will retry): ${e.code ?? ""} ${e.message}`)
    return
  }
  console.error(`client: uncaught exception: ${e?.stack ?? e}`)
  process.exit(1)
})
process.on("unhandledRejection", e => log(`unhandled rejection (ignored): ${e?.stack ?? e}`))

const cmd = positionals[0]
try {
  if (!commands[cmd]) throw new Failure(`usage: node client.mjs <${Object.keys(commands).join("|")}> --server ws://127.0.0.1:PORT [flags]`)
  const timeout = int("timeout", 1)
  const dl = new Deadline(timeout)
  // Last resort if something (e.g. a shutdown) hangs past the bound.
  setTimeout(() => {
    console.error(`client ${cmd} FAILED: hard timeout after ${timeout + 10000} ms`)
    process.exit(1)
  }, timeout + 10000).unref()
  const api = await loadClient(o.client)
  const result = await commands[cmd](api, dl)
  process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(0))
} catch (e) {
  console.error(`client ${cmd} FAILED: ${e instanceof Failure ? e.message : e?.stack ?? e}`)
  process.exit(1)
}
