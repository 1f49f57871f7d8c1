#!/usr/bin/env node
// The rott-sync benchmark: the same workloads, with real automerge-repo 2.5.6 clients, against
//   rott-sync            target/quarkus-app/quarkus-run.jar (build it first)
//   2.5.6 server         bench/server-2.5.6.mjs (wired like the official server, automerge-repo 2.5.6)
//   official 0.2.8       @automerge/automerge-repo-sync-server 0.2.8 (automerge-repo 1.2.1), unchanged
// each a child process on 127.0.0.1 with its own temporary DATA_DIR. Server CPU seconds and RSS come
// from /proc/<pid>/stat and /proc/<pid>/status around each phase. Prints a Markdown table with ratios
// and a PASS/MISS line per target; writes results.json, table.md and the server logs to --out.
//
//   ./mvnw -B -q package -DskipTests -DskipInterop && (cd test-client && npm ci) && node bench/run.mjs
//   node bench/run.mjs --smoke        # a few documents, every phase, ~1 min; CI runs it
//
// Exit code: 0 when every workload ran (targets missed or not), 1 when something broke (a server did
// not start or died, a workload failed or timed out), 2 for bad arguments. See docs/benchmarks.md.
import { spawn, spawnSync } from "node:child_process"
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { cpus, hostname, loadavg, tmpdir, totalmem } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { clientDir } from "./lib/deps.mjs"
import { Server, diffThreads, sleep } from "./lib/proc.mjs"
import { summarize } from "./lib/jfr.mjs"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const started = Date.now()
const say = (...a) => console.error(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a)

// ---------------------------------------------------------------- options

const FULL = {
  docs: 2000, textBytes: 256, rounds: 200, warmup: 10, mb: 2, clients: 200, clientDocs: 5, edits: 3,
  memoryDocs: 10000, checkpoints: [1000, 2500, 5000, 10000], memoryCap: { s256: 5000, official: 2500 }, floorReps: 3,
  wave: 100, readyRepeats: 3,
}
const SMOKE = {
  docs: 20, textBytes: 256, rounds: 5, warmup: 2, mb: 0.05, clients: 5, clientDocs: 2, edits: 1,
  memoryDocs: 50, checkpoints: [20, 50], memoryCap: {}, floorReps: 1, wave: 100, readyRepeats: 1,
}
const SERVERS = ["rott", "s256", "official"]
const LABEL = { rott: "rott-sync", s256: "2.5.6 server", official: "official 0.2.8" }

