// Browser test of the citizen intake, in Debian's Chromium driven by playwright-core:
// a report filed with JavaScript on, one with JavaScript off, then the follow-up with the
// receipt. Usage: node intake.mjs BASE_URL SCREENSHOT_DIR
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const base = process.argv[2];
const shots = process.argv[3] || "/tmp";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});

// Any request to another host fails the test: the page must load nothing from elsewhere.
function guard(page) {
  page.on("request", (req) => {
    const u = new URL(req.url());
    if (u.protocol.startsWith("http") && u.origin !== new URL(base).origin) {
      throw new Error("request to another host: " + req.url());
    }
  });
}

async function fillCommon(page) {
  await page.locator("summary", { hasText: "Arrestations" }).click();
  await page.check('input[value="liberty.arbitrary_arrest"]');
  await page.fill("#narrative", "Des hommes en uniforme ont emmené mon voisin dans un pick-up sans plaque.");
  await page.fill("#occurred_on", "2026-10-12");
  await page.selectOption("#force", "national_guard");
}

async function fileWithJs() {
  const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 360, height: 740 }, javaScriptEnabled: true });
  const page = await ctx.newPage();
  guard(page);
  await page.goto(base + "/reports/new");
  assert.equal(await page.getAttribute("html", "lang"), "fr");
  await fillCommon(page);
  // Place search as you type, then pick the first result. Privacy: what is typed goes in a
  // POST body, never in a URL (issue 9, item 18).
  const searches = [];
  page.on("request", (req) => {
    if (new URL(req.url()).pathname === "/api/v1/places") searches.push(req);
  });
  await page.fill("#place_query", "Segou");
  await page.waitForSelector("#place-results input[type=radio]");
  await page.locator("#place-results input[type=radio]").first().check();
  assert.match(await page.textContent("#location-text"), /Ségou/);
  assert.ok(searches.length > 0, "the search went to the server");
  for (const req of searches) {
    assert.equal(req.method(), "POST");
    assert.ok(!/segou/i.test(req.url()), "the typed place is not in the URL: " + req.url());
    assert.match(req.postData() || "", /Segou/);
  }
  // A click on the map replaces it with a point, without leaving the page.
  await page.locator("#map").click({ position: { x: 105, y: 240 } });
  assert.match(await page.textContent("#location-text"), /\(\d+\.\d+, -?\d+\.\d+\)/);
  assert.equal(page.url(), base + "/reports/new", "the map click stayed on the page");
  await page.screenshot({ path: shots + "/form-js.png", fullPage: true });
  await page.getByRole("button", { name: "Envoyer le signalement" }).last().click();
  await page.waitForSelector("#receipt");
  const receipt = (await page.textContent("#receipt")).trim();
  assert.match(receipt, /^\d{4} \d{4} \d{4} \d{4}$/);
  await page.screenshot({ path: shots + "/receipt.png", fullPage: true });
  // The receipt must be confirmed as written down before leaving.
  page.once("dialog", (d) => d.dismiss());
  await page.check("#kept");
  await page.getByRole("button", { name: "Continuer" }).click();
  await page.waitForURL(/\/receipt\?kept=true/);
  assert.ok(!page.url().includes(receipt.replace(/ /g, "")), "the receipt is not in the URL");
  await ctx.close();
  return receipt;
}

async function fileWithoutJs() {
  const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  guard(page);
  await page.goto(base + "/");
  assert.ok(await page.locator("#gps").isHidden(), "the GPS button needs JavaScript and stays hidden");
  await fillCommon(page);
  // Without JavaScript the map is an image button: the server turns the click into a point.
  await Promise.all([page.waitForNavigation(), page.locator("#map").click({ position: { x: 215, y: 120 } })]);
  const where = await page.textContent("#location-text");
  assert.match(where, /Point choisi/, where);
  // What was typed survived the round trip.
  assert.match(await page.inputValue("#narrative"), /pick-up sans plaque/);
  await page.screenshot({ path: shots + "/form-nojs-map.png", fullPage: true });
  await page.getByRole("button", { name: "Envoyer le signalement" }).last().click();
  await page.waitForSelector("#receipt");
  const receipt = (await page.textContent("#receipt")).trim();
  assert.match(receipt, /^\d{4} \d{4} \d{4} \d{4}$/);
  await ctx.close();
  return receipt;
}

async function followUp(receipt) {
  const ctx = await browser.newContext({ locale: "en-GB", viewport: { width: 360, height: 740 } });
  const page = await ctx.newPage();
  guard(page);
  await page.goto(base + "/receipt");
  await page.fill("#receipt", receipt.replace(/ /g, "-"));
  await page.getByRole("button", { name: "See my report" }).click();
  await page.waitForSelector("#status");
  assert.equal((await page.textContent("#status")).trim(), "Received");
  await page.fill("#body", "I can give the name of a second witness.");
  await page.getByRole("button", { name: "Send the message" }).click();
  await page.waitForSelector(".msgs li.reporter");
  assert.match(await page.textContent(".msgs"), /second witness/);
  await page.screenshot({ path: shots + "/status.png", fullPage: true });
  // A wrong receipt gets one neutral answer.
  await page.goto(base + "/receipt");
  await page.fill("#receipt", "0000 0000 0000 0001");
  await page.getByRole("button", { name: "See my report" }).click();
  assert.match(await page.textContent("main"), /No report matches this code/);
  await ctx.close();
}

try {
  const withJs = await fileWithJs();
  const withoutJs = await fileWithoutJs();
  assert.notEqual(withJs, withoutJs);
  await followUp(withJs);
  await followUp(withoutJs);
  console.log("browser intake: ok");
} finally {
  await browser.close();
}
