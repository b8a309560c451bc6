// The pages in a real browser: Debian's Chromium driven by playwright-core,
// against the real relay (on Redis, so it can be restarted mid-panel) and a
// real redis-server, all on loopback. Two attendees and a moderator in one
// panel, the stage view, a hostile message, a restart, the end.
//
// Environment: PANELWIRE_SERVER_BIN, PANELWIRE_CLI_BIN, PANELWIRE_IMPORT_BIN,
// PANELWIRE_WEB_ROOT (the built pages), PANELWIRE_TEST_OUT (screenshots go
// there).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  PHONE,
  Relay,
  SECRET,
  chatSeqs,
  chatTexts,
  checkPage,
  connected,
  dir,
  launchBrowser,
  openPage,
  requireEnv,
  startRedis,
  token,
  until,
} from "./support.js";

// Questions wait for a moderator's approval in the first panel; in the
// second a moderator switches the rules while it runs.
const panels = join(dir, "panels.json");
writeFileSync(
  panels,
  JSON.stringify({
    panels: [
      {
        id: "browser-panel",
        title: "Mentoring in Research",
        // Named by its address, which the ended page links (the importer
        // posts to topic 42); never opened by the test.
        forum_thread: "https://forum.example/t/mentoring-in-research/42",
        guests_allowed: true,
        pre_moderation: true,
        reserved_names: ["Dr. Alberts"],
      },
      { id: "rules-panel", title: "Open Science Office Hours", forum_thread: "43", guests_allowed: true },
    ],
  }),
);

let redis, relay, browser;
before(async () => {
  requireEnv();
  redis = await startRedis();
  relay = new Relay(redis.port, panels);
  await relay.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  relay?.kill();
  redis?.kill();
});

// Discourse as far as the importer needs it: POST /posts.json, and
// GET /posts/by_number/<topic>/<n>.json for the post a reply answers.
async function forumStandIn() {
  const posts = [];
  const json = (res, status, body) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  const forum = createHttpServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.headers["api-key"] !== "k-pages") return json(res, 403, { errors: ["not permitted"] });
      const byNumber = /^\/posts\/by_number\/(\d+)\/(\d+)\.json$/.exec(req.url);
      if (req.method === "GET" && byNumber) {
        const p = posts.find((x) => x.topic_id === Number(byNumber[1]) && x.post_number === Number(byNumber[2]));
        return p ? json(res, 200, p) : json(res, 404, { errors: ["not found"] });
      }
      if (req.method !== "POST" || req.url !== "/posts.json") return json(res, 404, { errors: ["not found"] });
      const sent = JSON.parse(body);
      const post = {
        id: 2000 + posts.length,
        topic_id: sent.topic_id,
        post_number: posts.length + 2,
        username: req.headers["api-username"],
        raw: sent.raw,
      };
      posts.push(post);
      json(res, 200, post);
    });
  });
  await new Promise((resolve) => forum.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${forum.address().port}`, posts, close: () => forum.close() };
}

// panelwire-forum-import, from the relay's Redis to the forum and back to
// the relay, receiving the forum's webhooks. Spawned, not run in place: the
// forum answers from this process.
async function startImporter(forumUrl, hookSecret) {
  const secretFile = join(dir, "token-secret");
  const hookFile = join(dir, "answers-secret");
  writeFileSync(secretFile, SECRET);
  writeFileSync(hookFile, hookSecret);
  const p = spawn(
    process.env.PANELWIRE_IMPORT_BIN,
    [
      "--redis",
      `redis://127.0.0.1:${redis.port}`,
      "--sink",
      "discourse",
      "--discourse-url",
      forumUrl,
      "--api-key",
      "k-pages",
      "--api-username",
      "panel-bot",
      "--relay",
      `ws://127.0.0.1:${relay.port}/v1/ws`,
      "--token-secret-file",
      secretFile,
      "--answers-listen",
      "127.0.0.1:0",
      "--answers-secret-file",
      hookFile,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  p.stdout.on("data", (c) => (log += c));
  p.stderr.on("data", (c) => (log += c));
  const waitFor = async (re) => {
    await until(() => re.test(log), 15000).catch(() => assert.fail(`the importer never logged ${re}: ${log}`));
    return re.exec(log);
  };
  const [, answersPort] = await waitFor(/event=answers_listening address=127\.0\.0\.1:(\d+)/);
  return { waitFor, answersPort: Number(answersPort), stop: () => p.kill("SIGTERM") };
}