let o
try {
  ({ values: o } = parseArgs({
    options: {
      smoke: { type: "boolean", default: false },
      only: { type: "string" },
      skip: { type: "string", default: "" },
      docs: { type: "string" },
      mb: { type: "string" },
      clients: { type: "string" },
      rounds: { type: "string" },
      "memory-docs": { type: "string" },
      wave: { type: "string" },
      "memory-cap": { type: "string" },
      profile: { type: "boolean", default: false },
      "rott-jvm": { type: "string", default: "image" },
      out: { type: "string" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  }))
} catch (e) {
  console.error(`bench: ${e.message}`)
  process.exit(2)
}
if (o.help) {
  console.error(`usage: node bench/run.mjs [--smoke] [--only rott,s256,official] [--skip floor,roundtrip,push,coldfetch,big,concurrent,memory]
       [--docs N] [--mb M] [--clients C] [--rounds R] [--memory-docs M] [--memory-cap K] [--wave W] [--profile] [--out DIR] [--keep]
       [--rott-jvm image|plain]   rott-sync with the image's JVM and allocator settings (default) or bare java -jar`)
  process.exit(0)
}
const cfg = { ...(o.smoke ? SMOKE : FULL) }
const num = (name, key, integer = true) => {
  if (o[name] === undefined) return
  const v = Number(o[name])
  if (!(v > 0) || (integer && !Number.isInteger(v))) {
    console.error(`bench: --${name} must be a positive ${integer ? "integer" : "number"}`)
    process.exit(2)
  }
  cfg[key] = v
}
num("docs", "docs"); num("mb", "mb", false); num("clients", "clients"); num("rounds", "rounds")
num("memory-docs", "memoryDocs"); num("wave", "wave")
if (o["memory-cap"] !== undefined) {
  const cap = Number(o["memory-cap"]) || 0
  cfg.memoryCap = cap ? { s256: cap, official: cap } : {}
}
if (o["memory-docs"] !== undefined) {
  const m = cfg.memoryDocs
  cfg.checkpoints = [...new Set([Math.ceil(m / 10), Math.ceil(m / 4), Math.ceil(m / 2), m])]
}
const servers = o.only ? o.only.split(",").map(s => s.trim()) : SERVERS
const skip = new Set(o.skip.split(",").map(s => s.trim()).filter(Boolean))
for (const s of servers) if (!SERVERS.includes(s)) { console.error(`bench: unknown server ${s} (${SERVERS})`); process.exit(2) }

const JAVA = process.env.JAVA ?? "java"
const JFR = (() => {
  const next = join(dirname(JAVA), "jfr")
  return JAVA.includes("/") && existsSync(next) ? next : "jfr"
})()
const jar = join(root, "target/quarkus-app/quarkus-run.jar")
if (!["image", "plain"].includes(o["rott-jvm"])) { console.error("bench: --rott-jvm is image or plain"); process.exit(2) }
/**
 * The environment the container image gives the JVM (JAVA_TOOL_OPTIONS, MALLOC_ARENA_MAX), read from
 * application.properties where the image gets it, so the benchmark measures the server as shipped.
 */
const rottJvmEnv = (() => {
  if (o["rott-jvm"] === "plain") return {}
  const props = readFileSync(join(root, "src/main/resources/application.properties"), "utf8")
  const env = {}
  for (const name of ["JAVA_TOOL_OPTIONS", "MALLOC_ARENA_MAX"]) {
    const m = props.match(new RegExp(`^quarkus\\.jib\\.environment-variables\\.${name}=(.*)$`, "m"))
    if (!m) { console.error(`bench: the image sets no ${name} in application.properties`); process.exit(2) }
    env[name] = m[1].trim()
  }
  return env
})()
const automergeJar = (() => {
  const dir = join(root, "target/quarkus-app/lib/main")
  const f = existsSync(dir) && readdirSync(dir).find(n => /^org\.automerge\.automerge-.*\.jar$/.test(n))
  return f ? join(dir, f) : null
})()
if (servers.includes("rott") && !existsSync(jar)) {
  console.error(`bench: ${jar} is missing; build it: ./mvnw -B -q package -DskipTests -DskipInterop`)
  process.exit(1)
}
if (!existsSync(join(clientDir, "node_modules"))) {
  console.error(`bench: ${clientDir}node_modules is missing; run: (cd test-client && npm ci)`)
  process.exit(1)
}

const out = resolve(o.out ?? join(root, "target", "bench", new Date().toISOString().replace(/[:.]/g, "-")))
mkdirSync(out, { recursive: true })
const work = mkdtempSync(join(tmpdir(), "rott-bench-"))
const running = new Set()
const cleanup = () => {
  for (const s of running) try { s.child?.kill("SIGKILL") } catch { /* gone */ }
  if (!o.keep) rmSync(work, { recursive: true, force: true })
}
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { cleanup(); process.exit(130) })

// ---------------------------------------------------------------- processes

const WORKLOAD_TIMEOUT_MS = o.smoke ? 60000 : 300000

/** Runs bench/workload.mjs and returns its JSON result; throws with its stderr on failure. */
function workload(cmd, args, logName) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(root, "bench/workload.mjs"), cmd, ...args, "--timeout", String(WORKLOAD_TIMEOUT_MS)],
      { stdio: ["ignore", "pipe", "pipe"] })
    let stdout = "", stderr = ""
    child.stdout.on("data", d => { stdout += d })
    child.stderr.on("data", d => { stderr += d })
    const timer = setTimeout(() => child.kill("SIGKILL"), WORKLOAD_TIMEOUT_MS + 30000)
    child.on("close", code => {
      clearTimeout(timer)
      writeFileSync(join(out, `workload-${logName}.log`), stderr)
      const last = stdout.trim().split("\n").pop()
      if (code === 0 && last) return resolvePromise(JSON.parse(last))
      reject(new Error(`workload ${cmd} (${logName}) exited ${code}:\n${stderr.split("\n").slice(-15).join("\n")}`))
    })
  })
}

