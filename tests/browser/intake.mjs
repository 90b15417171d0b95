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
  await page.check('input[name=force][value="national_guard"]');
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
  // Issue 10, item 1 on a slow line: the answer to an older query arrives last and is dropped.
  await page.route("**/api/v1/places*", async (route) => {
    if (/"q":"Seg"/.test(route.request().postData() || "")) await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await page.fill("#place_query", "Seg");
  await page.waitForTimeout(400);
  await page.fill("#place_query", "Kayes");
  await page.waitForSelector("#place-results input[type=radio]");
  await page.waitForTimeout(1600);
  assert.ok(!/Ségou/.test(await page.textContent("#place-results")), "the late answer was dropped");
  // Two villages called Aghor in the cercle of Nara are told apart as you type (item 7).
  await page.fill("#place_query", "Aghor");
  await page.waitForFunction(() => /Aghor/.test(document.getElementById("place-results").textContent));
  const aghor = (await page.locator("#place-results li").allTextContents()).filter((t) => /Aghor — cercle de Nara/.test(t));
  assert.equal(aghor.length, 2, aghor.join(" | "));
  assert.notEqual(aghor[0], aghor[1]);
  assert.ok(aghor.every((t) => / km /.test(t)), aghor.join(" | "));
  // Enter ("Go") in the search box searches and sends nothing (item 2).
  await page.fill("#place_query", "Segou");
  await page.press("#place_query", "Enter");
  await page.waitForFunction(() => /Ségou/.test(document.getElementById("place-results").textContent));
  assert.equal(page.url(), base + "/reports/new", "Enter did not send the report");
  await page.locator("#place-results input[type=radio]").first().check();
  assert.match(await page.textContent("#location-text"), /Ségou/);
  // A newer result list replaces the old one and clears the place picked in it.
  await page.fill("#place_query", "Kidal");
  await page.waitForFunction(() => {
    const t = document.getElementById("place-results").textContent;
    return /Kidal/.test(t) && !/Ségou/.test(t);
  });
  assert.equal(await page.locator("#place-results input:checked").count(), 0, "nothing picked in the new list");
  assert.match(await page.textContent("#location-text"), /choisissez de nouveau/);
  assert.equal(await page.inputValue("#loc"), "");
  await page.locator("#place-results input[type=radio]").first().check();
  assert.match(await page.textContent("#location-text"), /Kidal/);
  assert.equal(await page.inputValue("#loc"), "place");
  assert.ok(searches.length > 0, "the search went to the server");
  for (const req of searches) {
    assert.equal(req.method(), "POST");
    assert.ok(!/seg|kayes|kidal/i.test(req.url()), "the typed place is not in the URL: " + req.url());
    assert.match(req.postData() || "", /"q":"(Seg|Segou|Kayes|Aghor|Kidal)"/);
  }
  // A click on the map replaces it with a point, without leaving the page, said in words.
  await page.locator("#map").click({ position: { x: 105, y: 240 } });
  await page.waitForFunction(() => /cercle de/.test(document.getElementById("location-text").textContent));
  const said = await page.textContent("#location-text");
  assert.ok(!/\d/.test(said), "no bare coordinates: " + said);
  assert.equal(await page.locator("#place-results input:checked").count(), 0);
  assert.equal(await page.inputValue("#loc"), "point");
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
  // Without JavaScript the map is an image button: the server turns the click into a point,
  // comes back to the place section with a marker where the tap landed (item 3).
  await Promise.all([page.waitForNavigation(), page.locator("#map").click({ position: { x: 215, y: 120 } })]);
  assert.ok(page.url().endsWith("/reports#where"), page.url());
  let where = await page.textContent("#location-text");
  assert.match(where, /un point (sur la carte|près de [^,]+), cercle de/, where);
  assert.notEqual(await page.getAttribute("#marker", "cx"), "-20");
  // Enter in the place search searches (item 2): the point stays chosen until a place is picked.
  await page.fill("#place_query", "Sevare");
  await Promise.all([page.waitForNavigation(), page.press("#place_query", "Enter")]);
  assert.ok(page.url().endsWith("/reports#where"), page.url());
  assert.match(await page.textContent("#place-results"), /Sévaré — cercle de Mopti/);
  assert.match(await page.textContent("#location-text"), /un point/);
  await page.screenshot({ path: shots + "/form-nojs-search.png", fullPage: true });
  // The newest choice wins (item 1): the place picked after the tap is the one sent.
  await page.check('#place-results input[value="2451285"]');
  // What was typed survived the round trip.
  assert.match(await page.inputValue("#narrative"), /pick-up sans plaque/);
  await page.getByRole("button", { name: "Envoyer le signalement" }).last().click();
  await page.waitForSelector("#receipt");
  const receipt = (await page.textContent("#receipt")).trim();
  assert.match(receipt, /^\d{4} \d{4} \d{4} \d{4}$/);
  // Reloading the receipt page sends the same form again: it is not filed twice (item 4).
  await page.reload();
  await page.waitForSelector("#already-sent");
  assert.match(await page.textContent("h1"), /déjà envoyé/);
  await ctx.close();
  return receipt;
}

// Issue 10, item 6: the browser refuses a future date before uploading anything; a form that
// comes back lists its errors with links and puts the focus on the first one.
async function errorsAndFocus() {
  const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 360, height: 740 }, javaScriptEnabled: true });
  const page = await ctx.newPage();
  guard(page);
  await page.goto(base + "/reports/new");
  await fillCommon(page);
  // Item 7: a search that finds nothing says so.
  await page.fill("#place_query", "Qqqxxzz");
  await page.waitForSelector("#no-place");
  assert.match(await page.textContent("#no-place"), /Aucun lieu trouvé/);
  await page.fill("#occurred_on", "2999-01-01");
  let posted = false;
  page.on("request", (r) => { if (r.method() === "POST" && new URL(r.url()).pathname === "/reports") posted = true; });
  await page.getByRole("button", { name: "Envoyer le signalement" }).last().click();
  await page.waitForTimeout(300);
  assert.ok(!posted, "a future date is refused before anything is sent");
  assert.ok(await page.$eval("#occurred_on", (e) => e.validity.rangeOverflow));
  await page.fill("#occurred_on", "2026-10-12");
  await page.fill("#narrative", "court");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Envoyer le signalement" }).last().click()]);
  await page.waitForSelector("#errors a[href='#narrative']");
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), "narrative");
  await page.screenshot({ path: shots + "/form-errors.png" });
  await ctx.close();
}

// Issue 10, item 5: switching language mid-form keeps what was typed (a POST of the form).
async function switchLanguage() {
  const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  guard(page);
  await page.goto(base + "/reports/new");
  await fillCommon(page);
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "English" }).click()]);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.match(await page.inputValue("#narrative"), /pick-up sans plaque/);
  assert.equal(await page.inputValue("#occurred_on"), "2026-10-12");
  assert.ok(await page.isChecked('input[name=force][value="national_guard"]'));
  assert.ok(await page.isChecked('input[value="liberty.arbitrary_arrest"]'));
  await ctx.close();
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
  // Item 8: the day in words, in English here, never ISO.
  assert.match(await page.textContent("p.meta"), /\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}/);
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
  await switchLanguage();
  await errorsAndFocus();
  await followUp(withJs);
  await followUp(withoutJs);
  console.log("browser intake: ok");
} finally {
  await browser.close();
}