// A reply in the forum, delivered to the importer as Discourse delivers
// post_created: signed with the webhook's secret.
async function deliverReply(importer, hookSecret, reply) {
  const body = JSON.stringify({ post: reply });
  const signature = "sha256=" + createHmac("sha256", hookSecret).update(body).digest("hex");
  const res = await fetch(`http://127.0.0.1:${importer.answersPort}/`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-discourse-event": "post_created",
      "x-discourse-event-signature": signature,
    },
    body,
  });
  return res.status;
}

test("attendees, a moderator and the stage run a panel in the browser", async () => {
  const base = relay.base;
  const panel = "browser-panel";
  // Ann joins with a name of her choosing; Bob, on a phone, through the name form.
  const ann = await openPage(browser, `${base}/p/${panel}?name=Ann`);
  const bob = await openPage(browser, `${base}/p/${panel}`, PHONE);
  await checkPage(bob, "name-form-phone");
  await bob.getByRole("textbox", { name: "Your name, as others will see it", exact: true }).fill("Bob");
  await bob.getByRole("button", { name: "Join" }).click();
  const mod = await openPage(browser, `${base}/p/${panel}/moderate?token=${token("moderator", "Mo", panel)}`);
  const stage = await openPage(browser, `${base}/p/${panel}/stage`);
  for (const p of [ann, bob, mod]) await connected(p);
  const message = (p) => p.getByRole("textbox", { name: "Message", exact: true });
  const send = (p) => p.getByRole("button", { name: "Send" });
  // Bob's phone shows one pane at a time.
  const bobTab = (name) => bob.getByRole("tab", { name }).click();

  // Chat: both attendees see every message, in one order.
  await message(ann).fill("Hello from Ann");
  await send(ann).click();
  await message(bob).fill("Hi Ann, Bob here");
  await send(bob).click();
  await until(async () => (await chatTexts(ann)).length === 2);
  await message(bob).fill('<img src=x onerror="window.__pwned=1">');
  await send(bob).click();
  await until(async () => (await chatTexts(ann)).length === 3 && (await chatTexts(bob)).length === 3);
  assert.deepEqual(await chatTexts(ann), await chatTexts(bob));
  assert.deepEqual(await chatTexts(ann), [
    "Hello from Ann",
    "Hi Ann, Bob here",
    '<img src=x onerror="window.__pwned=1">',
  ]);

  // The hostile message is text: no image, no script ran.
  assert.equal(await ann.locator("[data-testid=chat] img").count(), 0);
  assert.equal(await ann.evaluate(() => window.__pwned), undefined);
  assert.equal(await mod.evaluate(() => window.__pwned), undefined);

  // A double click sends once: Send waits for the ack.
  await message(ann).fill("Once, however often clicked");
  await send(ann).dblclick();
  await until(async () => (await chatTexts(ann)).length === 4);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await chatTexts(mod)).filter((t) => t === "Once, however often clicked").length, 1);

  // A panelist, invited with a token, chats: everyone sees who it is, a badge
  // in words beside the name; attendees have none.
  const pat = await openPage(browser, `${base}/p/${panel}?token=${token("panelist", "Dr. Alberts", panel)}`);
  await connected(pat);
  await message(pat).fill("Glad to be here");
  await send(pat).click();
  await until(async () => (await chatTexts(ann)).length === 5 && (await chatTexts(mod)).length === 5);
  for (const p of [ann, mod]) {
    const authors = await p.$$eval("[data-testid=chat] li .author", (els) => els.map((e) => e.textContent));
    assert.deepEqual(authors, ["Ann", "Bob", "Bob", "Ann", "Dr. Alberts Panelist"]);
    assert.equal(await p.locator("[data-testid=chat] li").last().locator(".badge").textContent(), "Panelist");
  }

  // A question, held for review: its asker sees it waiting, nobody else
  // does; the moderator approves it from the "To review" tab.
  await ann
    .getByRole("textbox", { name: "Your question", exact: true })
    .fill("How do we keep mentoring going after the grant ends?");
  await ann.getByRole("textbox", { name: "For (a panelist, optional)", exact: true }).fill("Dr. Alberts");
  // Named here, not in the forum's follow-up: her choice, carried to the post.
  const forumChoice = ann.getByRole("combobox", { name: "In the forum after the panel" });
  await forumChoice.selectOption({ label: "don't name me" });
  await ann.getByRole("button", { name: "Ask", exact: true }).click();
  await until(async () => (await forumChoice.inputValue()) === "");
  await until(async () =>
    /Awaiting review/.test(
      (await ann
        .getByTestId("my-questions")
        .textContent()
        .catch(() => "")) ?? "",
    ),
  );
  await mod.getByRole("tab", { name: /^To review/ }).click();
  const pending = mod.getByTestId("queue-pending");
  await until(async () => (await pending.locator("li").count()) === 1);
  await bobTab(/^Q&A/);
  assert.equal(await bob.locator("[data-testid=questions] li").count(), 0, "not shown before approval");
  await checkPage(mod, "moderator-review");
  await pending.getByRole("button", { name: "Approve" }).click();
  await until(async () => (await ann.getByTestId("my-questions").count()) === 0);
  const upvote = bob.getByRole("button", { name: /Upvote\W*How do we keep mentoring going after the grant ends\?/ });
  await upvote.click();
  await until(async () => (await upvote.getAttribute("aria-pressed")) === "true");
  await until(async () =>
    ((await ann.locator("[data-testid=questions] .meta").first().textContent()) ?? "").startsWith("1 vote"),
  );
  assert.equal(await ann.locator("[data-testid=questions] button.vote").count(), 0, "no upvote on one's own question");
  await mod.getByRole("tab", { name: /^Open/ }).click();
  const open = mod.getByTestId("queue-open");
  await until(async () => (await open.locator("li").count()) === 1);
  await open.getByRole("button", { name: "Highlight" }).click();
  await mod.getByRole("tab", { name: /^Answering/ }).click();
  await until(async () => (await mod.getByTestId("queue-answering").locator("li").count()) === 1);
  await until(async () =>
    ((await stage.getByTestId("stage").textContent()) ?? "").includes("How do we keep mentoring going"),
  );
  await until(async () => (await ann.getByTestId("answering").count()) === 1);
  assert.match(await stage.getByTestId("stage").textContent(), /Ann, for Dr\. Alberts/);

  for (const [name, p] of [
    ["attendee", ann],
    ["attendee-phone-qa", bob],
    ["moderator", mod],
    ["stage", stage],
    ["panelist", pat],
  ])
    await checkPage(p, name);
  await bobTab("Chat");
  await checkPage(bob, "attendee-phone-chat");

  // The relay restarts: Ann's page reconnects and misses nothing. What she
  // sends meanwhile shows as "sending…" and goes out once, however often
  // Enter was pressed.
  const before = await chatSeqs(ann);
  await relay.stop();
  await until(async () => (await ann.getByTestId("status").textContent()).startsWith("Reconnecting"));
  assert.match(await ann.getByTestId("banner").textContent(), /Reconnecting/);
  await message(ann).fill("Sent during the outage");
  for (let i = 0; i < 3; i++) await message(ann).press("Enter");
  // The box is free for the next one, which waits behind the first.
  await message(ann).fill("And a second, also offline");
  for (let i = 0; i < 2; i++) await message(ann).press("Enter");
  await until(async () => (await ann.locator(".chat.sending li").count()) === 2);
  assert.deepEqual(
    await ann.locator(".chat.sending li .text").allTextContents(),
    ["Sent during the outage", "And a second, also offline"],
    "queued in the order written, each once",
  );
  await checkPage(ann, "attendee-reconnecting");
  await relay.start();
  await until(async () => /reconnected/.test(await ann.getByTestId("status").textContent()));
  await bob.waitForFunction(() => window.panelwire.state.connection === "joined");
  await until(async () => (await chatTexts(bob)).at(-1) === "And a second, also offline");
  await message(bob).fill("After the restart");
  await send(bob).click();
  await until(async () => (await chatTexts(ann)).at(-1) === "After the restart");
  const seqs = await chatSeqs(ann);
  assert.deepEqual(seqs.slice(0, before.length), before, "what was there is still there");
  const events = await ann.evaluate(() => Number(window.panelwire.client.lastSeq));
  assert.equal(events, 12, "5 chats, the question, its approval, the vote, the highlight, three more: no gap");
  // Every page that lived through the restart shows each message once, in
  // the one order, and the question once.
  for (const p of [ann, bob, mod]) {
    await until(async () => (await chatTexts(p)).at(-1) === "After the restart");
    assert.deepEqual(
      await chatTexts(p),
      [
        "Hello from Ann",
        "Hi Ann, Bob here",
        '<img src=x onerror="window.__pwned=1">',
        "Once, however often clicked",
        "Glad to be here",
        "Sent during the outage",
        "And a second, also offline",
        "After the restart",
      ],
      "no message lost or shown twice",
    );
    const shown = await chatSeqs(p);
    assert.ok(
      shown.every((s, i) => i === 0 || s > shown[i - 1]),
      `seqs rise: ${shown}`,
    );
  }
  assert.equal(await ann.locator(".chat.sending").count(), 0, "nothing left sending");
  assert.equal(await ann.locator("[data-testid=questions] li").count(), 1, "the question once");
  assert.equal(await mod.getByTestId("queue-answering").locator("li").count(), 1);

  // The moderator ends the panel, confirming in the page's own dialog, and
  // sees what went to the forum.
  await mod.getByRole("button", { name: "End the panel" }).click();
  const dialog = mod.getByRole("dialog", { name: "End the panel?" });
  await checkPage(mod, "moderator-confirm-end");
  await dialog.getByRole("button", { name: "End the panel" }).click();
  const leftovers = mod.getByTestId("leftovers");
  await until(async () => (await leftovers.count()) === 1);
  assert.match(await leftovers.textContent(), /Sent to the forum \(1\).*How do we keep mentoring going/);
  await until(async () => /The panel has ended/.test(await ann.getByTestId("status").textContent()));
  assert.equal(await send(ann).isDisabled(), true);
  // Nothing left to ask: the form is gone, not greyed out.
  assert.equal(await ann.getByRole("form", { name: "Ask a question" }).count(), 0);
  assert.match(await ann.getByTestId("ended").textContent(), /Thank you for joining/);
  const thread = ann.getByTestId("ended").getByRole("link", { name: "the panel's thread in the forum" });
  assert.equal(await thread.getAttribute("href"), "https://forum.example/t/mentoring-in-research/42");
  assert.equal(await thread.getAttribute("rel"), "noopener noreferrer nofollow");
  await checkPage(mod, "moderator-ended");
  // A moderator page opened after the end missed its event: it still lists
  // what went to the forum.
  const late = await openPage(browser, `${base}/p/${panel}/moderate?token=${token("moderator", "Mo", panel)}`);
  await until(async () => (await late.getByTestId("leftovers").count()) === 1);
  assert.match(
    await late.getByTestId("leftovers").textContent(),
    /Sent to the forum \(1\).*How do we keep mentoring going/,
  );
  await late.close();
  await checkPage(ann, "attendee-ended");
  // The forum importer posts the leftover (to a stand-in for Discourse's
  // POST /posts.json) and reports back to the relay: the ended panel's
  // pages link the question to its post.
  const { url: forumUrl, posts, close: closeForum } = await forumStandIn();
  const hookSecret = "pages-webhook-secret";
  const importer = await startImporter(forumUrl, hookSecret);
  await importer.waitFor(/event=relay_updated/);
  assert.equal(posts.length, 1, "the one leftover posted");
  assert.equal(posts[0].topic_id, 42, "in the topic the thread's address names");
  assert.match(posts[0].raw, /How do we keep mentoring going/);
  assert.match(posts[0].raw, /posed by an attendee/, "Ann chose not to be named in the forum");
  assert.doesNotMatch(posts[0].raw, /Ann/);
  const link = ann.getByTestId("questions").getByRole("link", { name: "Continued in the forum" });
  await until(async () => (await link.count()) === 1);
  assert.equal(await link.getAttribute("href"), `${forumUrl}/p/${posts[0].id}`);
  assert.equal(await link.getAttribute("rel"), "noopener noreferrer nofollow");
  await until(async () => (await mod.getByRole("link", { name: "Continued in the forum" }).count()) >= 1);

  // The panelist answers in the forum: the question says so, with who
  // answered and a link to the answer.
  const reply = {
    id: 3000,
    name: "Bruce Alberts",
    username: "balberts",
    topic_id: posts[0].topic_id,
    post_number: posts[0].post_number + 1,
    reply_to_post_number: posts[0].post_number,
    raw: "Keep a small fund aside.",
  };
  assert.equal(await deliverReply(importer, "not the secret", reply), 401, "an unsigned reply is refused");
  assert.equal(await deliverReply(importer, hookSecret, reply), 200);
  const answered = ann.getByRole("link", { name: "Answered in the forum by Bruce Alberts" });
  await until(async () => (await answered.count()) === 1);
  assert.equal(await answered.getAttribute("href"), `${forumUrl}/t/${posts[0].topic_id}/${reply.post_number}`);
  await until(async () => (await ann.getByTestId("ended").getByRole("link").count()) === 2);
  await checkPage(ann, "attendee-continued-in-forum");
  importer.stop();
  closeForum();

  // The record: the transcript downloads with every message once and the
  // question as it ended; the moderation log lists who did what, in order.
  const [download] = await Promise.all([
    mod.waitForEvent("download"),
    mod.getByRole("button", { name: "Transcript (Markdown)" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `${panel}-transcript.md`);
  const transcript = readFileSync(await download.path(), "utf8");
  for (const text of ["Hello from Ann", "Hi Ann, Bob here", "Glad to be here", "After the restart"])
    assert.equal(transcript.split(text).length - 1, 1, `"${text}" once in the transcript`);
  assert.match(transcript, /How do we keep mentoring going after the grant ends\?/);
  assert.match(transcript, /- Asked by Ann, for Dr\\\. Alberts\n- answering, 1 vote\n/);
  assert.match(transcript, /## Continued in the forum/);
  await mod.getByRole("button", { name: "Show the moderation log" }).click();
  const log = mod.getByTestId("moderation-log").locator("li");
  await until(async () => (await log.count()) === 3);
  const lines = await log.allTextContents();
  assert.match(lines[0], /Mo \(moderator\) approved question #\d+$/);
  assert.match(lines[1], /Mo \(moderator\) highlighted question #\d+$/);
  assert.match(lines[2], /Mo \(moderator\) ended the panel$/);
  const logged = await log.evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
  assert.ok(logged[0] < logged[1] && logged[1] < logged[2], `in the panel's order: ${logged}`);
  await checkPage(mod, "moderator-record");
});

// A guest cannot pass for the panel's hosts: the page asks for another name.
test("a guest who takes a reserved name is asked for another", async () => {
  const guest = await openPage(browser, `${relay.base}/p/browser-panel?name=${encodeURIComponent("Dr. A1berts")}`);
  const refused = guest.getByTestId("name-refused");
  await until(async () => (await refused.count()) === 1);
  assert.match(await refused.textContent(), /The name "Dr\. A1berts" is reserved/);
  await checkPage(guest, "name-refused");
  await guest.getByRole("textbox", { name: "Your name, as others will see it", exact: true }).fill("MODERATOR");
  await guest.getByRole("button", { name: "Join" }).click();
  await until(async () => /"MODERATOR" is reserved/.test((await refused.textContent().catch(() => "")) ?? ""));
  await guest.getByRole("textbox", { name: "Your name, as others will see it", exact: true }).fill("Cleo\u202E");
  await guest.getByRole("button", { name: "Join" }).click();
  await connected(guest);
  assert.equal(await guest.evaluate(() => window.panelwire.state.you.displayName), "Cleo");
});

// The moderator switches the panel's rules from the keyboard; the attendees'
// pages follow at once, and a page opened later shows them from its Welcome.
test("a moderator switches the panel's rules and the attendee pages follow", async () => {
  const base = relay.base;
  const panel = "rules-panel";
  const gwen = await openPage(browser, `${base}/p/${panel}?name=Gwen`, PHONE);
  const tom = await openPage(browser, `${base}/p/${panel}?token=${token("attendee", "Tom", panel)}`);
  const modUrl = `${base}/p/${panel}/moderate?token=${token("moderator", "Mo", panel)}`;
  const mod = await openPage(browser, modUrl);
  for (const p of [gwen, tom, mod]) await connected(p);
  // Gwen's phone: the questions are one tab, the chat the other.
  await gwen.getByRole("tab", { name: /^Q&A/ }).click();

  // The controls show the rules in force; nothing limits the attendees yet.
  const rules = mod.getByRole("group", { name: "Panel rules" });
  const premod = rules.getByRole("checkbox", { name: "Hold new questions for approval" });
  const guests = rules.getByRole("checkbox", { name: "Guests may ask questions" });
  const slow = rules.getByRole("combobox", { name: "Chat slow mode" });
  assert.equal(await premod.isChecked(), false);
  assert.equal(await guests.isChecked(), true);
  assert.equal(await slow.inputValue(), "0");
  assert.equal(await gwen.getByTestId("rules-notice").isHidden(), true);
  const ask = (p) => p.getByRole("button", { name: "Ask", exact: true });
  assert.equal(await ask(gwen).isDisabled(), false);

  // Guest questions off, with the space bar.
  await guests.focus();
  await mod.keyboard.press("Space");
  await until(
    async () =>
      (await gwen.getByTestId("rules-notice").textContent()) ===
      "Questions from guests are turned off: you can still chat and vote.",
  );
  await until(() => ask(gwen).isDisabled());
  assert.match(await gwen.getByTestId("ask-blocked").textContent(), /turned off questions from guests/);
  assert.equal(
    await gwen.getByRole("form", { name: "Ask a question" }).getAttribute("aria-describedby"),
    "ask-blocked",
  );
  assert.equal(await ask(tom).isDisabled(), false, "an attendee with a token still asks");
  await until(
    async () => (await tom.getByTestId("rules-notice").textContent()) === "Questions from guests are turned off.",
  );
  await until(
    async () =>
      (await mod.getByTestId("rules-status").textContent()) ===
      "Rules now: Pre-moderation off, guest questions off, slow mode off.",
  );
  assert.equal(await guests.isChecked(), false);

  // Slow mode, chosen from the keyboard: Gwen's second message is refused
  // with the time to wait.
  await slow.focus();
  await slow.selectOption("30000");
  await gwen.getByRole("tab", { name: "Chat" }).click();
  await until(async () =>
    /Slow mode is on: you can send one chat message every 30 seconds\./.test(
      await gwen.getByTestId("rules-notice").textContent(),
    ),
  );
  await gwen.getByRole("textbox", { name: "Message", exact: true }).fill("One thought");
  await gwen.getByRole("button", { name: "Send" }).click();
  await until(async () => (await chatTexts(gwen)).includes("One thought"));
  await gwen.getByRole("textbox", { name: "Message", exact: true }).fill("And another, too soon");
  await gwen.getByRole("button", { name: "Send" }).click();
  const refusal = gwen.getByRole("form", { name: "Send a chat message" }).getByRole("alert");
  // In words, with the time left counting down for the eye; what a screen
  // reader is told stays as it was said (an alert changed each second would
  // be read each second).
  const spoken = () =>
    refusal.evaluate((el) =>
      [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE || n.getAttribute("aria-hidden") !== "true")
        .map((n) => n.textContent)
        .join(""),
    );
  await until(async () =>
    /^Slow mode is on: wait a little before your next message\. You can send again in \d+ s\.$/.test(await spoken()),
  );
  const said = await spoken();
  const countdown = refusal.getByTestId("countdown");
  const first = await countdown.textContent();
  assert.match(first, /^ You can send again in \d+ s\.$/);
  await until(async () => (await countdown.textContent()) !== first);
  assert.equal(await spoken(), said, "the alert's words do not tick");
  await checkPage(gwen, "attendee-phone-slow-mode");

  // A moderator page opened now shows the rules from its Welcome.
  const mod2 = await openPage(browser, modUrl);
  const rules2 = mod2.getByRole("group", { name: "Panel rules" });
  await until(async () => (await rules2.getByRole("combobox", { name: "Chat slow mode" }).inputValue()) === "30000");
  assert.equal(await rules2.getByRole("checkbox", { name: "Guests may ask questions" }).isChecked(), false);

  await gwen.getByRole("tab", { name: /^Q&A/ }).click();
  for (const [name, p] of [
    ["moderator-rules", mod],
    ["attendee-guest-rules", gwen],
    ["attendee-token-rules", tom],
  ])
    await checkPage(p, name);

  // Back on: the guest may ask again and the notice is gone.
  await premod.check();
  await guests.check();
  await slow.selectOption("0");
  await until(async () => (await ask(gwen).isDisabled()) === false);
  await until(() => gwen.getByTestId("rules-notice").isHidden());
  await until(
    async () =>
      (await mod2.getByTestId("rules-status").textContent()) ===
      "Rules now: Pre-moderation on, guest questions on, slow mode off.",
  );
});
