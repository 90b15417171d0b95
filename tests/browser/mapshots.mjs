// Screenshots of the staff map for docs/screenshots (docs/STATISTICS.md), taken without
// JavaScript on a server over the 1,000,000-report file of `bench/run`'s page benchmark (its
// auditor, bench-auditor@vigie.invalid, signs in with its password only).
// Usage: node mapshots.mjs BASE_URL OUT_DIR
import { chromium } from "playwright-core";
const [base, out] = [process.argv[2], process.argv[3]];
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
try {
  for (const [w, h, name, q] of [
    [360, 1400, "staff-map-360", "from=2026-04-01&to=2026-09-30"],
    [1280, 1500, "staff-map-desktop", "from=2026-04-01&to=2026-09-30"],
    [1280, 1500, "staff-map-month-desktop", "from=2026-09-01&to=2026-09-30&group=sexual"],
  ]) {
    const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: w, height: h }, javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(base + "/staff");
    await page.fill("#email", "bench-auditor@vigie.invalid");
    await page.fill("#password", "bench-Password-0123456789");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL(base + "/staff");
    await page.goto(base + "/staff/map?" + q);
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    console.log(name, "scrollWidth", sw);
    await page.screenshot({ path: `${out}/${name}.png`, fullPage: false });
    await ctx.close();
  }
} finally { await browser.close(); }
