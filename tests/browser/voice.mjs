// Browser test of issue 17 in Debian's Chromium driven by playwright-core: a witness who does
// not read French chooses Bamanankan on the first screen and tells the report by voice, once
// recorded in the page from a fake microphone (JavaScript on), once as a file from the phone's
// recorder (JavaScript off); each receipt opens the follow-up; an intake officer plays the
// recording and saves a transcription and its French translation.
// Usage: node voice.mjs BASE_URL SCREENSHOT_DIR
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const base = process.argv[2];
const shots = process.argv[3] || "/tmp";
const PW = "Falaise rouge sur le fleuve";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         // A microphone that plays a beep, allowed without a prompt.
         "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"],
});

function guard(page) {
  page.on("request", (req) => {
    const u = new URL(req.url());
    if (u.protocol.startsWith("http") && u.origin !== new URL(base).origin) {
      throw new Error("request to another host: " + req.url());
    }
  });
}

// What happened, when, where and who, by the pictures and lists (no text typed).
async function fillByPictures(page) {
  await page.locator("summary.group").first().click();
  await page.locator("details[open] input[name=violations]").first().check();
  await page.locator("label.pic", { has: page.locator("input[value=today]") }).click();
  await page.selectOption("#admin", "ML-4|ML.SG.SG");
  await page.locator("label.pic", { has: page.locator('input[value="gendarmerie"]') }).click();
}

async function followUp(page, receipt) {
  await page.goto(base + "/receipt");
  assert.equal(await page.getAttribute("html", "lang"), "bm");
  await page.fill("#receipt", receipt);
  await page.locator("main button[type=submit]").first().click();
  await page.waitForSelector(".status");
  assert.equal(await page.getAttribute("html", "lang"), "bm");
}

async function recordWithJs() {
  const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 360, height: 740 } });
  await ctx.grantPermissions(["microphone"], { origin: base });
  const page = await ctx.newPage();
  guard(page);
  const scripts = [], logs = [];
  page.on("console", (m) => logs.push(m.text()));
  page.on("pageerror", (e) => logs.push(String(e)));
  page.on("request", (r) => { if (/recorder\.js/.test(r.url())) scripts.push(r.url()); });
  await page.goto(base + "/");
  // The visible language link on the first screen.
  await page.getByRole("button", { name: "Bamanankan" }).click();
  await page.waitForSelector('html[lang="bm"]');
  await fillByPictures(page);
  assert.equal(scripts.length, 0, "the recorder's script waits until the person chooses to record");
  await page.click("#recorder-open");
  await page.waitForSelector("#recorder-stop:visible");
  assert.equal(scripts.length, 1);
  await page.waitForTimeout(2500);
  await page.click("#recorder-stop");
  await page.waitForSelector("#recorder-audio:visible", { timeout: 5000 }).catch(async (e) => {
    throw new Error("no recording: " + (await page.textContent("#recorder-status")) + " / " + logs.join(" | "));
  });
  const files = await page.evaluate(() => document.getElementById("voice").files.length);
  assert.equal(files, 1, "the recording is the form's voice file");
  await page.screenshot({ path: shots + "/voice-bm-js.png", fullPage: true });
  await page.locator("button[name=action][value=submit]").click();
  await page.waitForSelector("#receipt");
  assert.equal(await page.getAttribute("html", "lang"), "bm");
  const receipt = (await page.textContent("#receipt")).trim();
  assert.match(receipt, /^\d{4} \d{4} \d{4} \d{4}$/);
  assert.ok(await page.locator("[data-say]").count() === 1, "the receipt can be read aloud");
  await page.screenshot({ path: shots + "/voice-bm-receipt.png", fullPage: true });
  page.on("dialog", (d) => d.accept());
  await followUp(page, receipt);
  await ctx.close();
}

async function fileWithoutJs() {
  const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  guard(page);
  await page.goto(base + "/reports/new?lang=bm");
  assert.equal(await page.getAttribute("html", "lang"), "bm");
  assert.ok(await page.locator("#recorder").isHidden(), "the in-page recorder needs JavaScript");
  assert.equal(await page.getAttribute("#voice", "accept"), "audio/*");
  assert.notEqual(await page.getAttribute("#voice", "capture"), null, "the phone's recorder opens");
  await fillByPictures(page);
  // What a phone's recorder gives: an Ogg Opus file.
  const ogg = Buffer.concat([Buffer.from("OggS"), Buffer.alloc(24), Buffer.from("OpusHead"), Buffer.alloc(64)]);
  await page.setInputFiles("#voice", { name: "kan.ogg", mimeType: "audio/ogg", buffer: ogg });
  await page.screenshot({ path: shots + "/voice-bm-nojs.png", fullPage: true });
  await page.locator("button[name=action][value=submit]").click();
  await page.waitForSelector("#receipt");
  const receipt = (await page.textContent("#receipt")).trim();
  await followUp(page, receipt);
  await ctx.close();
}

async function staffListens() {
  const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 1100, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(base + "/staff");
  await page.fill("#email", "intake@cndh.ml");
  await page.fill("#password", PW);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(base + "/staff");
  await page.goto(base + "/staff/reports/1");
  const audio = page.locator(".voice audio").first();
  await audio.waitFor();
  // The recording plays from Vigie itself.
  const played = await audio.evaluate((a) => new Promise((ok) => {
    a.addEventListener("playing", () => ok(true));
    a.addEventListener("error", () => ok(false));
    a.play().catch(() => ok(false));
    setTimeout(() => ok(false), 8000);
  }));
  assert.ok(played, "the staff page plays the recorded narrative");
  await page.fill("textarea[name=transcription]", "Zandaramuw ye n balima minɛ sugu la.");
  await page.fill("textarea[name=translation]", "Des gendarmes ont arrêté mon frère au marché.");
  await page.getByRole("button", { name: "Enregistrer la transcription" }).first().click();
  await page.waitForSelector("#notice");
  assert.match(await page.textContent("main"), /Des gendarmes ont arrêté mon frère au marché\./);
  await page.screenshot({ path: shots + "/voice-staff.png", fullPage: true });
  await ctx.close();
}

try {
  await recordWithJs();
  await fileWithoutJs();
  await staffListens();
  console.log("voice: Bambara form by voice with and without JavaScript, follow-up, staff transcription: ok");
} finally {
  await browser.close();
}
