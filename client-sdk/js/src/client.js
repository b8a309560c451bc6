// panelwire's JavaScript SDK: one client in one panel. It joins, delivers
// each event of the panel once and in order, resolves each command with its
// ack or rejects it with a typed error, and reconnects on its own: on a new
// connection it resumes after the last seq it delivered (no gap, no
// duplicate) and sends again the commands still waiting for their ack,
// with the same ids, so the relay applies each once. Same behaviour as the
// C++ SDK (client-sdk/cpp).

import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  ClientMessageSchema,
  ErrorCode,
  QuestionOrder,
  ResumeStatus,
  ServerMessageSchema,
} from "./gen/panelwire/v1/panelwire_pb.js";

export { ErrorCode, QuestionOrder, ResumeStatus };
export * from "./gen/panelwire/v1/panelwire_pb.js";

export const SUBPROTOCOL = "panelwire.v1.proto";

// A command the relay refused, or that could not be delivered.
export class PanelwireError extends Error {
  constructor(code, message, retryAfterMs = 0) {
    super(message);
    this.name = "PanelwireError";
    // An ErrorCode value; ErrorCode[code] is its name.
    this.code = code;
    this.codeName = ErrorCode[code] ?? String(code);
    this.retryAfterMs = retryAfterMs;
  }
}