let jfrCount = 0
const jfrFiles = []
function serverSpec(kind, dataDir) {
  const log = join(out, `server-${kind}.log`)
  if (kind === "rott") {
    const opts = (process.env.ROTT_JAVA_OPTS ?? "").split(/\s+/).filter(Boolean)
    return {
      name: LABEL[kind], dataDir, log,
      get command() {
        const jfr = []
        if (o.profile) {
          const f = join(out, `rott-${++jfrCount}.jfr`)
          jfrFiles.push(f)
          jfr.push(`-XX:StartFlightRecording=filename=${f},settings=profile,dumponexit=true`)
        }
        return [JAVA, ...opts, ...jfr, "-jar", jar]
      },
      // Every benchmark client comes from 127.0.0.1, where a home's devices each have their own address:
      // the per-address connection limit (100) would refuse the concurrent phase's clients.
      env: port => ({ ...rottJvmEnv, PORT: String(port), HOST: "127.0.0.1", MANAGEMENT_PORT: "0", MANAGEMENT_HOST: "127.0.0.1",
        MAX_CONNECTIONS_PER_ADDRESS: String(Math.max(100, cfg.clients + 50)) }),
    }
  }
  const script = kind === "s256" ? join(root, "bench/server-2.5.6.mjs") : join(clientDir, "official-server.mjs")
  return {
    name: LABEL[kind], dataDir, log, command: [process.execPath, script],
    env: port => ({ PORT: String(port), HOST: "127.0.0.1" }),
  }
}

async function startServer(server) {
  // Flush what earlier phases and the memory run's copy left dirty, so that no server's start-up shares
  // the machine with the kernel writing back files that are not its own doing.
  spawnSync("sync")
  running.add(server)
  const ms = await server.start()
  say(`${server.spec.name} ready in ${Math.round(ms)} ms (pid ${server.pid})`)
  return Math.round(ms)
}

/** Start-to-ready as the median of `repeats` starts (the last one stays up); one start is noisy on a busy machine. */
async function startServerRepeated(server, repeats) {
  const times = []
  for (let i = 1; i < repeats; i++) {
    times.push(await startServer(server))
    await stopServer(server)
  }
  times.push(await startServer(server))
  const sorted = [...times].sort((a, b) => a - b)
  return { ms: sorted[Math.floor(sorted.length / 2)], all: times }
}

async function stopServer(server) {
  await server.stop()
  running.delete(server)
}

const phases = [] // {name, start, end} for the profile
const SETTLE_MS = 500 // deferred work (the Node servers save 100 ms after a change) lands in the phase

async function phase(server, key, result, cmd, args) {
  const before = server.sample()
  const t0 = Date.now()
  say(`${server.spec.name}: ${key} …`)
  const w = await workload(cmd, [...args, "--server", server.url], `${server.kind}-${key}`)
  await sleep(SETTLE_MS)
  const after = server.sample()
  phases.push({ name: `${server.kind}:${key}`, start: t0, end: Date.now() })
  result[key] = {
    ...w, cpuS: round(after.cpuS - before.cpuS, 2), rssMB: round(after.rssMB, 1), load1: round(loadavg()[0], 2),
    threads: diffThreads(before.threads, after.threads),
  }
  say(`${server.spec.name}: ${key} done: ${JSON.stringify({ ...result[key], threads: undefined })}`)
  return result[key]
}

const round = (x, d = 0) => (x === undefined || x === null || Number.isNaN(x) ? x : Math.round(x * 10 ** d) / 10 ** d)

// ---------------------------------------------------------------- the run

