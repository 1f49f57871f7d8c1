// Where rott-sync's time goes, from JDK Flight Recorder files: `jfr print` (text form, streamed) of
// jdk.ExecutionSample (threads running Java code) and jdk.NativeMethodSample (threads inside a native
// method: Automerge's Rust core behind JNI, or a system call). Native samples of threads that wait
// (epoll, park, sleep, accept) are left out; fsync (FileDispatcherImpl.force0) is counted apart, as
// I/O wait rather than CPU. JIT compiler and GC threads are not Java threads and never appear in
// samples: the per-thread CPU from /proc (run.mjs) shows their share.
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"

const CATEGORIES = [
  ["org.automerge.", "automerge (JNI, Rust core)"],
  ["rottsync.protocol.", "CBOR codec / wire messages"],
  ["rottsync.storage.", "chunk store (files)"],
  ["rottsync.sync.", "sync core (hub, synchronizer)"],
  ["rottsync.server.", "driver / endpoint"],
  ["io.netty.", "network (Netty, Vert.x, WebSockets Next)"],
  ["io.vertx.", "network (Netty, Vert.x, WebSockets Next)"],
  ["io.quarkus.", "network (Netty, Vert.x, WebSockets Next)"],
  ["io.smallrye.", "network (Netty, Vert.x, WebSockets Next)"],
]

const FSYNC = /FileDispatcherImpl\.force0|UnixNativeDispatcher\.fsync/
const WAITING = /EPoll\.wait|epollWait|Unsafe\.park|Object\.wait|Thread\.sleep|\.accept0?$|Net\.poll|\.poll0$|waitForProcessExit|Signal\.|ProcessHandleImpl/

function categorize(frames) {
  for (const frame of frames) {
    for (const [prefix, name] of CATEGORIES) if (frame.startsWith(prefix)) return name
  }
  return "JVM / JDK other"
}

/** Streams one recording; calls onSample({type, timeOfDay (ms, local), thread, frames}) per sample. */
function readSamples(jfrBin, file, onSample) {
  return new Promise((resolve, reject) => {
    const child = spawn(jfrBin, ["print", "--stack-depth", "64", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", file],
      { stdio: ["ignore", "pipe", "pipe"] })
    let err = ""
    child.stderr.on("data", d => { err += d })
    const lines = createInterface({ input: child.stdout })
    let cur = null, inStack = false
    lines.on("line", line => {
      const t = line.trim()
      if (/^jdk\.(ExecutionSample|NativeMethodSample) \{$/.test(t)) {
        cur = { type: t.split(" ")[0], frames: [] }
        inStack = false
      } else if (!cur) {
        // between events
      } else if (t.startsWith("startTime = ")) {
        // "startTime = 13:36:11.029" (local time; some JDKs add " (2026-11-25)")
        const m = t.match(/startTime = (\d+):(\d+):(\d+(?:\.\d+)?)/)
        if (m) cur.timeOfDay = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000
      } else if (t.startsWith("sampledThread = ")) {
        cur.thread = (t.match(/"([^"]*)"/) ?? [])[1] ?? "?"
      } else if (t === "stackTrace = [") {
        inStack = true
      } else if (inStack && t === "]") {
        inStack = false
      } else if (inStack) {
        if (t !== "..." && t) cur.frames.push(t.replace(/\s+line:.*$/, "").replace(/\(.*$/, ""))
      } else if (t === "}") {
        onSample(cur)
        cur = null
      }
    })
    child.on("error", reject)
    child.on("close", code => (code === 0 ? resolve() : reject(new Error(`jfr print ${file} exited ${code}: ${err}`))))
  })
}

/**
 * Summarises recordings per phase. `phases` = [{name, start, end}] (ms since epoch). Returns
 * {phaseName: {cpuSamples, fsyncSamples, categories: [[name, pct]], top: [[frame, pct]]}}.
 */
export async function summarize(jfrBin, files, phases) {
  const acc = Object.fromEntries(phases.map(p => [p.name, { cpu: 0, fsync: 0, cats: {}, top: {} }]))
  // A sample's time of day becomes a date on the day of the phase it may belong to.
  const midnight = ms => { const d = new Date(ms); d.setHours(0, 0, 0, 0); return d.getTime() }
  const phaseOf = tod => phases.find(p => {
    for (const day of new Set([midnight(p.start), midnight(p.end)])) {
      if (day + tod >= p.start && day + tod <= p.end) return true
    }
    return false
  })
  for (const file of files) {
    await readSamples(jfrBin, file, s => {
      const p = s.timeOfDay !== undefined && phaseOf(s.timeOfDay)
      if (!p || !s.frames.length) return
      const a = acc[p.name]
      const top = s.frames[0]
      if (s.type === "jdk.NativeMethodSample") {
        if (s.frames.some(f => FSYNC.test(f))) {
          a.fsync++
          return
        }
        if (WAITING.test(top)) return
      }
      a.cpu++
      const cat = categorize(s.frames)
      a.cats[cat] = (a.cats[cat] ?? 0) + 1
      a.top[top] = (a.top[top] ?? 0) + 1
    })
  }
  const pct = (n, total) => Math.round((1000 * n) / Math.max(1, total)) / 10
  const out = {}
  for (const [name, a] of Object.entries(acc)) {
    const sortDesc = obj => Object.entries(obj).sort((x, y) => y[1] - x[1])
    out[name] = {
      cpuSamples: a.cpu,
      fsyncSamples: a.fsync,
      categories: sortDesc(a.cats).map(([k, v]) => [k, pct(v, a.cpu)]),
      top: sortDesc(a.top).slice(0, 12).map(([k, v]) => [k, pct(v, a.cpu)]),
    }
  }
  return out
}
