// Browser test of the figures pages on a 360 px phone with JavaScript off, in Debian's
// Chromium: the public /stats, and the staff map and the staff trends signed in as an auditor.
// Each page loads, fits the screen's width (no horizontal scrolling of the page: wide tables
// scroll inside their own box), draws its SVG, and its filters work by a plain GET.
// Usage: node analytics.mjs BASE_URL SCREENSHOT_DIR
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { fits } from "./fits.mjs";

const base = process.argv[2];
const shots = process.argv[3] || "/tmp";
const PW = "Falaise rouge sur le fleuve";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});

async function loads(page, path, what) {
  const res = await page.goto(base + path);
  assert.equal(res.status(), 200, `${what}: ${path}`);
  await fits(page, what);
  assert.ok((await page.locator("svg").count()) > 0, `${what}: an SVG is drawn`);
}

try {
  const ctx = await browser.newContext({
    locale: "fr-FR", javaScriptEnabled: false, viewport: { width: 360, height: 780 },
  });
  const page = await ctx.newPage();

  // The public figures: the latest closed quarter, then another period by its link.
  await loads(page, "/stats", "/stats");
  assert.ok(await page.locator(".stats-map svg").isVisible(), "the regions' map");
  const other = page.locator("nav.periods a").first();
  const label = (await other.textContent()).trim();
  await other.click();
  await page.waitForURL(new RegExp(`/stats\\?period=${label}$`));
  assert.equal((await page.textContent("h1 .period")).trim(), label);
  await fits(page, "/stats?period=" + label);
  await page.screenshot({ path: shots + "/stats-360-nojs.png", fullPage: false });

  // Signing in works without a script.
  await page.goto(base + "/staff");
  await page.fill("#email", "auditor@cndh.ml");
  await page.fill("#password", PW);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(base + "/staff");

  // The staff map, then its filter form by GET.
  await loads(page, "/staff/map", "/staff/map");
  assert.ok(await page.locator("#staff-map svg").isVisible());
  await page.fill("#from", "2025-01-01");
  await page.fill("#to", "2026-06-30");
  await page.getByRole("button", { name: "Afficher" }).click();
  await page.waitForURL(/\/staff\/map\?from=2025-01-01&to=2026-06-30/);
  assert.match(await page.textContent("#map-summary"), /du 2025-01-01 au 2026-06-30/);
  await fits(page, "/staff/map filtered");

  // The trends, from the staff menu, then their filter form by GET.
  await page.getByRole("link", { name: "Tendances" }).first().click();
  await page.waitForURL(base + "/staff/analytics");
  await fits(page, "/staff/analytics");
  assert.ok(await page.locator("#trend-chart svg").isVisible(), "the trend chart");
  assert.ok((await page.locator("#trend-chart svg rect.bar").count()) >= 8, "a bar per quarter");
  await page.fill("#from", "2025-01-01");
  await page.fill("#to", "2025-12-31");
  await page.selectOption("#group", "integrity");
  await page.getByRole("button", { name: "Afficher" }).click();
  await page.waitForURL(/\/staff\/analytics\?from=2025-01-01&to=2025-12-31&group=integrity/);
  assert.equal(await page.locator("#trend-chart svg rect.bar").count(), 4, "the four quarters of 2025");
  assert.equal(await page.inputValue("#group"), "integrity", "the filter is kept");
  assert.match(await page.textContent("#analytics-summary"), /du 2025-01-01 au 2025-12-31/);
  await fits(page, "/staff/analytics filtered");
  await page.screenshot({ path: shots + "/staff-analytics-360.png", fullPage: true });

  // The case list, narrowed as the map's areas link to it (an auditor reads every case): the
  // narrowing is said, and its table scrolls inside the page rather than widening it.
  const cases = await page.goto(base + "/staff/cases?scope=all&from=2000-01-01&to=2099-12-31");
  assert.equal(cases.status(), 200, "/staff/cases narrowed");
  assert.match(await page.textContent("#narrowed"), /2000-01-01 – 2099-12-31/);
  assert.ok((await page.locator("#cases tbody tr").count()) > 0, "cases listed");
  await fits(page, "/staff/cases narrowed");
  await ctx.close();
  console.log("browser analytics: ok");
} finally {
  await browser.close();
}