const results = {
  mode: o.smoke ? "smoke" : "full", config: cfg, servers: {}, startedAt: new Date().toISOString(),
  loadAtStart: loadavg().map(x => round(x, 2)),
  machine: machine(),
  rottJvm: { mode: o["rott-jvm"], env: rottJvmEnv, extra: process.env.ROTT_JAVA_OPTS ?? "" },
}

function machine() {
  const sh = cmd => spawnSync("sh", ["-c", cmd], { encoding: "utf8" }).stdout?.trim() ?? ""
  return {
    cpu: `${cpus()[0]?.model ?? "?"} × ${cpus().length}`,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    kernel: sh("uname -r"),
    java: sh(`${JAVA} -version 2>&1 | head -1`),
    node: process.version,
    hostname: hostname(),
    dataFs: sh(`df -T ${tmpdir()} | tail -1 | awk '{print $2}'`),
  }
}

async function floors() {
  if (!skip.has("roundtrip") && !skip.has("floor")) {
    say(`direct wire floor: ${cfg.rounds} round trips between two repos with no server …`)
    results.directFloor = await workload("floor", ["--rounds", String(cfg.rounds), "--warmup", String(cfg.warmup)], "floor")
  }
  if (!skip.has("big") && !skip.has("floor") && automergeJar) {
    const dir = join(work, "big-messages")
    say(`recording the sync messages of a ${cfg.mb} MiB document …`)
    results.bigRecording = await workload("record-big", ["--mb", String(cfg.mb), "--dir", dir], "record-big")
    say(`automerge-java floor for that document (${cfg.floorReps} fresh processes) …`)
    // One replay per process, as bench/AutomergeFloor.java explains: a later replay in the same process
    // reuses freed memory and would put the floor below what a server meeting the document once can reach.
    const runs = []
    for (let i = 0; i < cfg.floorReps; i++) {
      const args = ["-cp", automergeJar, join(root, "bench/AutomergeFloor.java"), dir, ...(i === 0 ? ["--load"] : [])]
      const r = spawnSync(JAVA, args, { encoding: "utf8", timeout: 600000 })
      appendFileSync(join(out, "automerge-floor.log"), `${r.stdout}\n${r.stderr}`)
      if (r.status !== 0) throw new Error(`AutomergeFloor failed (${r.status}):\n${r.stderr}`)
      runs.push(JSON.parse(r.stdout.trim().split("\n").pop()))
    }
    const median = key => {
      const v = runs.map(run => run[key]).sort((a, b) => a - b)
      return v.length % 2 ? v[(v.length - 1) / 2] : round((v[v.length / 2 - 1] + v[v.length / 2]) / 2, 3)
    }
    results.automergeFloor = {
      reps: runs.length, savedBytes: runs[0].savedBytes, uploadMessages: runs[0].uploadMessages,
      uploadS: median("uploadS"), saveS: median("saveS"), serveS: median("serveS"), floorS: median("floorS"),
      encodeChangesS: median("encodeChangesS"), loadS: runs[0].loadS, floorRunsS: runs.map(run => run.floorS),
    }
  }
}

async function mainPhases(kind) {
  const res = (results.servers[kind] ??= {})
  const server = new Server(serverSpec(kind, join(work, kind, "data")))
  server.kind = kind
  try {
    const ready = await startServerRepeated(server, cfg.readyRepeats)
    res.readyEmptyMs = ready.ms
    res.readyEmptyAllMs = ready.all
    res.idleRssMB = round(server.sample().rssMB, 1)
    if (!skip.has("roundtrip")) {
      await phase(server, "roundtrip", res, "roundtrip", ["--rounds", String(cfg.rounds), "--warmup", String(cfg.warmup)])
    }
    const urls = join(work, kind, "pushed.json")
    if (!skip.has("push")) {
      await phase(server, "push", res, "push", ["--count", String(cfg.docs), "--text-bytes", String(cfg.textBytes), "--out", urls, "--wave", String(cfg.wave)])
      if (!skip.has("coldfetch")) {
        await sleep(1000) // the official server saves 100 ms after a change and does not flush on exit
        await stopServer(server)
        res.readyStoredMs = await startServer(server)
        await phase(server, "coldfetch", res, "fetch", ["--in", urls, "--batch", String(cfg.docs), "--wave", String(cfg.wave)])
      }
    }
    if (!skip.has("big")) await phase(server, "big", res, "big", ["--mb", String(cfg.mb)])
    if (!skip.has("concurrent")) {
      await phase(server, "concurrent", res, "concurrent", ["--clients", String(cfg.clients), "--docs", String(cfg.clientDocs),
        "--edits", String(cfg.edits), "--text-bytes", String(cfg.textBytes)])
    }
    res.peakRssMB = round(server.sample().hwmMB, 1)
  } finally {
    await stopServer(server)
  }
}

