// Drives the alerts page in headless Chromium for AlertsPageBrowserTest.
// usage: node page-test.js BASE_URL TOKEN SCREENSHOT_DIR LIVE_ALERT_ID HISTORY_COUNT
// Prints READY once the history is on screen (the JUnit side then publishes LIVE_ALERT_ID), then one
// RESULT {...} line. Exits 1 on any failed step or a serious/critical axe-core violation.
"use strict";
const path = require("path");
const fs = require("fs");
const { chromium } = require("playwright-core");
const axe = require("axe-core");

const [base, token, outDir, liveId, historyCount] = process.argv.slice(2);
const STEP_MS = 30000;
const result = { steps: [], axe: {}, screenshots: [], pageErrors: [] };

function step(name, detail) {
  result.steps.push(detail === undefined ? name : name + ": " + detail);
}

async function scan(page, name) {
  await page.evaluate(axe.source);
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const counts = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  const rules = [];
  for (const v of r.violations) {
    counts[v.impact] = (counts[v.impact] || 0) + v.nodes.length;
    rules.push(v.id + " (" + v.impact + ", " + v.nodes.length + "): " + v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; "));
  }
  result.axe[name] = { counts, rules };
}

async function shot(page, name, fullPage) {
  const file = path.join(outDir, name + ".png");
  await page.screenshot({ path: file, fullPage: fullPage !== false });
  result.screenshots.push(file);
}

function card(page, id) {
  return page.locator('#list article[data-alert-id="' + id + '"]');
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.TRIAGE_CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    page.on("pageerror", (e) => result.pageErrors.push(String(e)));

    // Log in with the token in the fragment: the page moves it to sessionStorage and clears the address bar.
    await page.goto(base + "/#token=" + encodeURIComponent(token));
    await page.waitForSelector("#conn.live");
    if (page.url().includes("token")) throw new Error("the token stayed in the address bar: " + page.url());
    result.identity = (await page.textContent("#who")).trim();
    step("logged in", result.identity);
    await page.waitForFunction((n) => document.querySelectorAll("#list article").length >= n, Number(historyCount));
    step("history listed", await page.locator("#list article").count());

    result.legendBefore = await page.textContent("#legend");
    console.log("READY");
    await card(page, liveId).waitFor();
    result.liveSeenFlashing = await card(page, liveId).evaluate((e) => e.classList.contains("flash"));
    await page.waitForFunction((id) => {
      const a = Array.from(document.querySelectorAll("#list article")).find((x) => x.dataset.alertId === id);
      const img = a && a.querySelector("img.thumb");
      return img && img.complete && img.naturalWidth > 0;
    }, liveId);
    result.thumbnails = await page.locator("#list img.thumb").count();
    result.badges = {
      unseen: await page.locator("#list .b-unseen").count(),
      retrospective: await page.locator("#list .b-retro").count(),
      cluster: await page.locator("#list .b-cluster").count()
    };
    result.legendAfter = await page.textContent("#legend");
    result.chartLabels = await page.evaluate(() => new Set(Array.from(document.querySelectorAll("#chartBox svg rect")).map((r) => r.dataset.label)).size);
    result.studies = await page.locator("#list section.study").count();
    await page.waitForSelector('#list section.study .study-result[data-study-result="v2"]');
    result.studyResult = (await page.locator("#list section.study .study-result").first().textContent()).trim();
    result.strength = (await card(page, liveId).locator(".strength").textContent()).trim();
    result.pseudonym = await card(page, liveId).locator(".meta .mono").first().evaluate((e) => ({ shown: e.textContent, title: e.title }));
    step("live alert arrived with its thumbnail");
    await shot(page, "overview");

    // Filter: the page asks the API with the same parameters and shows what it answers.
    await page.selectOption("#f-type", "RETROSPECTIVE_MATCH");
    await page.waitForFunction(() => {
      const cards = document.querySelectorAll("#list article");
      return cards.length > 0 && Array.from(cards).every((c) => c.querySelector(".b-retro"));
    });
    result.filtered = await page.locator("#list article").count();
    result.filteredApiTotal = await page.evaluate(async (t) => {
      const r = await fetch("/api/alerts?state=OPEN,ACKNOWLEDGED&type=RETROSPECTIVE_MATCH", { headers: { Authorization: "Bearer " + t } });
      return (await r.json()).total;
    }, token);
    step("filtered to retrospective matches", result.filtered + " shown, API total " + result.filteredApiTotal);
    await shot(page, "filtered");
    await page.selectOption("#f-type", "");
    await card(page, liveId).waitFor();

    // Acknowledge from the keyboard: focus the real <button> and press Enter.
    await card(page, liveId).getByRole("button", { name: "Acknowledge" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction((id) => {
      const a = Array.from(document.querySelectorAll("#list article")).find((x) => x.dataset.alertId === id);
      return a && a.querySelector(".b-state").textContent === "acknowledged" && /Acknowledged by /.test(a.querySelector(".last").textContent);
    }, liveId);
    result.afterAck = (await card(page, liveId).locator(".last").textContent()).trim();
    result.focusKept = await page.evaluate(() => document.activeElement && document.activeElement.tagName === "BUTTON");
    step("acknowledged", result.afterAck);

    await card(page, liveId).getByRole("button", { name: "Confirm label" }).click();
    await page.waitForFunction((id) => {
      const a = Array.from(document.querySelectorAll("#list article")).find((x) => x.dataset.alertId === id);
      return a && /confirmed: /.test(a.querySelector(".last").textContent);
    }, liveId);
    result.afterConfirm = (await card(page, liveId).locator(".last").textContent()).trim();
    step("label confirmed", result.afterConfirm);

    // A comment, typed and sent from the keyboard; the form opens with the focus in its field.
    await card(page, liveId).getByRole("button", { name: "Comment" }).click();
    await page.keyboard.type("consolidation right lower lobe");
    await page.keyboard.press("Enter");
    await page.waitForFunction((id) => {
      const a = Array.from(document.querySelectorAll("#list article")).find((x) => x.dataset.alertId === id);
      return a && /Comment by .*: consolidation right lower lobe/.test(a.querySelector(".last").textContent) && !a.querySelector(".comment-form");
    }, liveId);
    step("commented", (await card(page, liveId).locator(".last").textContent()).trim());
    await scan(page, "main");

    await card(page, liveId).getByRole("button", { name: "Details" }).click();
    await page.waitForSelector("#detail[open] #detailBody table tbody tr");
    await page.waitForSelector("#detail[open] img.thumb");
    result.detailScores = await page.locator("#detail tbody tr").count();
    result.detailHistory = await page.locator("#detail ol li").count();
    step("detail view", result.detailScores + " label scores, " + result.detailHistory + " actions");
    await shot(page, "detail", false);
    await scan(page, "detail");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !document.getElementById("detail").open);
  } finally {
    await browser.close();
  }
}

main().then(() => {
  console.log("RESULT " + JSON.stringify(result));
  const bad = Object.entries(result.axe).filter(([, v]) => v.counts.critical + v.counts.serious > 0);
  if (bad.length || result.pageErrors.length) {
    console.error("serious/critical accessibility violations or page errors: " + JSON.stringify({ bad, pageErrors: result.pageErrors }));
    process.exit(1);
  }
}, (e) => {
  console.log("RESULT " + JSON.stringify(result));
  console.error("FAILED after [" + result.steps.join(" | ") + "]: " + (e && e.stack || e));
  process.exit(1);
});
