// The JavaScript SDK against the real panelwire-server binary
// (PANELWIRE_SERVER_BIN) on a free loopback port: one order for everyone,
// acks and typed errors, resume with no gap and no duplicate after a drop,
// commands sent while away applied once, a refused join stops the client.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import WebSocket from "ws";

import { ErrorCode, PanelwireClient, PanelwireError, ResumeStatus, State } from "../src/client.js";

const SERVER = process.env.PANELWIRE_SERVER_BIN;

let server;
let url;

before(async () => {
  assert.ok(SERVER, "PANELWIRE_SERVER_BIN names the panelwire-server binary");
  const dir = mkdtempSync(join(tmpdir(), "panelwire-js-"));
  server = spawn(SERVER, [
    "--listen", "127.0.0.1:0", "--threads", "2", "--chat-per-minute", "0",
    "--outbox", join(dir, "outbox.jsonl"), "--data-dir", join(dir, "data"), "--log-level", "warn",
  ], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve, reject) => {
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

test("two clients see every chat message once, in one order", async () => {
  const ann = client("order", "Ann").start();
  const bob = client("order", "Bob").start();
  const a = record(ann), b = record(bob);
  await until(() => a.welcomes.length && b.welcomes.length);
  const acks = [];
  for (let i = 0; i < 50; i++) {
    acks.push(ann.sendChat(`ann ${i}`));
    acks.push(bob.sendChat(`bob ${i}`));
  }
  const got = await Promise.all(acks);
  assert.deepEqual(got.map((x) => Number(x.seq)).sort((x, y) => x - y), range(1, 100));
  await until(() => a.events.length === 100 && b.events.length === 100);
  assert.deepEqual(seqs(a.events), range(1, 100));
  const texts = (r) => r.events.map((e) => e.kind.value.text);
  assert.deepEqual(texts(a), texts(b), "the same order for both");
  ann.stop();
  bob.stop();
});

test("a refused command rejects with its typed error", async () => {
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
  await assert.rejects(ann.setPanelRules({ guestQuestions: false }), (e) => e.code === ErrorCode.FORBIDDEN,
    "only moderators switch the rules");
  const ok = await ann.ask("Will the slides be shared?", { addressedTo: "Dr. Alberts" });
  assert.equal(Number(ok.seq), 1);
  const again = await ann.vote(1);
  assert.equal(Number(again.seq), 2);
  assert.equal(Number((await ann.vote(1)).seq), 0, "a second vote changes nothing");
  ann.stop();
});

test("a dropped client resumes with exactly what it missed and sends what waited once", async () => {
  const ann = client("resume", "Ann").start();
  const bob = client("resume", "Bob", { reconnectMinMs: 400, reconnectMaxMs: 400 }).start();
  const a = record(ann), b = record(bob);
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
  assert.ok(b.states.some(([s]) => s === State.reconnecting), "said it was reconnecting");
  ann.stop();
  bob.stop();
});

test("a join the relay refuses stops the client and fails what waits", async () => {
  const c = client("", "Nobody", { reconnect: true }).start();
  const r = record(c);
  const pending = c.sendChat("never");
  await assert.rejects(pending, (e) => e.code === ErrorCode.INVALID_ARGUMENT);
  await until(() => c.state === State.stopped);
  assert.match(r.states.at(-1)[1], /join refused: INVALID_ARGUMENT/);
});
