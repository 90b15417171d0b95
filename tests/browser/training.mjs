// Browser test of the trainers' pages on a 360 px phone with JavaScript off, in Debian's
// Chromium: every page fits the screen's width, and a remediation action is opened, refused a
// step it lacks the module for (the message beside the field), given its module and a delivered
// session (a ticked box), and moved. Usage: node training.mjs BASE_URL SCREENSHOT_DIR SESSION UNIT
// MODULE (a delivered session of the trainer's partner, one of its units and one of its modules)
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { fits } from "./fits.mjs";

const base = process.argv[2];
const shots = process.argv[3] || "/tmp";
const [session, unit, module] = process.argv.slice(4, 7);
assert.ok(session && unit && module, "usage: node training.mjs BASE_URL SCREENSHOT_DIR SESSION UNIT MODULE");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});

try {
  const ctx = await browser.newContext({
    locale: "fr-FR", javaScriptEnabled: false, viewport: { width: 360, height: 780 },
  });
  const page = await ctx.newPage();
  await page.goto(base + "/staff");
  await page.fill("#email", "trainer@ecole.ml");
  await page.fill("#password", "Falaise rouge sur le fleuve");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(base + "/staff");

  for (const path of ["/staff/training", "/staff/training?by=force&evidence=credible", "/staff/training/flags",
                      "/staff/training/sessions", "/staff/training/remediation", "/staff/training/units"]) {
    const res = await page.goto(base + path);
    assert.equal(res.status(), 200, path);
    await fits(page, path);
  }

  // A remediation action for the unit the session was delivered to.
  await page.goto(base + "/staff/training/remediation");
  // With an address pasted whole: a long word wraps rather than widen the page.
  await page.fill("#issue", "Arrestations sans registre, voir https://exemple.invalid/" + "rapport".repeat(40));
  await page.selectOption("#unit", unit);
  await page.locator("#remediation-form button[type=submit]").click();
  await page.waitForURL(/\/staff\/training\/remediation\/\d+$/);
  await fits(page, "the new action");
  assert.match(await page.textContent("#step"), /Lacune constatée/);

  // "Module assigned" without a module: refused, the message beside the step's field.
  await page.selectOption("#to", "module_assigned");
  await page.locator("#move-form button").click();
  await page.waitForLoadState();
  assert.match(await page.textContent("#move-form .error"), /Choisissez d'abord le module/);
  assert.match(await page.textContent("#step"), /Lacune constatée/, "nothing moved");
  await fits(page, "the refused move");

  // A module, the session delivered (a box ticked, no script) and a review date, then the move.
  await page.selectOption("#lmodule", module);
  await page.check(`#sessions input[type=checkbox][value="${session}"]`);
  await page.fill("#lreview", "2027-03-01");
  await page.fill("#lessons_unit", "Tenir le registre de garde à vue");
  await page.locator("#lessons-form button").click();
  await page.waitForURL(/\/staff\/training\/remediation\/\d+$/);
  assert.equal(await page.inputValue("#lessons_unit"), "Tenir le registre de garde à vue");
  assert.ok(await page.isChecked(`#sessions input[type=checkbox][value="${session}"]`), "the session stays ticked");
  assert.equal(await page.locator("#effect h3").count(), 1, "one effect, for the one session named");
  await fits(page, "the action with its session");
  await page.selectOption("#to", "module_assigned");
  await page.locator("#move-form button").click();
  await page.waitForURL(/\/staff\/training\/remediation\/\d+$/);
  assert.match(await page.textContent("#step"), /Module choisi · Revue le 2027-03-01/);
  await fits(page, "the action moved");
  await page.screenshot({ path: shots + "/training-remediation-360.png", fullPage: true });
  await ctx.close();
  console.log("browser training: ok");
} finally {
  await browser.close();
}
