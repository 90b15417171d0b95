// Screenshots of the report form's place section without JavaScript, on a 360 px phone: after a
// tap on the map, then after a place search. For docs/screenshots (issue 10).
// Usage: node screens.mjs BASE_URL OUT_DIR PREFIX
import { chromium } from "playwright-core";

const [base, out, prefix] = [process.argv[2], process.argv[3] || "/tmp", process.argv[4] || "after"];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
try {
  const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(base + "/reports/new");
  await Promise.all([page.waitForNavigation(), page.locator("#map").click({ position: { x: 160, y: 200 } })]);
  await page.locator("#where").screenshot({ path: `${out}/${prefix}-place-tap.png` });
  await page.fill("#place_query", "Sevare");
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Chercher" }).first().click()]);
  await page.locator("#where").screenshot({ path: `${out}/${prefix}-place-search.png` });
  console.log("screens: ok");
} finally {
  await browser.close();
}