function randomId(bytes) {
  const a = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Connection states, as on_state reports them.
export const State = Object.freeze({
  connecting: "connecting",
  joined: "joined",
  reconnecting: "reconnecting",
  stopped: "stopped",
});

export class PanelwireClient {
  // options: urls (ws://host:port/v1/ws, tried in turn), panelId,
  // displayName, token, clientId (kept for the client's life; random when
  // absent), questionOrder, reconnect (default true), reconnectMinMs,
  // reconnectMaxMs, maxPendingCommands, resumeAfter (a seq as a BigInt: the
  // first join resumes after it, 0n for the panel's whole history),
  // WebSocket (an implementation for runtimes without a global one, e.g.
  // the "ws" package under Node).
  constructor(options) {
    this.options = {
      reconnect: true,
      reconnectMinMs: 100,
      reconnectMaxMs: 5000,
      // Commands waiting for their ack, sent or queued while disconnected;
      // beyond this a command fails at once with UNAVAILABLE.
      maxPendingCommands: 1024,
      questionOrder: QuestionOrder.POPULAR,
      ...options,
    };
    if (!this.options.urls?.length) throw new TypeError("urls: at least one relay URL");
    this.clientId = this.options.clientId || randomId(8);
    this.WebSocket = this.options.WebSocket ?? globalThis.WebSocket;
    // Unique across runs too: a kept client id must not make a new command
    // look like a retry of an old one.
    this.idPrefix = randomId(4) + "-";
    this.nextId = 1;
    this.pending = new Map(); // id -> {message, resolve, reject}
    this.lastSeq = this.options.resumeAfter ?? null;
    this.welcome = null;
    this.state = State.connecting;
    this.socket = null;
    this.joined = false;
    this.urlIndex = 0;
    this.backoffMs = 0;
    this.timer = null;
    this.listeners = { welcome: [], event: [], state: [], close: [] };
  }

  // on("welcome", w => …), on("event", e => …), on("state", (state, why) => …),
  // on("close", (code, reason) => …). Returns a function that unsubscribes.
  on(kind, fn) {
    this.listeners[kind].push(fn);
    return () => {
      this.listeners[kind] = this.listeners[kind].filter((f) => f !== fn);
    };
  }

  start() {
    this.connect();
    return this;
  }

  // Closes with 1000, fails the pending commands, no reconnect.
  stop() {
    this.setState(State.stopped, "stopped");
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000, "bye");
    this.socket = null;
    this.failAll(ErrorCode.UNAVAILABLE, "the client is stopped");
  }

  // Drops the connection as a network failure would (tests, "reconnect now").
  drop() {
    if (this.socket) this.socket.close(4000, "dropped by the client");
  }

  // Sends a command (a ClientMessage init without id, e.g.
  // {command: {case: "sendChat", value: {text}}}); resolves with its Ack,
  // rejects with a PanelwireError.
  send(init) {
    const message = create(ClientMessageSchema, init);
    if (!message.id) message.id = this.idPrefix + this.nextId++;
    if (this.state === State.stopped)
      return Promise.reject(new PanelwireError(ErrorCode.UNAVAILABLE, "the client is stopped"));
    if (this.pending.size >= this.options.maxPendingCommands)
      return Promise.reject(new PanelwireError(ErrorCode.UNAVAILABLE, "too many commands pending"));
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, { message, resolve, reject });
      if (this.joined) this.write(message);
    });
  }

  sendChat(text) {
    return this.send({ command: { case: "sendChat", value: { text } } });
  }
  deleteChat(chatSeq) {
    return this.send({ command: { case: "deleteChat", value: { chatSeq: BigInt(chatSeq) } } });
  }
  // forumCredit: ForumCredit.FORUM_NAMED or FORUM_UNNAMED for the forum's
  // follow-up; unset, as in the room.
  ask(text, { anonymous = false, addressedTo = "", forumCredit = 0 } = {}) {
    return this.send({
      command: { case: "askQuestion", value: { text, anonymous, addressedTo, forumCredit } },
    });
  }
  vote(questionId, withdraw = false) {
    return this.send({
      command: { case: "vote", value: { questionId: BigInt(questionId), withdraw } },
    });
  }
  moderate(questionId, action, answerText = "") {
    return this.send({
      command: {
        case: "moderateQuestion",
        value: { questionId: BigInt(questionId), action, answerText },
      },
    });
  }

  // Moderators only: changes the fields given of {preModeration,
  // guestQuestions, chatSlowModeMs}; the others stay as they are.
  setPanelRules(rules) {
    return this.send({ command: { case: "setPanelRules", value: { rules } } });
  }

  // --- connection ---

  connect() {
    if (this.state === State.stopped) return;
    const url = this.options.urls[this.urlIndex % this.options.urls.length];
    this.urlIndex++;
    const ws = new this.WebSocket(url, [SUBPROTOCOL]);
    ws.binaryType = "arraybuffer";
    this.socket = ws;
    this.joined = false;
    ws.onopen = () => this.onOpen(ws);
    ws.onmessage = (m) => this.onFrame(ws, m.data);
    ws.onclose = (e) => this.onLost(ws, e.code ?? 0, e.reason ?? "");
    ws.onerror = () => {}; // onclose follows
  }

  onOpen(ws) {
    if (ws !== this.socket) return;
    this.helloId = "hello-" + this.nextId++;
    const hello = {
      panelId: this.options.panelId,
      displayName: this.options.displayName ?? "",
      clientId: this.clientId,
      token: this.options.token ?? "",
      questionOrder: this.options.questionOrder,
    };
    if (this.lastSeq !== null) hello.resumeAfter = this.lastSeq;
    this.write(create(ClientMessageSchema, { id: this.helloId, command: { case: "hello", value: hello } }), ws);
  }

  write(message, ws = this.socket) {
    if (!ws || ws.readyState !== 1) return;
    ws.send(toBinary(ClientMessageSchema, message));
  }

  onFrame(ws, data) {
    if (ws !== this.socket) return;
    let msg;
    try {
      msg = fromBinary(ServerMessageSchema, new Uint8Array(data));
    } catch {
      return ws.close(4002, "undecodable frame from the server");
    }
    const { case: kind, value } = msg.kind;
    if (kind === "welcome") {
      this.welcome = value;
      // After a snapshot the client is current as of Welcome.seq; after a
      // resume the missed events follow and move lastSeq themselves.
      if (value.resume !== ResumeStatus.RESUMED) this.lastSeq = value.seq;
      this.emit("welcome", value);
    } else if (kind === "ack") {
      if (value.id === this.helloId) return this.onHelloAck(ws, value);
      this.complete(value);
    } else if (kind === "event") {
      if (this.lastSeq !== null && value.seq <= this.lastSeq) return; // already delivered
      if (this.lastSeq !== null && value.seq !== this.lastSeq + 1n) {
        // Never expected from a correct relay; resuming fills the gap.
        return ws.close(4001, "gap in the event sequence");
      }
      this.lastSeq = value.seq;
      this.emit("event", value);
    }
  }

  onHelloAck(ws, ack) {
    if (ack.error) {
      if (ack.error.code === ErrorCode.UNAVAILABLE) return ws.close(4003, "join: " + ack.error.message);
      // Not transient: the same Hello would be refused again.
      const why = `join refused: ${ErrorCode[ack.error.code]}: ${ack.error.message}`;
      this.setState(State.stopped, why);
      this.socket = null;
      ws.close(1000, "refused");
      this.failAll(ack.error.code, why);
      return;
    }
    this.joined = true;
    this.backoffMs = 0;
    this.setState(State.joined, this.options.panelId);
    // Commands still waiting go again, same ids: applied once.
    for (const { message } of this.pending.values()) this.write(message, ws);
  }

  complete(ack) {
    const p = this.pending.get(ack.id);
    if (!p) return;
    this.pending.delete(ack.id);
    if (ack.error) p.reject(new PanelwireError(ack.error.code, ack.error.message, ack.error.retryAfterMs));
    else p.resolve(ack);
  }

  failAll(code, why) {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new PanelwireError(code, why));
  }

  onLost(ws, code, reason) {
    if (ws !== this.socket) return;
    this.socket = null;
    this.joined = false;
    this.emit("close", code, reason);
    if (this.state === State.stopped) return;
    if (!this.options.reconnect) {
      this.setState(State.stopped, reason || "connection closed");
      this.failAll(ErrorCode.UNAVAILABLE, "connection closed");
      return;
    }
    this.setState(State.reconnecting, reason || `closed (${code})`);
    const max = this.options.reconnectMaxMs;
    this.backoffMs = this.backoffMs ? Math.min(this.backoffMs * 2, max) : this.options.reconnectMinMs;
    // Jitter: clients cut off together do not come back together.
    const wait = this.backoffMs / 2 + Math.random() * (this.backoffMs / 2);
    this.timer = setTimeout(() => this.connect(), wait);
  }

  setState(state, why) {
    this.state = state;
    this.emit("state", state, why);
  }

  emit(kind, ...args) {
    for (const fn of this.listeners[kind]) fn(...args);
  }
}
