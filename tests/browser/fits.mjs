// Shared by the browser tests: a page fits its screen's width.
import assert from "node:assert/strict";

/// The page fits the screen: nothing wider than the viewport makes the page itself scroll
/// sideways (wide tables scroll inside their own `.scroll-x` box).
export async function fits(page, what) {
  const { scroll, inner, wide } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
    // The outermost elements that reach past the screen's edge, to say which.
    wide: [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter((e) => !e.parentElement.closest(".scroll-x"))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`),
  }));
  assert.ok(scroll <= inner, `${what}: the page is ${scroll} px wide on a ${inner} px screen: ${wide.join(", ")}`);
}
