// The JavaScript SDK against the real panelwire-server binary
// (PANELWIRE_SERVER_BIN) on a free loopback port: one order for everyone,
// acks and typed errors, resume with no gap and no duplicate after a drop,
// commands sent while away applied once, a command in flight when the
// connection drops applied once, a refused join stops the client.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import WebSocket from "ws";

import { ErrorCode, PanelwireClient, PanelwireError, ResumeStatus, State } from "../src/client.js";

const SERVER = process.env.PANELWIRE_SERVER_BIN;

let server;
let port;
let url;

before(async () => {
  assert.ok(SERVER, "PANELWIRE_SERVER_BIN names the panelwire-server binary");
  const dir = mkdtempSync(join(tmpdir(), "panelwire-js-"));
  server = spawn(
    SERVER,
    [
      "--listen",
      "127.0.0.1:0",
      "--threads",
      "2",
      "--chat-per-minute",
      "0",
      "--outbox",
      join(dir, "outbox.jsonl"),
      "--data-dir",
      join(dir, "data"),
      "--log-level",
      "warn",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  port = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on [\d.]+:(\d+)/);
      if (m) resolve(Number(m[1]));
    });
    server.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  url = `ws://127.0.0.1:${port}/v1/ws`;
});

after(() => server?.kill("SIGKILL"));

function client(panelId, displayName, extra = {}) {
  return new PanelwireClient({ urls: [url], panelId, displayName, WebSocket, ...extra });
}

// Collects what a client receives.
function record(c) {
  const got = { welcomes: [], events: [], states: [] };
  c.on("welcome", (w) => got.welcomes.push(w));
  c.on("event", (e) => got.events.push(e));
  c.on("state", (s, why) => got.states.push([s, why]));
  return got;
}

async function until(pred, ms = 5000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const seqs = (events) => events.map((e) => Number(e.seq));
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test("two clients see every chat message once, in one order", { timeout: 20000 }, async () => {
  const ann = client("order", "Ann").start();
  const bob = client("order", "Bob").start();
  const a = record(ann),
    b = record(bob);
  await until(() => a.welcomes.length && b.welcomes.length);
  const acks = [];
  for (let i = 0; i < 50; i++) {
    acks.push(ann.sendChat(`ann ${i}`));
    acks.push(bob.sendChat(`bob ${i}`));
  }
  const got = await Promise.all(acks);
  assert.deepEqual(
    got.map((x) => Number(x.seq)).sort((x, y) => x - y),
    range(1, 100),
  );
  await until(() => a.events.length === 100 && b.events.length === 100);
  assert.deepEqual(seqs(a.events), range(1, 100));
  const texts = (r) => r.events.map((e) => e.kind.value.text);
  assert.deepEqual(texts(a), texts(b), "the same order for both");
  ann.stop();
  bob.stop();
});

test("a refused command rejects with its typed error", { timeout: 20000 }, async () => {
  const ann = client("errors", "Ann").start();
  const a = record(ann);
  await until(() => a.welcomes.length);
  await assert.rejects(ann.deleteChat(1), (e) => {
    assert.ok(e instanceof PanelwireError);
    assert.equal(e.code, ErrorCode.FORBIDDEN);
    assert.equal(e.codeName, "FORBIDDEN");
    return true;
  });
  await assert.rejects(ann.sendChat(""), (e) => e.code === ErrorCode.INVALID_ARGUMENT);
  await assert.rejects(ann.vote(99), (e) => e.code === ErrorCode.NOT_FOUND);
  await assert.rejects(
    ann.setPanelRules({ guestQuestions: false }),
    (e) => e.code === ErrorCode.FORBIDDEN,
    "only moderators switch the rules",
  );
  const ok = await ann.ask("Will the slides be shared?", { addressedTo: "Dr. Alberts" });
  assert.equal(Number(ok.seq), 1);
  const again = await ann.vote(1);
  assert.equal(Number(again.seq), 2);
  assert.equal(Number((await ann.vote(1)).seq), 0, "a second vote changes nothing");
  ann.stop();
});

test(
  "a dropped client resumes with exactly what it missed and sends what waited once",
  { timeout: 20000 },
  async () => {
    const ann = client("resume", "Ann").start();
    const bob = client("resume", "Bob", { reconnectMinMs: 400, reconnectMaxMs: 400 }).start();
    const a = record(ann),
      b = record(bob);
    await until(() => a.welcomes.length && b.welcomes.length);
    for (let i = 0; i < 10; i++) await ann.sendChat(`before ${i}`);
    await until(() => b.events.length === 10);

    bob.drop();
    const whileAway = bob.sendChat("sent while away");
    for (let i = 0; i < 15; i++) await ann.sendChat(`during ${i}`);
    const ack = await whileAway;
    await until(() => b.events.length === 26 && a.events.length === 26);

    assert.equal(b.welcomes.length, 2);
    assert.equal(b.welcomes[1].resume, ResumeStatus.RESUMED);
    assert.deepEqual(seqs(b.events), range(1, 26), "no gap, no duplicate");
    const mine = a.events.filter((e) => e.kind.value.text === "sent while away");
    assert.equal(mine.length, 1, "applied once");
    assert.equal(mine[0].seq, ack.seq);
    assert.ok(
      b.states.some(([s]) => s === State.reconnecting),
      "said it was reconnecting",
    );
    ann.stop();
    bob.stop();
  },
);

// Bytes the kernel holds for the server, unread, on its end of the
// connection from the client's local port (/proc/net/tcp, loopback IPv4);
// null when there is no such connection.
function unreadByServer(clientPort) {
  const hex = (n) => n.toString(16).toUpperCase().padStart(4, "0");
  const local = `0100007F:${hex(port)}`,
    remote = `0100007F:${hex(clientPort)}`;
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[2] === remote) return parseInt(f[4].split(":")[1], 16);
  }
  return null;
}