async function memoryRun(kinds) {
  const seedDir = join(work, "seed")
  const urls = join(work, "seed.json")
  say(`memory run: writing ${cfg.memoryDocs} documents into a data directory (NodeFS layout) …`)
  const seeded = await workload("seed", ["--dir", seedDir, "--count", String(cfg.memoryDocs), "--text-bytes", String(cfg.textBytes), "--out", urls], "seed")
  results.memorySeed = seeded
  for (const kind of kinds) {
    const res = (results.servers[kind] ??= {})
    const dataDir = join(work, kind, "memory")
    cpSync(seedDir, dataDir, { recursive: true })
    const server = new Server(serverSpec(kind, dataDir))
    server.kind = kind
    try {
      const ready = await startServerRepeated(server, cfg.readyRepeats)
      res.memory = { readyMs: ready.ms, readyAllMs: ready.all, checkpoints: [] }
      res.memory.idleRssMB = round(server.sample().rssMB, 1)
      // The Node servers get slower per document as documents pile up in memory (docs/benchmarks.md):
      // past their memoryCap of touched documents only rott-sync goes on, to keep the run short.
      const cap = cfg.memoryCap[kind]
      const checkpoints = cap ? cfg.checkpoints.filter(c => c <= cap) : cfg.checkpoints
      let from = 0
      for (const to of checkpoints) {
        const p = await phase(server, `touch-${to}`, res.memory, "fetch", ["--in", urls, "--from", String(from), "--to", String(to), "--batch", "1000", "--wave", String(cfg.wave)])
        res.memory.checkpoints.push({ touched: to, rssMB: p.rssMB, cpuS: p.cpuS, wallMs: p.wallMs })
        from = to
      }
      res.memory.peakRssMB = round(server.sample().hwmMB, 1)
    } finally {
      await stopServer(server)
    }
  }
}

let failure = null
try {
  say(`mode ${results.mode}; servers ${servers.join(", ")}; output ${out}`)
  await floors()
  const MAIN = ["roundtrip", "push", "coldfetch", "big", "concurrent"]
  const skipped = p => skip.has(p) || (p === "coldfetch" && skip.has("push")) // cold fetch reads what push wrote
  if (!MAIN.every(skipped)) for (const kind of servers) await mainPhases(kind)
  if (!skip.has("memory")) await memoryRun(servers)
} catch (e) {
  failure = e
  console.error(`bench: FAILED: ${e.stack ?? e}`)
} finally {
  for (const s of [...running]) await s.kill().catch(() => {})
}

results.finishedAt = new Date().toISOString()
results.loadAtEnd = loadavg().map(x => round(x, 2))
results.durationS = round((Date.now() - started) / 1000, 1)
if (o.profile && jfrFiles.length) {
  say("summarising the JFR recordings …")
  try {
    results.profile = await summarize(JFR, jfrFiles.filter(existsSync), phases.filter(p => p.name.startsWith("rott:")))
  } catch (e) {
    console.error(`bench: profile summary failed: ${e.message}`)
  }
}
results.targets = evaluateTargets()
const table = render()
writeFileSync(join(out, "results.json"), JSON.stringify(results, null, 2))
writeFileSync(join(out, "table.md"), table)
process.stdout.write(table)
cleanup()
if (failure) {
  console.error(`bench: something broke (see above and the logs in ${out})`)
  process.exit(1)
}
say(`done in ${results.durationS} s; results in ${out}`)
process.exit(0)

