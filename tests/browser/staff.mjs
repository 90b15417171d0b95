// Browser test of the staff side in Debian's Chromium: an intake officer triages a report into
// an event with two allegations routed to two institutions; an investigator opens the CNDH
// case, assigns it and moves it on. Usage: node staff.mjs BASE_URL SCREENSHOT_DIR
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const base = process.argv[2];
const shots = process.argv[3] || "/tmp";
const PW = "Falaise rouge sur le fleuve";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});

async function signIn(email) {
  const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 1100, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(base + "/staff");
  assert.match(page.url(), /\/staff\/sign-in/);
  await page.fill("#email", email);
  await page.fill("#password", PW);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(base + "/staff");
  return { ctx, page };
}

try {
  // A witness's report, through the API.
  const res = await fetch(base + "/api/v1/reports", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      narrative: "Des gendarmes ont frappé mon frère au poste de Sévaré et gardé sa carte d'identité.",
      occurred_on: "2026-10-20", violations: ["integrity.beating", "maladministration.confiscated_documents"],
      force: "gendarmerie", location: { lat: 14.54, lon: -4.09 },
    }),
  });
  assert.equal(res.status, 201);

  const intake = await signIn("intake@cndh.ml");
  await intake.page.getByRole("link", { name: "Tri des signalements" }).first().click();
  await intake.page.waitForSelector("#queue");
  await intake.page.screenshot({ path: shots + "/triage-queue.png", fullPage: true });
  await intake.page.locator("#queue a").first().click();
  await intake.page.waitForSelector("#narrative");
  assert.match(await intake.page.textContent("#narrative"), /Sévaré/);
  await intake.page.fill("#title", "Poste de Sévaré");
  await intake.page.check("input[name=prior_approach]");
  await intake.page.getByRole("button", { name: "Ouvrir un nouvel événement" }).click();
  await intake.page.waitForSelector("#add-allegation");
  for (const code of ["integrity.beating", "maladministration.confiscated_documents"]) {
    await intake.page.selectOption("#violation_type", code);
    await intake.page.selectOption("#aforce", "gendarmerie");
    await intake.page.getByRole("button", { name: "Ajouter une allégation" }).click();
    await intake.page.waitForSelector("#add-allegation");
  }
  await intake.page.getByRole("button", { name: "Orienter les allégations selon les règles" }).click();
  await intake.page.waitForSelector("#allegations");
  const table = await intake.page.textContent("#allegations");
  assert.match(table, /Commission nationale/);
  assert.match(table, /Médiateur/);
  await intake.page.screenshot({ path: shots + "/triage-event.png", fullPage: true });
  const eventUrl = intake.page.url();
  await intake.ctx.close();

  // A force or type recorded wrong is corrected on a phone, without JavaScript: the form starts
  // on what is recorded, needs a reason, and the event page then says where the rules would
  // now send the allegation (it stays where it is until the officer moves it).
  {
    const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(base + "/staff/sign-in");
    await page.fill("#email", "intake@cndh.ml");
    await page.fill("#password", PW);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL(base + "/staff");
    await page.goto(eventUrl);
    const links = page.locator("#allegations a", { hasText: "Corriger" });
    assert.equal(await links.count(), 2, "each allegation without a finding can be corrected");
    await links.nth(1).click();
    await page.waitForSelector("#correct");
    assert.equal(await page.inputValue("#violation_type"), "maladministration.confiscated_documents");
    assert.equal(await page.inputValue("#aforce"), "gendarmerie");
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), "no sideways scroll at 360 px");
    await page.selectOption("#violation_type", "property.confiscation");
    await page.fill("#reason", "Le témoin parle de sa moto saisie, pas de papiers.");
    await page.screenshot({ path: shots + "/triage-correct.png", fullPage: true });
    await page.getByRole("button", { name: "Enregistrer la correction" }).click();
    await page.waitForSelector("#notice");
    assert.match(await page.textContent("#notice"), /corrigée/);
    const rulesNow = page.locator("[id^=rules-now-]");
    assert.equal(await rulesNow.count(), 1);
    assert.match(await rulesNow.textContent(), /orienteraient aujourd'hui vers : Commission nationale/);
    await ctx.close();
  }

  const inv = await signIn("inv@cndh.ml");
  await inv.page.goto(base + "/staff/cases?scope=institution");
  await inv.page.locator("#cases a").first().click();
  await inv.page.waitForSelector("#case-status");
  assert.equal((await inv.page.textContent("#case-status")).trim(), "Reçu");
  // Issue 10, item 12: deadlines from day one; the assignee list starts on "me"; assigning
  // confirms and enters the history.
  assert.match(await inv.page.textContent("#deadlines"), /accusé de réception/);
  assert.match(await inv.page.locator("#user_id option:checked").textContent(), /moi/);
  await inv.page.getByRole("button", { name: "Attribuer" }).click();
  await inv.page.waitForSelector("#notice");
  assert.match(await inv.page.textContent("#notice"), /Dossier attribué à/);
  assert.match(await inv.page.textContent("#history"), /Attribué à/);
  // The label says which steps need a reason; a refused step comes back on the case page.
  assert.match(await inv.page.textContent("label[for=treason]"), /requis pour/);
  await inv.page.selectOption("#to", "inadmissible");
  await inv.page.getByRole("button", { name: "Passer à cette étape" }).click();
  await inv.page.waitForSelector("#treason-error");
  assert.equal(await inv.page.inputValue("#to"), "inadmissible", "the step chosen is kept");
  assert.ok(await inv.page.isVisible(".staffnav"), "with the staff menu");
  for (const to of ["acknowledged", "triage", "assigned", "investigation", "findings"]) {
    await inv.page.selectOption("#to", to);
    await inv.page.getByRole("button", { name: "Passer à cette étape" }).click();
    await inv.page.waitForSelector("#notice");
  }
  assert.equal((await inv.page.textContent("#case-status")).trim(), "Conclusions");
  // The findings' reasoning is a real text area; the recommendation moves the case on.
  assert.equal(await inv.page.locator("#findings textarea[name=reasoning]").first().evaluate((e) => e.tagName), "TEXTAREA");
  await inv.page.fill("#addressee", "Direction de la Gendarmerie");
  await inv.page.fill("#content", "Restituer la carte d'identité et sanctionner les auteurs.");
  await inv.page.getByRole("button", { name: "Envoyer la recommandation" }).click();
  await inv.page.waitForSelector("#notice");
  assert.equal((await inv.page.textContent("#case-status")).trim(), "En attente de réponse");
  await inv.page.fill("#recommendations textarea[name=response]", "Carte restituée, enquête interne ouverte.");
  await inv.page.getByRole("button", { name: "Enregistrer la réponse" }).click();
  await inv.page.waitForSelector("#notice");
  assert.equal((await inv.page.textContent("#case-status")).trim(), "Réponse reçue");
  assert.match(await inv.page.textContent("#history"), /Accusé de réception/);
  await inv.page.screenshot({ path: shots + "/case.png" });
  await inv.ctx.close();
  console.log("browser staff: ok");
} finally {
  await browser.close();
}
