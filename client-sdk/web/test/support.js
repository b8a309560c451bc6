// What the browser tests share: a real redis-server and the real relay on
// free loopback ports, tokens from the real CLI, Debian's Chromium, and the
// checks every page gets (axe-core, a screenshot, no page error).
//
// Environment: PANELWIRE_SERVER_BIN, PANELWIRE_CLI_BIN, PANELWIRE_IMPORT_BIN,
// PANELWIRE_WEB_ROOT (the built pages), PANELWIRE_TEST_OUT (screenshots go
// there).

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const SECRET = "pages-test-secret-of-32-bytes-or-more";
export const out = process.env.PANELWIRE_TEST_OUT ?? mkdtempSync(join(tmpdir(), "panelwire-pages-"));
mkdirSync(out, { recursive: true });
export const dir = mkdtempSync(join(tmpdir(), "panelwire-pages-run-"));

export function requireEnv() {
  for (const v of ["PANELWIRE_SERVER_BIN", "PANELWIRE_CLI_BIN", "PANELWIRE_IMPORT_BIN", "PANELWIRE_WEB_ROOT"])
    assert.ok(process.env[v], `${v} is set`);
}

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function until(pred, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedis() {
  const port = await freePort();
  const p = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
    ],
    { stdio: "ignore" },
  );
  await until(async () => {
    try {
      execFileSync("redis-cli", ["-p", String(port), "ping"]);
      return true;
    } catch {
      return false;
    }
  });
  return { port, kill: () => p.kill("SIGKILL") };
}

// The relay on Redis. The first start lets it pick a free port (a port probed
// free and bound later could be taken by another test's server meanwhile); a
// restart binds that same port again, so the pages reconnect to their URL.
export class Relay {
  constructor(redisPort, panels, extra = []) {
    this.redisPort = redisPort;
    this.panels = panels;
    this.extra = extra;
    this.port = 0;
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    const p = spawn(
      process.env.PANELWIRE_SERVER_BIN,
      [
        "--panels",
        this.panels,
        "--listen",
        `127.0.0.1:${this.port}`,
        "--threads",
        "2",
        "--redis",
        `redis://127.0.0.1:${this.redisPort}`,
        "--token-secret",
        SECRET,
        "--web-root",
        process.env.PANELWIRE_WEB_ROOT,
        "--log-level",
        "warn",
        "--chat-per-minute",
        "0",
        ...this.extra,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    this.port = await new Promise((resolve, reject) => {
      let text = "";
      p.stdout.on("data", (chunk) => {
        text += chunk;
        const m = /listening on [^\n]*:(\d+)\n/.exec(text);
        if (m) resolve(Number(m[1]));
      });
      p.on("exit", (code) => reject(new Error(`the relay exited (${code}) before listening: ${text}`)));
    });
    p.stdout.resume();
    await until(async () => {
      try {
        return (await fetch(`${this.base}/readyz`)).status === 200;
      } catch {
        return false;
      }
    });
    this.process = p;
  }

  stop() {
    return new Promise((resolve) => {
      this.process.on("exit", resolve);
      this.process.kill("SIGTERM");
    });
  }

  kill() {
    this.process?.kill("SIGKILL");
  }
}

export function token(role, name, panel) {
  return execFileSync(process.env.PANELWIRE_CLI_BIN, [
    "token",
    "--secret",
    SECRET,
    "--role",
    role,
    "--name",
    name,
    "--panel",
    panel,
  ])
    .toString()
    .trim();
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    // A download of Playwright's own browser cannot work here; Debian's
    // Chromium, kept off the network it does not need.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

// A page in a context of its own; any error in it fails the test.
export async function openPage(browser, url, options = {}) {
  const page = await (await browser.newContext(options)).newPage();
  page.on("pageerror", (e) => assert.fail(`page error: ${e.message}`));
  if (url) await page.goto(url);
  return page;
}

export const connected = (page) =>
  until(async () =>
    (
      (await page
        .getByTestId("status")
        .textContent()
        .catch(() => "")) ?? ""
    ).startsWith("Connected"),
  );

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

// axe-core over the page as it is now: no serious or critical violation
// (WCAG 2.x A and AA rules). A screenshot of the same state goes beside the
// test's other outputs, to be looked at.
export async function checkPage(page, name) {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
  // Evaluated through the debugging protocol, which the pages' CSP (no
  // inline script) does not govern.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join("; ")}`,
    ),
    [],
    `axe-core on ${name}`,
  );
}

// The chat messages a page shows, in order.
export const chatTexts = (page) => page.$$eval("[data-testid=chat] li .text", (els) => els.map((e) => e.textContent));
export const chatSeqs = (page) => page.$$eval("[data-testid=chat] li", (els) => els.map((e) => Number(e.dataset.seq)));