// ---------------------------------------------------------------- targets and table

function ratio(a, b) {
  return a === undefined || b === undefined || !(b > 0) ? undefined : a / b
}

function evaluateTargets() {
  const r = results.servers.rott, b = results.servers.s256
  const t = []
  const add = (name, ok, detail) => t.push({ name, status: ok === undefined ? "n/a" : ok ? "PASS" : "MISS", detail })
  const f = results.directFloor
  if (r?.roundtrip && f) {
    const a50 = r.roundtrip.p50 - f.p50, a99 = r.roundtrip.p99 - f.p99
    add("round trip: the server adds < 5 ms to the direct-wire floor", a50 < 5 && a99 < 5,
      `adds ${round(a50, 1)} ms at p50, ${round(a99, 1)} ms at p99 (floor ${f.p50}/${f.p99} ms; ` +
      `2.5.6 adds ${round(b?.roundtrip ? b.roundtrip.p50 - f.p50 : undefined, 1)} ms at p50)`)
  }
  if (r?.push && b?.push) {
    const c = ratio(r.push.cpuS, b.push.cpuS), w = ratio(r.push.wallMs, b.push.wallMs)
    add("bulk push: server CPU ≤ 1/3 of 2.5.6, wall ≤ 1.0×", c <= 1 / 3 && w <= 1,
      `CPU ${round(r.push.cpuS, 2)} s vs ${round(b.push.cpuS, 2)} s = ${round(c, 2)}×; wall ${round(w, 2)}×`)
  }
  if (r?.coldfetch && b?.coldfetch) {
    const c = ratio(r.coldfetch.cpuS, b.coldfetch.cpuS), w = ratio(r.coldfetch.wallMs, b.coldfetch.wallMs)
    add("cold fetch: server CPU ≤ 1/3 of 2.5.6, wall ≤ 0.7×", c <= 1 / 3 && w <= 0.7,
      `CPU ${round(r.coldfetch.cpuS, 2)} s vs ${round(b.coldfetch.cpuS, 2)} s = ${round(c, 2)}×; wall ${round(w, 2)}×`)
  }
  const fl = results.automergeFloor
  if (r?.big && fl) {
    const x = ratio(r.big.cpuS, fl.floorS)
    add("large document: server CPU ≤ 1.2× what automerge-java needs", x <= 1.2,
      `${round(r.big.cpuS, 2)} s vs floor ${fl.floorS} s (upload ${fl.uploadS} + save ${fl.saveS} + serve ${fl.serveS}) = ${round(x, 2)}×`)
  }
  if (r?.coldfetch && b?.coldfetch) {
    add("memory: RSS ≤ 2.5.6's with the same documents open (after cold fetch)", r.coldfetch.rssMB <= b.coldfetch.rssMB,
      `${r.coldfetch.rssMB} MB vs ${b.coldfetch.rssMB} MB (official ${results.servers.official?.coldfetch?.rssMB ?? "–"} MB)`)
  }
  const m = r?.memory
  if (m?.checkpoints?.length) {
    const first = m.checkpoints[0], last = m.checkpoints[m.checkpoints.length - 1]
    add(`memory: peak RSS < 256 MB with ${last.touched} documents stored and all touched once`, m.peakRssMB < 256,
      `peak ${m.peakRssMB} MB, ${last.rssMB} MB after the last touch`)
    add("memory: flat as stored documents grow (≤ +20% from the first checkpoint to the last)", last.rssMB <= first.rssMB * 1.2,
      `${first.rssMB} MB after ${first.touched} → ${last.rssMB} MB after ${last.touched}`)
  }
  const readies = [["empty", r?.readyEmptyMs], [`${cfg.docs} stored`, r?.readyStoredMs], [`${cfg.memoryDocs} stored`, r?.memory?.readyMs]]
    .filter(([, v]) => v !== undefined)
  if (readies.length) {
    add("ready in < 2 s however many documents are stored", readies.every(([, v]) => v < 2000),
      readies.map(([k, v]) => `${v} ms (${k})`).join(", "))
  }
  return t
}