// Every thread of the process stopped: kill() returns before a thread
// running on another CPU has taken its SIGSTOP.
function stopped(pid) {
  return readdirSync(`/proc/${pid}/task`).every((t) => {
    const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] === "T";
  });
}

test("a command in flight when the connection drops is applied once, with its id", { timeout: 20000 }, async (t) => {
  const ann = client("in-flight", "Ann").start();
  const bob = client("in-flight", "Bob").start();
  const a = record(ann),
    b = record(bob);
  t.after(() => {
    ann.stop();
    bob.stop();
  });
  // The ws socket's local port names the server's end of the connection.
  const annPort = await new Promise((r) => ann.socket.once("upgrade", (res) => r(res.socket.localPort)));
  await until(() => a.welcomes.length && b.welcomes.length);

  // The server is stopped, so the command sits in its socket unanswered
  // when the connection drops; the SDK sends it again, with its id, on the
  // next connection. terminate() cuts the TCP connection at once, as a
  // network failure would; drop()'s closing handshake would keep it open
  // until the stopped server answers.
  assert.equal(unreadByServer(annPort), 0);
  server.kill("SIGSTOP");
  let inFlight;
  try {
    await until(() => stopped(server.pid));
    inFlight = ann.sendChat("in flight");
    await until(() => unreadByServer(annPort) > 0);
    ann.socket.terminate();
  } finally {
    server.kill("SIGCONT");
  }
  // The server now holds two copies: the dropped connection's and the
  // resend (the SDK may reconnect before the server resumes). Whichever it
  // reads first is applied; the other is the duplicate, answered with the
  // first one's seq. The ack can only come on the new connection, for the
  // resend.
  const ack = await inFlight;
  assert.equal(Number(ack.seq), 1);
  assert.equal(a.welcomes.length, 2, "the SDK reconnected");
  assert.equal(Number((await ann.sendChat("marker")).seq), 2, "applied once, from whichever copy");
  for (const r of [a, b]) {
    await until(() => r.events.some((e) => e.kind.value.text === "marker"));
    assert.deepEqual(
      r.events.map((e) => [Number(e.seq), e.kind.value.text]),
      [
        [1, "in flight"],
        [2, "marker"],
      ],
    );
  }
});

test("a join the relay refuses stops the client and fails what waits", { timeout: 20000 }, async () => {
  const c = client("", "Nobody", { reconnect: true }).start();
  const r = record(c);
  const pending = c.sendChat("never");
  await assert.rejects(pending, (e) => e.code === ErrorCode.INVALID_ARGUMENT);
  await until(() => c.state === State.stopped);
  assert.match(r.states.at(-1)[1], /join refused: INVALID_ARGUMENT/);
});