function render() {
  const fmt = (x, d) => (x === undefined || x === null ? "–" : Number(x).toFixed(d))
  const cell = p => (p ? `${fmt(p.wallMs, 0)} / ${fmt(p.cpuS, 2)} / ${fmt(p.rssMB, 0)}` : "–")
  const ratios = (p, q) => (p && q ? `${fmt(ratio(p.wallMs, q.wallMs), 2)} / ${fmt(ratio(p.cpuS, q.cpuS), 2)} / ${fmt(ratio(p.rssMB, q.rssMB), 2)}` : "–")
  const S = results.servers
  const cols = SERVERS
  const lines = []
  const row = (name, get, ratioFn) => {
    lines.push(`| ${name} | ${cols.map(k => get(S[k]) ?? "–").join(" | ")} | ${ratioFn(S.rott, S.s256) ?? "–"} | ${ratioFn(S.rott, S.official) ?? "–"} |`)
  }
  const phaseRow = (name, key) => row(name, s => cell(s?.[key]), (a, b) => ratios(a?.[key], b?.[key]))
  const valueRow = (name, get, d = 0) => row(name, s => (get(s) === undefined ? undefined : fmt(get(s), d)),
    (a, b) => { const x = ratio(get(a), get(b)); return x === undefined ? undefined : fmt(x, 2) })
  lines.push(`## rott-sync benchmark (${results.mode}${o.profile ? ", profiled: CPU includes JFR" : ""})`, "")
  lines.push(`Machine: ${results.machine.cpu}, ${results.machine.memoryGiB} GiB, kernel ${results.machine.kernel}, ${results.machine.java}, Node ${results.machine.node}, data on ${results.machine.dataFs}.`)
  lines.push(`Sizes: ${cfg.docs} small docs (${cfg.textBytes} B text); ${cfg.rounds} round trips; ${cfg.mb} MiB text doc; ` +
    `${cfg.clients} clients × ${cfg.clientDocs} docs × ${cfg.edits} edits; memory run ${cfg.memoryDocs} docs` +
    `${Object.keys(cfg.memoryCap).length ? ` (touched up to ${Object.entries(cfg.memoryCap).map(([k, v]) => `${v} on ${LABEL[k]}`).join(", ")})` : ""}; fetches ask for ${cfg.wave} documents at a time. Run took ${results.durationS} s; ` +
    `load average ${results.loadAtStart[0]} at start, ${results.loadAtEnd[0]} at end (other work on the machine inflates wall times).`, "")
  lines.push(`rott-sync JVM: ${o["rott-jvm"] === "image" ? `as in the container image (${Object.entries(rottJvmEnv).map(([k, v]) => `${k}=${v}`).join(", ")})` : "plain java -jar, JVM defaults"}${process.env.ROTT_JAVA_OPTS ? `, plus ${process.env.ROTT_JAVA_OPTS}` : ""}.`, "")
  lines.push(`Cells: wall ms / server CPU s / server RSS MB after the phase. Ratios: rott-sync ÷ the other server (wall / CPU / RSS; < 1 is better).`, "")
  lines.push(`| workload | ${cols.map(k => LABEL[k]).join(" | ")} | rott ÷ 2.5.6 | rott ÷ official |`)
  lines.push(`|---|${cols.map(() => "---:").join("|")}|---:|---:|`)
  valueRow(`start → ready, empty data dir (ms${cfg.readyRepeats > 1 ? `, median of ${cfg.readyRepeats}` : ""})`, s => s?.readyEmptyMs)
  const f = results.directFloor
  row(`round trip p50 / p99 (ms); direct wire, no server: ${f ? `${fmt(f.p50, 1)} / ${fmt(f.p99, 1)}` : "–"}`,
    s => (s?.roundtrip ? `${fmt(s.roundtrip.p50, 1)} / ${fmt(s.roundtrip.p99, 1)}` : undefined),
    (a, b) => (a?.roundtrip && b?.roundtrip ? `${fmt(ratio(a.roundtrip.p50, b.roundtrip.p50), 2)} / ${fmt(ratio(a.roundtrip.p99, b.roundtrip.p99), 2)}` : undefined))
  row("round trip phase: server CPU s / RSS MB", s => (s?.roundtrip ? `${fmt(s.roundtrip.cpuS, 2)} / ${fmt(s.roundtrip.rssMB, 0)}` : undefined),
    (a, b) => (a?.roundtrip && b?.roundtrip ? `${fmt(ratio(a.roundtrip.cpuS, b.roundtrip.cpuS), 2)} / ${fmt(ratio(a.roundtrip.rssMB, b.roundtrip.rssMB), 2)}` : undefined))
  phaseRow(`bulk push: ${cfg.docs} docs pushed, a 2nd client receives all`, "push")
  valueRow(`restart → ready, ${cfg.docs} docs stored (ms)`, s => s?.readyStoredMs)
  phaseRow(`cold fetch: fresh client, ${cfg.docs} docs, right after restart`, "coldfetch")
  const fl = results.automergeFloor
  phaseRow(`large doc: ${cfg.mb} MiB text pushed + fetched (automerge-java floor ${fl ? fmt(fl.floorS, 2) + " s CPU" : "–"})`, "big")
  phaseRow(`concurrent: ${cfg.clients} clients × ${cfg.clientDocs} own docs × ${cfg.edits} edits`, "concurrent")
  valueRow("peak RSS over these phases, VmHWM (MB)", s => s?.peakRssMB)
  valueRow(`memory run: start → ready, ${cfg.memoryDocs} docs stored (ms${cfg.readyRepeats > 1 ? `, median of ${cfg.readyRepeats}` : ""})`, s => s?.memory?.readyMs)
  valueRow("memory run: RSS idle after start (MB)", s => s?.memory?.idleRssMB)
  for (const [i, cp] of cfg.checkpoints.entries()) {
    row(`memory run: ${cp} of ${cfg.memoryDocs} touched (wall ms / CPU s / RSS MB)`, s => cell(s?.memory?.checkpoints?.[i] ? { ...s.memory.checkpoints[i] } : undefined),
      (a, b) => ratios(a?.memory?.checkpoints?.[i], b?.memory?.checkpoints?.[i]))
  }
  valueRow("memory run: peak RSS, VmHWM (MB)", s => s?.memory?.peakRssMB)
  lines.push("")
  if (fl) {
    lines.push(`automerge-java floor (median of ${fl.reps} fresh processes, one thread's CPU; runs ${fl.floorRunsS.join(" / ")} s): upload ${fl.uploadS} s + save ${fl.saveS} s + serve ${fl.serveS} s = ${fl.floorS} s; ` +
      `not in the floor: encodeChangesSince(all) ${fl.encodeChangesS} s, load of the saved doc ${fl.loadS} s.`, "")
  }
  lines.push(`Targets (rott-sync vs the 2.5.6 server in this run${o.smoke ? "; smoke sizes are too small for these to mean anything" : ""}):`, "")
  for (const t of results.targets) lines.push(`- ${t.status} ${t.name}: ${t.detail}`)
  lines.push("")
  if (results.profile) {
    lines.push("### Where rott-sync's time goes (JFR samples per phase; % of on-CPU samples)", "")
    for (const [name, p] of Object.entries(results.profile)) {
      if (!p.cpuSamples) continue
      const threads = S.rott?.[name.split(":")[1]]?.threads ?? S.rott?.memory?.[name.split(":")[1]]?.threads
      lines.push(`**${name}** — ${p.cpuSamples} CPU samples, ${p.fsyncSamples} samples in fsync` +
        (threads ? `; /proc CPU s by thread: ${Object.entries(threads).sort((x, y) => y[1] - x[1]).slice(0, 6).map(([k, v]) => `${k} ${v}`).join(", ")}` : ""), "")
      lines.push(`- by area: ${p.categories.map(([k, v]) => `${k} ${v}%`).join(", ")}`)
      lines.push(`- top frames: ${p.top.slice(0, 8).map(([k, v]) => `${k} ${v}%`).join(", ")}`, "")
    }
  }
  return lines.join("\n") + "\n"
}
